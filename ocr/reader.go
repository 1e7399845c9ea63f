package ocr

import (
	"context"
	"image"
	"math"
	"strings"
	"time"

	"github.com/otiai10/gosseract/v2"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Reader turns scans into Results. It is safe for concurrent use; the
// Pool bounds how many recognitions run at once.
type Reader struct {
	pool       *Pool
	preprocess PreprocessOptions
}

// NewReader returns a reader that recognises on pool's clients.
func NewReader(pool *Pool) *Reader {
	return &Reader{pool: pool, preprocess: DefaultPreprocess}
}

// WithPreprocess returns a reader with other clean-up steps, for the
// benchmark that measures what each step is worth.
func (r *Reader) WithPreprocess(opts PreprocessOptions) *Reader {
	c := *r
	c.preprocess = opts
	return &c
}

// Request is one scan to read.
type Request struct {
	Image []byte
	// Kind forces the document kind; empty detects it.
	Kind Kind
	// FormFields are the procedure's form fields that a form's
	// "label: value" lines are matched to.
	FormFields []procedures.Field
}

var errUnknownKind = apperr.New(apperr.Invalid, "unknown_kind",
	"Loại giấy tờ không hợp lệ. Chọn một trong: cccd_front, cccd_qr, cccd_back_mrz, form.")

var errNoQR = apperr.New(apperr.Invalid, "qr_not_found",
	"Không đọc được mã QR trên thẻ căn cước. Xin vui lòng đặt thẻ ngay ngắn, không bị lóa, rồi quét lại.")

// Read decodes, cleans up and recognises a scan and extracts the fields of
// its kind.
func (r *Reader) Read(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if !req.Kind.Valid() {
		return nil, errUnknownKind
	}
	g, _, err := Decode(req.Image)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: req.Kind, Fields: map[string]Field{}, Warnings: []string{}}

	// The card's QR code, read before anything else: when readable, its
	// values are exact.
	// Another QR code (a receipt's tracking code, a bill's customer code)
	// is kept as it is, in the field qr_payload, for whoever knows it.
	var qr *CardQR
	var qrAt [4]int
	var otherQR string
	if payload, box, err := decodeQR(g); err == nil {
		qrAt = box
		if q, err := ParseCardQR(payload); err != nil {
			otherQR = payload
		} else if req.Kind != KindForm {
			qr = q
		}
	}
	if req.Kind == KindCCCDQR {
		if qr == nil {
			return nil, errNoQR
		}
		res.Kind = KindCCCDQR
		addQRFields(res, qr, qrAt)
		res.DurationMS = time.Since(start).Milliseconds()
		return res, nil
	}

	if qr != nil || otherQR != "" {
		// Tesseract reads a QR code's modules as garbage; blank it out.
		whiten(g, qrAt)
	}
	page, tr := Preprocess(g, r.preprocess)
	var lines []Line
	var mrz *MRZ
	var mrzAt [4]int // on the page until mapped back
	err = r.pool.Do(ctx, func(c *Client) error {
		words, err := c.Recognize(page, RecognizeOptions{PageSegMode: gosseract.PSM_SINGLE_COLUMN})
		if err != nil {
			return err
		}
		lines = groupLines(words, tr)
		if req.Kind != KindAuto && req.Kind != KindCCCDBackMRZ {
			return nil
		}
		mrz, mrzAt, err = readMRZ(c, page, words, lines, req.Kind == KindCCCDBackMRZ)
		if mrz != nil {
			mrzAt = tr.ToOriginal(rectOf(mrzAt))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Lines = lines
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	res.Text = strings.Join(texts, "\n")

	if res.Kind == KindAuto {
		res.Kind = detectKind(lines, qr != nil, mrz != nil)
	}
	switch res.Kind {
	case KindCCCDFront:
		extractFront(res, lines)
	case KindCCCDBackMRZ:
		if mrz == nil {
			res.warn("mrz_unreadable")
		} else {
			addMRZFields(res, mrz, mrzAt)
		}
	case KindForm:
		extractForm(res, lines, req.FormFields)
	}
	if qr != nil {
		addQRFields(res, qr, qrAt)
		crossCheck(res, qr)
	} else if res.Kind == KindCCCDFront {
		res.warn("qr_unreadable")
	}
	if otherQR != "" {
		res.setField(FieldQRPayload, Field{Value: otherQR, Confidence: qrConfidence, Source: SourceQR, Box: qrAt})
	}
	if strings.TrimSpace(res.Text) == "" && qr == nil && otherQR == "" {
		return nil, errNoText
	}
	for name, f := range res.Fields {
		if f.Confidence < 0.6 {
			res.warn("low_confidence:" + name)
		}
	}
	res.DurationMS = time.Since(start).Milliseconds()
	return res, nil
}

// readMRZ finds and reads the machine-readable zone of a card's back on
// page, whose page read gave words and lines. The zone is read again on its
// own with the English model, limited to its alphabet, unless the page read
// already checks out. Where the page read did not show it but the page is a
// card's back (or the caller said so), it is looked for in the lower half,
// where TD1 puts it. It returns nil when there is no readable zone, and the
// zone's box on page.
func readMRZ(c *Client, page *image.Gray, words []Word, lines []Line, isBack bool) (*MRZ, [4]int, error) {
	zone, texts, ok := findMRZ(words)
	if ok {
		// Every check digit matching and the name only letters and
		// fillers: a second read would add nothing.
		if m, err := ParseMRZ(texts); err == nil && len(m.Failed) == 0 && len(texts) == 3 && plainName(texts[2]) {
			return m, boxOf(zone), nil
		}
	}
	if !ok && (isBack || isCardBack(lines)) {
		zone, ok = image.Rect(0, page.Rect.Dy()/2, page.Rect.Dx(), page.Rect.Dy()), true
	}
	if !ok {
		return nil, [4]int{}, nil
	}
	zone = zone.Inset(-int(0.02 * float64(page.Rect.Dx()))).Intersect(page.Rect)
	mw, err := c.Recognize(cropGray(page, zone), RecognizeOptions{PageSegMode: gosseract.PSM_SINGLE_BLOCK, Whitelist: mrzAlphabet, Latin: true})
	if err != nil {
		return nil, [4]int{}, err
	}
	// The zone is the last three lines of which the first two are long
	// (the name line's fillers are often read short).
	read := groupLines(mw, Transform{Scale: 1})
	for i := len(read) - 3; i >= 0; i-- {
		if len(cleanMRZLine(read[i].Text)) < 20 || len(cleanMRZLine(read[i+1].Text)) < 20 {
			continue
		}
		if m, err := ParseMRZ([]string{read[i].Text, read[i+1].Text, read[i+2].Text}); err == nil {
			return m, boxOf(zone), nil
		}
	}
	return nil, [4]int{}, nil
}

// detectKind decides what a scan shows from what was found on it.
func detectKind(lines []Line, hasQR, hasMRZ bool) Kind {
	if hasMRZ || isCardBack(lines) {
		return KindCCCDBackMRZ
	}
	folded := vietnamese.Fold(joinLines(lines))
	front := strings.Contains(folded, "can cuoc") || strings.Contains(folded, "citizen identity") ||
		(strings.Contains(folded, "full name") && strings.Contains(folded, "date of birth"))
	switch {
	case front:
		return KindCCCDFront
	case hasQR:
		return KindCCCDQR
	}
	return KindForm
}

// isCardBack reports whether the page's text is that of a card's back.
func isCardBack(lines []Line) bool {
	f := vietnamese.Fold(joinLines(lines))
	return strings.Contains(f, "dac diem nhan dang") || strings.Contains(f, "personal identification")
}

func joinLines(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// groupLines joins words into lines, mapping boxes back to the upload.
func groupLines(words []Word, tr Transform) []Line {
	var lines []Line
	var confs []float64
	var box image.Rectangle
	var parts []string
	flush := func() {
		if len(parts) == 0 {
			return
		}
		lines = append(lines, Line{
			Text:       vietnamese.NFC(strings.Join(parts, " ")),
			Confidence: math.Round(mean(confs)) / 100,
			Box:        tr.ToOriginal(box),
		})
		parts, confs, box = nil, nil, image.Rectangle{}
	}
	last := -1
	for _, w := range words {
		if w.Line != last {
			flush()
			last = w.Line
		}
		parts = append(parts, w.Text)
		confs = append(confs, w.Confidence)
		box = box.Union(w.Box)
	}
	flush()
	return lines
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// mrzAlphabet is every character an MRZ may hold.
const mrzAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

// findMRZ finds the machine-readable zone among the page's words: the
// lines that, without spaces, are long runs of capitals, digits and '<'
// (which a general model often reads as « or K). It returns the box around
// the last three such lines and their text.
func findMRZ(words []Word) (image.Rectangle, []string, bool) {
	type line struct {
		text string
		box  image.Rectangle
	}
	byLine := map[int]*line{}
	var order []int
	for _, w := range words {
		l, ok := byLine[w.Line]
		if !ok {
			l = &line{}
			byLine[w.Line] = l
			order = append(order, w.Line)
		}
		l.text += w.Text
		l.box = l.box.Union(w.Box)
	}
	var zone []*line
	for _, n := range order {
		l := byLine[n]
		if len(cleanMRZLine(l.text)) >= 22 && mrzLike(l.text) {
			zone = append(zone, l)
		}
	}
	if len(zone) < 2 {
		return image.Rectangle{}, nil, false
	}
	if len(zone) > 3 {
		zone = zone[len(zone)-3:]
	}
	r := zone[0].box
	texts := []string{zone[0].text}
	for _, l := range zone[1:] {
		r = r.Union(l.box)
		texts = append(texts, l.text)
	}
	// When only two of three lines were seen, reach for the third.
	if len(zone) == 2 {
		h := zone[1].box.Max.Y - zone[0].box.Max.Y
		r.Min.Y -= h
		r.Max.Y += h
	}
	return r, texts, true
}

// plainName reports whether an MRZ name line as read holds nothing but
// capitals and fillers (no digit that could be either).
func plainName(line string) bool {
	for _, r := range strings.ReplaceAll(line, " ", "") {
		if (r < 'A' || r > 'Z') && r != '<' {
			return false
		}
	}
	return true
}

// mrzLike reports whether text looks like an MRZ line: almost nothing but
// capitals, digits and filler marks.
func mrzLike(text string) bool {
	good, all := 0, 0
	for _, r := range text {
		if r == ' ' {
			continue
		}
		all++
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || strings.ContainsRune("<«‹(", r) {
			good++
		}
	}
	return all > 0 && float64(good)/float64(all) > 0.85
}

// cropGray returns the part of g inside r (clipped to g).
func cropGray(g *image.Gray, r image.Rectangle) *image.Gray {
	r = r.Intersect(g.Rect)
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		copy(out.Pix[y*out.Stride:(y+1)*out.Stride], g.Pix[(r.Min.Y+y)*g.Stride+r.Min.X:])
	}
	return out
}

// whiten paints the box b white on g.
func whiten(g *image.Gray, b [4]int) {
	r := image.Rect(b[0], b[1], b[0]+b[2], b[1]+b[3]).Intersect(g.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := g.Pix[y*g.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			row[x] = 255
		}
	}
}
