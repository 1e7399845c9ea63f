package ocr

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/ocr/corpus"
	"github.com/citizenstation/citizenstation/procedures"
)

func read(t *testing.T, data []byte, kind Kind, fields []procedures.Field) *Result {
	t.Helper()
	res, err := NewReader(testPool(t)).Read(context.Background(), Request{Image: data, Kind: kind, FormFields: fields})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantField(t *testing.T, res *Result, name, value, source string) {
	t.Helper()
	f, ok := res.Fields[name]
	if !ok {
		t.Errorf("%s missing; fields %v", name, res.Fields)
		return
	}
	if f.Value != value || (source != "" && f.Source != source) {
		t.Errorf("%s = %q from %s, want %q from %s", name, f.Value, f.Source, value, source)
	}
	if f.Confidence <= 0 || f.Confidence > 1 || f.Box[2] <= 0 || f.Box[3] <= 0 {
		t.Errorf("%s: confidence %v, box %v", name, f.Confidence, f.Box)
	}
}

func TestReadsCardFrontWithQR(t *testing.T) {
	for _, d := range []string{corpus.Clean, corpus.Rotation, corpus.JPEG40} {
		t.Run(d, func(t *testing.T) {
			pg := testPage(t, 21, corpus.Front, d)
			res := read(t, pg.Image, KindAuto, nil)
			if res.Kind != KindCCCDFront {
				t.Fatalf("kind = %s, want cccd_front", res.Kind)
			}
			for _, name := range []string{"id_number", "date_of_birth", "full_name", "sex", "place_of_residence"} {
				wantField(t, res, name, pg.Fields[name], SourceQR)
			}
			wantField(t, res, "expiry_date", pg.Fields["expiry_date"], SourceText)
			// The QR code gave the identity: only the lower half, with
			// the origin and the expiry, was read.
			if !strings.Contains(res.Text, "Có giá trị đến") || strings.Contains(res.Text, "CĂN CƯỚC CÔNG DÂN") {
				t.Errorf("text is not the front's lower half: %q", res.Text)
			}
		})
	}
}

// With the QR covered (a sticker, a glare), the printed text still gives
// the ID number and the date of birth, and staff are told the QR was not read.
func TestReadsCardFrontTextWithoutQR(t *testing.T) {
	pg, g := testScan(t, 22, corpus.Front, corpus.Clean)
	whiten(g, [4]int{780, 10, 230, 230})
	res := read(t, pngOf(t, g), KindAuto, nil)
	if res.Kind != KindCCCDFront {
		t.Fatalf("kind = %s", res.Kind)
	}
	for _, name := range []string{"id_number", "date_of_birth", "sex", "expiry_date"} {
		wantField(t, res, name, pg.Fields[name], SourceText)
	}
	if !slices.Contains(res.Warnings, "qr_unreadable") {
		t.Errorf("warnings = %v, want qr_unreadable", res.Warnings)
	}
	// Box of the ID number: on the line where it is printed (y≈180–210).
	if b := res.Fields["id_number"].Box; !rectOf(b).Overlaps(image.Rect(280, 175, 700, 215)) {
		t.Errorf("id_number box %v is not on its printed line", b)
	}
}

func TestReadsCardBackMRZ(t *testing.T) {
	pg := testPage(t, 23, corpus.Back, corpus.Clean)
	res := read(t, pg.Image, KindAuto, nil)
	if res.Kind != KindCCCDBackMRZ {
		t.Fatalf("kind = %s, want cccd_back_mrz", res.Kind)
	}
	for _, name := range []string{"id_number", "document_number", "date_of_birth", "expiry_date", "sex", "nationality", "full_name"} {
		wantField(t, res, name, pg.Fields[name], SourceMRZ)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings = %v, want none", res.Warnings)
	}
}

func TestReportsFailedMRZCheckDigit(t *testing.T) {
	g, err := corpus.NewGenerator(24)
	if err != nil {
		t.Fatal(err)
	}
	p := g.Person()
	mrz := p.MRZ()
	// Change the birth date's check digit: the date itself still reads.
	l2 := []byte(mrz[1])
	l2[6] = '0' + (l2[6]-'0'+3)%10
	mrz[1] = string(l2)
	pg, err := g.Back(p, mrz, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	res := read(t, pg.Image, KindCCCDBackMRZ, nil)
	for _, w := range []string{"mrz_check_digit:date_of_birth", "mrz_check_digit:composite"} {
		if !slices.Contains(res.Warnings, w) {
			t.Errorf("warnings = %v, want %s", res.Warnings, w)
		}
	}
	// Either no single look-alike digit explains the mismatch and the
	// value is kept with a low confidence, or one does and it is mended,
	// said so, and still below the confidence of a clean read.
	f := res.Fields["date_of_birth"]
	switch {
	case slices.Contains(res.Warnings, "mrz_corrected:date_of_birth"):
		if f.Confidence >= mrzConfidence {
			t.Errorf("mended date_of_birth = %+v, want a lower confidence", f)
		}
	case f.Value != pg.Fields["date_of_birth"] || f.Confidence > 0.5 || !slices.Contains(res.Warnings, "low_confidence:date_of_birth"):
		t.Errorf("date_of_birth = %+v (warnings %v), want the value kept with a low confidence", f, res.Warnings)
	}
	if f := res.Fields["id_number"]; f.Value != pg.Fields["id_number"] {
		t.Errorf("id_number = %+v", f)
	}
}

// ct01Fields is a CT01-like schema, as the catalogue would give it.
func ct01Fields() []procedures.Field { return corpus.FormFields() }

func TestReadsFormFields(t *testing.T) {
	pg := testPage(t, 25, corpus.Form, corpus.Clean)
	res := read(t, pg.Image, KindAuto, ct01Fields())
	if res.Kind != KindForm {
		t.Fatalf("kind = %s, want form", res.Kind)
	}
	for _, name := range []string{"id_number", "date_of_birth", "phone", "sex"} {
		wantField(t, res, name, pg.Fields[name], SourceText)
	}
	if len(res.Lines) < 15 {
		t.Fatalf("%d lines, want the form's lines with boxes", len(res.Lines))
	}
	if cer := CER(pg.Text, res.Text); cer > 0.02 {
		t.Errorf("CER %.3f on a clean form\nwant %q\ngot  %q", cer, pg.Text, res.Text)
	}
}

func TestReadsQROnly(t *testing.T) {
	pg := testPage(t, 26, corpus.Front, corpus.Clean)
	res := read(t, pg.Image, KindCCCDQR, nil)
	if res.Kind != KindCCCDQR || res.Text != "" {
		t.Fatalf("kind %s, text %q", res.Kind, res.Text)
	}
	wantField(t, res, "id_number", pg.Fields["id_number"], SourceQR)
	wantField(t, res, "issue_date", res.Fields["issue_date"].Value, SourceQR)
}

// A whitelist set for one call must not stay on the reused client.
func TestClientResetsVariablesOnReuse(t *testing.T) {
	pool, err := NewPool(Config{Workers: 1, Queue: 1, QueueTimeout: 10e9, Languages: []string{"vie"}})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	g, _, err := Decode(testPage(t, 27, corpus.Form, corpus.Clean).Image)
	if err != nil {
		t.Fatal(err)
	}
	line := cropGray(g, image.Rect(100, 360, 1200, 420)) // "1. Họ, chữ đệm và tên: ..."
	text := func(opts RecognizeOptions) string {
		var words []Word
		if err := pool.Do(context.Background(), func(c *Client) error {
			words, err = c.Recognize(line, opts)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, w := range words {
			s = append(s, w.Text)
		}
		return strings.Join(s, " ")
	}
	digits := text(RecognizeOptions{Whitelist: "0123456789"})
	if strings.ContainsAny(digits, "Họchữ") {
		t.Fatalf("whitelist not applied: %q", digits)
	}
	if after := text(RecognizeOptions{}); !strings.Contains(after, "Họ") {
		t.Fatalf("after a digits-only call the next reads %q: the whitelist stayed", after)
	}
}

// A QR code that is not an ID card's (a dossier receipt's tracking code)
// is kept as it is in qr_payload; a card's QR code never is.
func TestKeepsOtherQRPayload(t *testing.T) {
	code, err := qrcode.Encode("PA5SKC9GR", qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	res := read(t, code, KindAuto, nil)
	wantField(t, res, FieldQRPayload, "PA5SKC9GR", SourceQR)
	if len(res.Fields) != 1 {
		t.Errorf("fields %v, want only the QR code's text", res.Fields)
	}

	card := read(t, testPage(t, 27, corpus.Front, corpus.Clean).Image, KindAuto, nil)
	if _, ok := card.Fields[FieldQRPayload]; ok {
		t.Errorf("an ID card's QR code kept whole: %+v", card.Fields[FieldQRPayload])
	}
}
