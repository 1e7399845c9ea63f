package ocr

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"slices"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// personWhere invents people from seed until one satisfies ok.
func personWhere(t *testing.T, seed uint64, ok func(corpus.Person) bool) (*corpus.Generator, corpus.Person) {
	t.Helper()
	g, err := corpus.NewGenerator(seed)
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if p := g.Person(); ok(p) {
			return g, p
		}
	}
	t.Fatal("no such person in 200")
	return nil, corpus.Person{}
}

// A card whose holder was over 60 when it was issued has no expiry: the
// MRZ's expiry is fillers, accepted by the check-digit rules, and the
// expiry is "none" on the back, the front and the 2024 card alike.
func TestReadsLifetimeCards(t *testing.T) {
	g, p := personWhere(t, 31, corpus.Person.Lifetime)
	if p.DateOfBirth.Year() > 1966 {
		t.Fatalf("lifetime card of someone born in %d", p.DateOfBirth.Year())
	}
	for _, tt := range []struct {
		kind string
		want Kind
	}{{corpus.Back, KindCCCDBackMRZ}, {corpus.Front, KindCCCDFront}, {corpus.Front2016, KindCCCDFront}, {corpus.CanCuocBack, KindCanCuocBack}} {
		t.Run(tt.kind, func(t *testing.T) {
			pg, err := g.Page(tt.kind, p, corpus.Clean)
			if err != nil {
				t.Fatal(err)
			}
			res := read(t, pg.Image, KindAuto, nil)
			if res.Kind != tt.want {
				t.Fatalf("kind = %s, want %s", res.Kind, tt.want)
			}
			if f := res.Fields["expiry_date"]; f.Value != NoExpiry {
				t.Errorf("expiry_date = %+v, want %q", f, NoExpiry)
			}
			wantField(t, res, "id_number", p.IDNumber, "")
			wantField(t, res, "date_of_birth", pg.Fields["date_of_birth"], "")
			for _, w := range res.Warnings {
				if strings.HasPrefix(w, "mrz_") {
					t.Errorf("warning %s on a lifetime card", w)
				}
			}
		})
	}
}

func TestParseMRZWithoutExpiry(t *testing.T) {
	for _, l2 := range []string{
		"5701012M<<<<<<<VNM<<<<<<<<<<<%c", // the filler as check digit
		"5701012M<<<<<<0VNM<<<<<<<<<<<%c", // or a zero
		"5701012M<<K<<<<VNM<<<<<<<<<<<%c", // a filler read as K
	} {
		l1 := "IDVNM0570012349079057001234<<9"
		l1 = l1[:14] + string(MRZCheckDigit(l1[5:14])) + l1[15:29] + string(MRZCheckDigit(l1[15:27]))
		line2 := "570101" + string(MRZCheckDigit("570101")) + strings.Replace(l2, "%c", "", 1)[7:]
		clean := []byte(line2)
		copy(clean[8:15], "<<<<<<<")
		comp := l1[5:30] + string(clean[0:7]) + string(clean[8:15]) + string(clean[18:29])
		line2 += string(MRZCheckDigit(comp))
		m, err := ParseMRZ([]string{l1, line2, "TRAN<<VAN<AN<<<<<<<<<<<<<<<<<<"})
		if err != nil {
			t.Fatalf("%s: %v", line2, err)
		}
		if !m.NoExpiry || m.ExpiryDate != "" || len(m.Failed) != 0 || m.DateOfBirth != "1957-01-01" {
			t.Errorf("%s: %+v", line2, m)
		}
	}
}

