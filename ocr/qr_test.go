package ocr

import (
	"image"
	"testing"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

func TestParseCardQR(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    *CardQR
	}{
		{"seven fields, no old ID", "079203001234||NGUYỄN THỊ MINH ANH|15052003|Nữ|12 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh|20042021",
			&CardQR{IDNumber: "079203001234", FullName: "NGUYỄN THỊ MINH ANH", DateOfBirth: "2003-05-15", Sex: "Nữ",
				PlaceOfResidence: "12 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh", IssueDate: "2021-04-20"}},
		{"with the old ID", "079058001234|025123456|TRẦN VĂN BÌNH|01021958|Nam|5 Hai Bà Trưng, Phường Sài Gòn, TP. Hồ Chí Minh|01072022",
			&CardQR{IDNumber: "079058001234", OldIDNumber: "025123456", FullName: "TRẦN VĂN BÌNH", DateOfBirth: "1958-02-01", Sex: "Nam",
				PlaceOfResidence: "5 Hai Bà Trưng, Phường Sài Gòn, TP. Hồ Chí Minh", IssueDate: "2022-07-01"}},
		{"six fields, the old ID left out", "079203001234|NGUYỄN THỊ MINH ANH|15052003|Nữ|Phường Bến Thành|20042021",
			&CardQR{IDNumber: "079203001234", FullName: "NGUYỄN THỊ MINH ANH", DateOfBirth: "2003-05-15", Sex: "Nữ",
				PlaceOfResidence: "Phường Bến Thành", IssueDate: "2021-04-20"}},
		{"an extra field at the end (2024 card)", "079203001234||NGUYỄN THỊ MINH ANH|15052003|Nữ|Phường Bến Thành|20042021|extra",
			&CardQR{IDNumber: "079203001234", FullName: "NGUYỄN THỊ MINH ANH", DateOfBirth: "2003-05-15", Sex: "Nữ",
				PlaceOfResidence: "Phường Bến Thành", IssueDate: "2021-04-20"}},
		{"decomposed Vietnamese is stored NFC", "079203001234||NGUYE\u0302\u0303N THI\u0323 MINH ANH|15052003|Nu\u031b\u0303|Phường Bến Thành|20042021",
			&CardQR{IDNumber: "079203001234", FullName: "NGUYỄN THỊ MINH ANH", DateOfBirth: "2003-05-15", Sex: "Nữ",
				PlaceOfResidence: "Phường Bến Thành", IssueDate: "2021-04-20"}},
		{"a URL", "https://dichvucong.gov.vn", nil},
		{"a short ID", "07920300123||A|15052003|Nữ|P|20042021", nil},
		{"no date of birth", "079203001234||NGUYỄN THỊ MINH ANH|31022003|Nữ|Phường Bến Thành|20042021", nil},
		{"a VietQR payment code", "00020101021238570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCardQR(tt.payload)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("parsed %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != *tt.want {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseCardQR(f *testing.F) {
	f.Add("079203001234||NGUYỄN THỊ MINH ANH|15052003|Nữ|12 Lê Lợi, Phường Bến Thành|20042021")
	f.Add("079203001234|NGUYỄN THỊ MINH ANH|15052003|Nữ|Phường Bến Thành|20042021")
	f.Add("||||||")
	f.Add("079203001234|\xff|x|01012000|Nam|y|z")
	f.Fuzz(func(t *testing.T, payload string) {
		q, err := ParseCardQR(payload)
		if err != nil {
			return
		}
		if len(q.IDNumber) != 12 || !allDigits(q.IDNumber) {
			t.Fatalf("id %q", q.IDNumber)
		}
		if len(q.DateOfBirth) != 10 {
			t.Fatalf("date of birth %q", q.DateOfBirth)
		}
		if q.FullName != vietnamese.NFC(q.FullName) {
			t.Fatalf("name %q is not NFC", q.FullName)
		}
	})
}

// A QR drawn by the corpus generator decodes back to its payload, with
// Vietnamese intact (UTF-8 byte mode).
func TestDecodeQRFromCard(t *testing.T) {
	pg, g := testScan(t, 11, corpus.Front, corpus.Rotation)
	payload, box, err := decodeQR(g)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseCardQR(payload)
	if err != nil {
		t.Fatal(err)
	}
	if q.IDNumber != pg.Fields["id_number"] || q.FullName != pg.Fields["full_name"] || q.DateOfBirth != pg.Fields["date_of_birth"] {
		t.Fatalf("decoded %+v, want %v", q, pg.Fields)
	}
	if !image.Rect(box[0], box[1], box[0]+box[2], box[1]+box[3]).Overlaps(image.Rect(760, 0, 1040, 260)) {
		t.Fatalf("QR box %v is not where the QR is drawn", box)
	}
}
