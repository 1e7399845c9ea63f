package ocr

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// The synthetic, validated TD1 sample from the research notes.
var sampleMRZ = []string{
	"IDVNM2030012345079203001234<<5",
	"0305152F2805151VNM<<<<<<<<<<<2",
	"NGUYEN<<THI<MINH<ANH<<<<<<<<<<",
}

func TestMRZCheckDigit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want byte
	}{
		{"203001234", '5'},
		{"079203001234", '5'},
		{"030515", '2'},
		{"280515", '1'},
		{"L898902C3", '6'}, // ICAO 9303 part 4's specimen
		{"<<<<<<", '0'},
	} {
		if got := MRZCheckDigit(tt.in); got != tt.want {
			t.Errorf("MRZCheckDigit(%q) = %c, want %c", tt.in, got, tt.want)
		}
	}
}

func TestParseMRZ(t *testing.T) {
	corrupt := func(line, pos int, c byte) []string {
		l := slices.Clone(sampleMRZ)
		b := []byte(l[line])
		b[pos] = c
		l[line] = string(b)
		return l
	}
	tests := []struct {
		name   string
		lines  []string
		want   MRZ
		failed []string
	}{
		{"the sample", sampleMRZ, MRZ{DocumentNumber: "203001234", IDNumber: "079203001234", DateOfBirth: "2003-05-15",
			Sex: "Nữ", ExpiryDate: "2028-05-15", Nationality: "VNM", FullName: "NGUYEN THI MINH ANH"}, nil},
		{"as OCR reads it: spaces, « for <<, O for 0", []string{
			"IDVNM 2O3OO1234 5 O792O3OO1234«5",
			"O3O515 2F 28O5151VNM<<<<<<<<<<<2",
			"NGUYEN<<THI<MINH<ANH<<<<<<<<<",
		}, MRZ{DocumentNumber: "203001234", IDNumber: "079203001234", DateOfBirth: "2003-05-15",
			Sex: "Nữ", ExpiryDate: "2028-05-15", Nationality: "VNM", FullName: "NGUYEN THI MINH ANH"}, nil},
		{"a wrong date of birth digit", corrupt(1, 6, '7'), MRZ{}, []string{"date_of_birth", "composite"}},
		{"a misread birth day", corrupt(1, 5, '6'), MRZ{}, []string{"date_of_birth", "composite"}},
		{"a misread ID digit", corrupt(0, 20, '9'), MRZ{}, []string{"id_number", "composite"}},
		{"a misread document number", corrupt(0, 8, '7'), MRZ{}, []string{"document_number", "composite"}},
		{"a wrong composite", corrupt(1, 29, '9'), MRZ{}, []string{"composite"}},
		{"document number and ID disagree", corrupt(0, 26, '5'), MRZ{}, []string{"document_number_in_id_number", "id_number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMRZ(tt.lines)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.IDNumber != "" {
				got := *m
				got.Failed = nil
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got %+v\nwant %+v", got, tt.want)
				}
			}
			for _, f := range tt.failed {
				if !slices.Contains(m.Failed, f) {
					t.Errorf("Failed = %v, want it to name %s", m.Failed, f)
				}
			}
			if len(tt.failed) == 0 && len(m.Failed) > 0 {
				t.Errorf("Failed = %v, want none", m.Failed)
			}
		})
	}
}

// OCR that drops or adds a character, or reads 8 for 3, is aligned and
// mended by the check digits, and says so.
func TestParseMRZAlignsAndMends(t *testing.T) {
	tests := []struct {
		name      string
		lines     []string
		corrected []string
	}{
		{"a stray letter after the country", []string{"IDVNMO2030012345079203001234<<5", sampleMRZ[1], sampleMRZ[2]}, nil},
		{"a filler lost", []string{"IDVNM2030012345079203001234<5", sampleMRZ[1], sampleMRZ[2]}, nil},
		{"I read as T, the name's fillers short", []string{"TDVNM2030012345079203001234<<5", sampleMRZ[1], "NGUYEN<<THI<MINH<ANH<<"}, nil},
		{"8 read for 3 in the ID", []string{"IDVNM2030012345079208001234<<5", sampleMRZ[1], sampleMRZ[2]}, []string{"id_number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMRZ(tt.lines)
			if err != nil {
				t.Fatal(err)
			}
			if m.IDNumber != "079203001234" || m.DateOfBirth != "2003-05-15" || m.DocumentNumber != "203001234" {
				t.Fatalf("got %+v", m)
			}
			if !reflect.DeepEqual(m.Corrected, tt.corrected) {
				t.Errorf("Corrected = %v, want %v", m.Corrected, tt.corrected)
			}
			if len(tt.corrected) > 0 && len(m.Failed) == 0 {
				t.Errorf("a mended field must still be reported as failed as read")
			}
		})
	}
}