// The passport's TD3 zone: every check digit verified, the personal ID
// number from the optional data.
func TestParsePassportMRZ(t *testing.T) {
	_, p := personWhere(t, 32, func(corpus.Person) bool { return true })
	lines := p.PassportMRZ()
	m, err := ParsePassportMRZ(lines)
	if err != nil {
		t.Fatal(err)
	}
	if m.IDNumber != p.IDNumber || m.PassportNumber != p.PassportNumber() || len(m.Failed) != 0 ||
		m.DateOfBirth != p.DateOfBirth.Format("2006-01-02") || m.Nationality != "VNM" || m.Type != "P" {
		t.Fatalf("%+v", m)
	}
	for _, tt := range []struct {
		pos  int
		want string
	}{{2, checkPassportNumber}, {15, checkDateOfBirth}, {23, checkExpiryDate}, {33, checkIDNumber}, {43, checkComposite}} {
		b := []byte(lines[1])
		b[tt.pos] = '0' + (b[tt.pos]-'0'+1)%10
		m, err := ParsePassportMRZ([]string{lines[0], string(b)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(m.Failed, tt.want) {
			t.Errorf("digit %d changed: failed %v, want %s", tt.pos, m.Failed, tt.want)
		}
	}
	if _, err := ParsePassportMRZ([]string{"IDVNM", lines[1]}); err == nil {
		t.Error("a line that is no passport's parsed")
	}
}

func TestReadsPassportPage(t *testing.T) {
	g, p := personWhere(t, 33, func(corpus.Person) bool { return true })
	pg, err := g.Page(corpus.Passport, p, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	res := read(t, pg.Image, KindAuto, nil)
	if res.Kind != KindPassport {
		t.Fatalf("kind = %s", res.Kind)
	}
	for _, f := range []string{"id_number", "date_of_birth", "passport_number", "expiry_date"} {
		wantField(t, res, f, pg.Fields[f], SourceMRZ)
	}
	// The printed name, with its diacritics, where the MRZ agrees.
	wantField(t, res, "full_name", p.FullName, SourceText)
	for _, f := range []string{"place_of_birth", "issue_date"} {
		wantField(t, res, f, pg.Fields[f], SourceText)
	}
}

// The 9-digit CMND and the paper household booklet are refused with what
// to bring instead, even when the kiosk asked for a card's front.
func TestRefusesOldPapers(t *testing.T) {
	for _, tt := range []struct {
		kind string
		err  *apperr.Error
	}{{corpus.CMND, ErrCMND}, {corpus.Booklet, ErrHouseholdBooklet}} {
		for _, asked := range []Kind{KindAuto, KindCCCDFront} {
			pg := testPage(t, 34, tt.kind, corpus.Clean)
			_, err := NewReader(testPool(t)).Read(t.Context(), Request{Image: pg.Image, Kind: asked})
			if apperr.CodeOf(err) != tt.err.Code {
				t.Errorf("%s asked as %q: err = %v, want %s", tt.kind, asked, err, tt.err.Code)
			}
			if !strings.Contains(tt.err.Message, "Xin vui lòng dùng thẻ căn cước") {
				t.Errorf("%s: the message does not say what to bring: %s", tt.kind, tt.err.Message)
			}
		}
	}
}

func TestReadsCanCuocFrontBirthCertificateAndBill(t *testing.T) {
	for _, tt := range []struct {
		kind   string
		want   Kind
		fields []string
	}{
		{corpus.CanCuocFront, KindCanCuocFront, []string{"id_number", "date_of_birth", "full_name", "sex"}},
		{corpus.CanCuocBack, KindCanCuocBack, []string{"id_number", "date_of_birth", "place_of_birth", "issue_date", "place_of_residence"}},
		{corpus.BirthCert, KindBirthCertificate, []string{"id_number", "date_of_birth", "full_name", "sex", "father_name", "mother_name", "registration_number"}},
		{corpus.Bill, KindBill, []string{"customer_code"}},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			pg := testPage(t, 35, tt.kind, corpus.Clean)
			res := read(t, pg.Image, KindAuto, nil)
			if res.Kind != tt.want {
				t.Fatalf("kind = %s, want %s", res.Kind, tt.want)
			}
			for _, f := range tt.fields {
				wantField(t, res, f, pg.Fields[f], "")
			}
		})
	}
}

// A front whose QR code disagrees with its print: the QR code wins, and
// the field carries the printed reading as a conflict for staff. With the
// QR region shortcut only the lower half is read (the residence); without
// it, the name too.
func TestFlagsConflictsBetweenQRAndPrint(t *testing.T) {
	g, p := personWhere(t, 36, func(corpus.Person) bool { return true })
	pg, err := g.Page(corpus.Front, p, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := Decode(pg.Image)
	if err != nil {
		t.Fatal(err)
	}
	other := p
	other.FullName = "PHẠM VĂN KHÁC"
	other.PlaceOfResidence = "1 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh"
	code, err := qrcode.Encode(other.QRPayload(), qrcode.Medium, 210)
	if err != nil {
		t.Fatal(err)
	}
	q, err := png.Decode(bytes.NewReader(code))
	if err != nil {
		t.Fatal(err)
	}
	draw.Draw(img, image.Rect(790, 16, 1000, 226), q, image.Point{}, draw.Src)
	scan := pngOf(t, img)
	for _, tt := range []struct {
		reader *Reader
		fields map[string]string // field: the printed value
	}{
		{NewReader(testPool(t)), map[string]string{"place_of_residence": p.PlaceOfResidence}},
		{NewReader(testPool(t)).WithShortcuts(Shortcuts{}), map[string]string{"place_of_residence": p.PlaceOfResidence, "full_name": p.FullName}},
	} {
		res, err := tt.reader.Read(t.Context(), Request{Image: scan})
		if err != nil {
			t.Fatal(err)
		}
		for name, printed := range tt.fields {
			f := res.Fields[name]
			if f.Source != SourceQR {
				t.Fatalf("%s = %+v, want the QR's", name, f)
			}
			if len(f.Conflicts) != 1 || f.Conflicts[0].Source != SourceText || !sameValue(name, f.Conflicts[0].Value, printed) {
				t.Errorf("%s conflicts = %+v, want the printed %q", name, f.Conflicts, printed)
			}
			if !slices.Contains(res.Warnings, "conflict:"+name) || f.Confidence > 0.75 {
				t.Errorf("warnings %v, confidence %v: want the conflict flagged for staff", res.Warnings, f.Confidence)
			}
		}
		if len(res.Fields["id_number"].Conflicts) != 0 {
			t.Errorf("id conflicts %v", res.Fields["id_number"].Conflicts)
		}
	}
	if msg := WarningMessage("conflict:full_name"); !strings.Contains(msg, "họ và tên") {
		t.Errorf("message %q", msg)
	}
}

// Only a title refuses: a paper that mentions a CMND or a household
// booklet further down is read as what it is.
func TestRefusesOnlyByTitle(t *testing.T) {
	lines := []Line{{Text: "GIẤY KHAI SINH"}, {Text: "Họ, chữ đệm, tên: AN"}, {Text: "a"}, {Text: "b"}, {Text: "c"}, {Text: "d"},
		{Text: "Người đi khai sinh: giấy chứng minh nhân dân số 023456789"}}
	if err := refused(vietnamese.Fold(joinLines(lines[:6]))); err != nil {
		t.Errorf("refused a birth certificate: %v", err)
	}
	if err := refused(vietnamese.Fold("CỘNG HÒA\nGIẤY CHỨNG MINH NHÂN DÂN\nSỐ 023456789")); !errors.Is(err, ErrCMND) {
		t.Errorf("err = %v, want ErrCMND", err)
	}
}

// The card of 2016 has no QR code and no MRZ: every field is read from the
// print, its kind is a card's front, and no warning asks for a QR code the
// card never had.
func TestReads2016Card(t *testing.T) {
	g, p := personWhere(t, 33, func(p corpus.Person) bool { return !p.Lifetime() })
	for _, d := range []string{corpus.Clean, corpus.Skew} {
		t.Run(d, func(t *testing.T) {
			pg, err := g.Page(corpus.Front2016, p, d)
			if err != nil {
				t.Fatal(err)
			}
			res := read(t, pg.Image, KindAuto, nil)
			if res.Kind != KindCCCDFront {
				t.Fatalf("kind = %s, want %s", res.Kind, KindCCCDFront)
			}
			for _, name := range []string{"id_number", "date_of_birth", "expiry_date", "full_name", "sex", "place_of_origin", "place_of_residence"} {
				wantField(t, res, name, pg.Fields[name], SourceText)
			}
			if slices.Contains(res.Warnings, "qr_unreadable") {
				t.Errorf("warnings %v on a card without a QR code", res.Warnings)
			}
		})
	}
}