// When more than one look-alike would fit, nothing is guessed.
func TestParseMRZDoesNotGuessBetweenMendings(t *testing.T) {
	m, err := ParseMRZ([]string{sampleMRZ[0], "0305162F2805151VNM<<<<<<<<<<<2", sampleMRZ[2]})
	if err != nil {
		t.Fatal(err)
	}
	if m.DateOfBirth != "2003-05-16" || len(m.Corrected) != 0 || !slices.Contains(m.Failed, "date_of_birth") {
		t.Fatalf("got %+v, want the date as read and its check reported", m)
	}
}

func TestMRZNameDropsMisreadFillers(t *testing.T) {
	for in, want := range map[string]string{
		"TRAN<<XUAN<KVIET<<<<<<<<<<<<<":  "TRAN XUAN VIET",
		"VU<K<<VAN<KVIET<<<<<<<<<<<<<<<": "VU VAN VIET",
		"DO<<CONG<SONK<X<<<<<<<<<<<<<<<": "DO CONG SON",
		"LE<<KIM<KHANH<<<<<<<<<<<<<<<<<": "LE KIM KHANH",
		"TRAN<<THANH<THAOO<<<<<<<<<<<<":  "TRAN THANH THAO",
		"VO<<THU<XCHI<<<<<<<<<<<<<<<<<<": "VO THU CHI",
		"LE<<QUOOC<LONG<<<<<<<<<<<<<<<<": "LE QUOC LONG",
		"TRAN<<XUANKTHANG<<<<<<<<<<<<<<": "TRAN XUAN THANG",
		"HOANG<<XUANKTUANK<<<<<<<<<<<<<": "HOANG XUAN TUAN",
		"BUI<<XUAN<KTUANK<<<<<<<<<<<<<<": "BUI XUAN TUAN",
		"NGUYEN<<NGOC<KHOA<<<<<<<<<<<<<": "NGUYEN NGOC KHOA",
		"HUYNH<<DUC<VIET<<<<<<<<<<<<<<<": "HUYNH DUC VIET",
		"DUONG<<THI<XUAN<<<<<<<<<<<<<<<": "DUONG THI XUAN",
		"NGUYEN<<THI<MINH<ANH<<<<<<<<<<": "NGUYEN THI MINH ANH",
	} {
		if got := mrzName(in); got != want {
			t.Errorf("mrzName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMRZRefusesOtherText(t *testing.T) {
	for _, lines := range [][]string{
		nil,
		{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ KHAI"},
		sampleMRZ[:2],
		{"short", "short", "short"},
		{"Nơi thường trú: 12 Nguyễn Trãi, Phường", "Bến Thành, TP. Hồ Chí Minh, Việt Nam", "Ngày cấp: 20/04/2021 tại Hà Nội"},
	} {
		if _, err := ParseMRZ(lines); err == nil {
			t.Errorf("ParseMRZ(%q) parsed", lines)
		}
	}
}

func FuzzParseMRZ(f *testing.F) {
	f.Add(strings.Join(sampleMRZ, "\n"))
	f.Add("IDVNM1986565192079198656519<<2\n9803190F3803198VNM<<<<<<<<<<<4\nHOANG<<THU<DUNG<<<<<<<<<<<<<<<")
	f.Add("IDVNM«««\n<<<<\n")
	f.Add("\n\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMRZ(strings.Split(s, "\n"))
		if err != nil {
			return
		}
		for _, d := range []string{m.DateOfBirth, m.ExpiryDate} {
			if d != "" && len(d) != 10 {
				t.Fatalf("date %q is not YYYY-MM-DD", d)
			}
		}
		if m.IDNumber != "" && (len(m.IDNumber) != 12 || !allDigits(m.IDNumber)) {
			t.Fatalf("id %q is not 12 digits", m.IDNumber)
		}
	})
}

// The corpus generator's MRZs are valid TD1 zones of the person's card.
func TestCorpusMRZsCheckOut(t *testing.T) {
	g, err := corpus.NewGenerator(1)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		p := g.Person()
		m, err := ParseMRZ(p.MRZ())
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Failed) > 0 || m.IDNumber != p.IDNumber || m.DateOfBirth != p.DateOfBirth.Format("2006-01-02") {
			t.Fatalf("%v parsed as %+v", p.MRZ(), m)
		}
	}
}
