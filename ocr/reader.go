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
	shortcuts  Shortcuts
}

// Shortcuts are the ways the reader avoids recognising a whole page, each
// measured by station bench ocr.
type Shortcuts struct {
	// MRZFirst reads the machine-readable zone on its own before the page,
	// where the page may be a card's back or a passport; when its check
	// digits match, the 2021 card's back needs nothing more, and the 2024
	// card's back and a passport only the text above the zone.
	MRZFirst bool
	// QRRegion reads, on a 2021 card's front whose QR code gives the
	// holder's identity, only the lower half where the printed fields the
	// QR code lacks are (origin, expiry).
	QRRegion bool
	// InkBox reads a page, or the part of it asked, only within the box
	// around its ink: a bill's lower half is blank, a card's photo beside
	// the text, and Tesseract's layout analysis costs by the pixel.
	InkBox bool
}

// DefaultShortcuts are all of them.
var DefaultShortcuts = Shortcuts{MRZFirst: true, QRRegion: true, InkBox: true}

// NewReader returns a reader that recognises on pool's clients.
func NewReader(pool *Pool) *Reader {
	return &Reader{pool: pool, preprocess: DefaultPreprocess, shortcuts: DefaultShortcuts}
}

// WithShortcuts returns a reader that takes only the given shortcuts.
func (r *Reader) WithShortcuts(s Shortcuts) *Reader {
	c := *r
	c.shortcuts = s
	return &c
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
	"Loại giấy tờ không hợp lệ. Chọn một trong: cccd_front, cccd_qr, cccd_back_mrz, cancuoc_front, cancuoc_back, passport, birth_certificate, bill, form.")

var errNoQR = apperr.New(apperr.Invalid, "qr_not_found",
	"Không đọc được mã QR trên thẻ căn cước. Xin vui lòng đặt thẻ ngay ngắn, không bị lóa, rồi quét lại.")

// Read decodes, cleans up and recognises a scan and extracts the fields of
// its kind.
func (r *Reader) Read(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if !req.Kind.Valid() {
		return nil, errUnknownKind
	}
	release, err := reserve(ctx, req.Image)
	if err != nil {
		return nil, err
	}
	defer release()
	g, _, err := Decode(req.Image)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: req.Kind, Fields: map[string]Field{}, Warnings: []string{}}
	qr := readCardQR(g, req.Kind)
	if req.Kind == KindCCCDQR {
		if qr.card == nil {
			return nil, errNoQR
		}
		addQRFields(res, qr.card, qr.at)
		res.DurationMS = time.Since(start).Milliseconds()
		return res, nil
	}
	if qr.card != nil || qr.other != "" {
		// Tesseract reads a QR code's modules as garbage; blank it out.
		whiten(g, qr.at)
	}
	page, tr := Preprocess(g, r.preprocess)
	lay := layout{kind: req.Kind, qr: qr.card != nil, qrOnLeft: qr.card != nil && qr.at[0] < g.Rect.Dx()/2}
	rd, err := r.recognize(ctx, lay, page, tr)
	if err != nil {
		return nil, err
	}
	if err := r.fill(res, rd, qr, req); err != nil {
		return nil, err
	}
	res.DurationMS = time.Since(start).Milliseconds()
	return res, nil
}

// pageQR is the QR code found on a page: a card's, whose values are exact,
// or another (a receipt's tracking code, a bill's customer code), kept as
// it is in the field qr_payload for whoever knows it.
type pageQR struct {
	card  *CardQR
	other string
	at    [4]int
}

// readCardQR decodes the page's QR code, before anything else is read.
func readCardQR(g *image.Gray, kind Kind) pageQR {
	var qr pageQR
	payload, box, err := decodeQR(g)
	if err != nil {
		return qr
	}
	qr.at = box
	if q, err := ParseCardQR(payload); err != nil {
		qr.other = payload
	} else if kind != KindForm {
		qr.card = q
	}
	return qr
}

// fill puts on res what was recognised: the text and lines, the kind, the
// fields of that kind and the QR code's, and the warnings. A paper no
// longer accepted is refused here.
func (r *Reader) fill(res *Result, rd *recognition, qr pageQR, req Request) error {
	res.Lines = rd.lines
	texts := make([]string, len(rd.lines))
	for i, l := range rd.lines {
		texts[i] = l.Text
	}
	res.Text = strings.Join(texts, "\n")
	// A paper's title is in its first lines; further down, a birth
	// certificate may name its declarant's CMND and a form may ask about a
	// household booklet.
	if err := refused(vietnamese.Fold(joinLines(rd.lines[:min(6, len(rd.lines))]))); err != nil && rd.mrz == nil && rd.td3 == nil {
		return err
	}
	if res.Kind == KindAuto {
		res.Kind = rd.kind(qr.card != nil)
	}
	if err := r.extract(res, rd, req); err != nil {
		return err
	}
	if qr.card != nil {
		addQRFields(res, qr.card, qr.at)
		crossCheck(res, qr.card)
	} else if (res.Kind == KindCCCDFront && !card2016(rd.lines)) || res.Kind == KindCanCuocBack {
		res.warn("qr_unreadable")
	}
	if qr.other != "" {
		res.setField(FieldQRPayload, Field{Value: qr.other, Confidence: qrConfidence, Source: SourceQR, Box: qr.at})
	}
	if strings.TrimSpace(res.Text) == "" && qr.card == nil && qr.other == "" {
		return errNoText
	}
	for name, f := range res.Fields {
		if f.Confidence < 0.6 {
			res.warn("low_confidence:" + name)
		}
	}
	return nil
}

// extract puts the fields of the result's kind on it.
func (r *Reader) extract(res *Result, rd *recognition, req Request) error {
	switch res.Kind {
	case KindCCCDFront:
		extractFront(res, rd.lines)
	case KindCCCDBackMRZ, KindCanCuocBack:
		if labels := labelsOf[res.Kind]; labels != nil {
			extractLabelled(res, rd.lines, labels)
		}
		if rd.mrz == nil {
			res.warn("mrz_unreadable")
		} else {
			addMRZFields(res, rd.mrz, rd.mrzAt)
		}
	case KindPassport:
		extractLabelled(res, rd.lines, passportLabels)
		printed := res.Fields["full_name"]
		if rd.td3 == nil {
			res.warn("mrz_unreadable")
		} else {
			addPassportFields(res, rd.td3, rd.mrzAt)
			keepPrintedName(res, printed)
		}
	case KindForm:
		extractForm(res, rd.lines, req.FormFields)
	default:
		if labels := labelsOf[res.Kind]; labels != nil {
			extractLabelled(res, rd.lines, labels)
		}
	}
	return nil
}

// recognition is what Tesseract made of a page: its lines and, where it
// has one, its machine-readable zone (TD1 of a card, TD3 of a passport)
// with the zone's box on the upload.
type recognition struct {
	lines []Line
	mrz   *MRZ
	td3   *PassportMRZ
	mrzAt [4]int
	// layoutKind is the kind the layout showed, when only part of the
	// page was read.
	layoutKind Kind
}

// kind decides what the page shows from what was found on it.
func (rd *recognition) kind(hasQR bool) Kind {
	switch {
	case rd.layoutKind != KindAuto:
		return rd.layoutKind
	case rd.td3 != nil:
		return KindPassport
	case rd.mrz != nil && hasQR:
		return KindCanCuocBack
	case rd.mrz != nil:
		if k := detectDocument(vietnamese.Fold(joinLines(rd.lines))); k == KindCanCuocBack {
			return k
		}
		return KindCCCDBackMRZ
	}
	if k := detectDocument(vietnamese.Fold(joinLines(rd.lines))); k != KindAuto {
		return k
	}
	return detectKind(rd.lines, hasQR, false)
}

// layout is what is known of a page before it is recognised.
type layout struct {
	kind     Kind // as asked
	qr       bool // an ID card's QR code was decoded
	qrOnLeft bool // on the left half, as on the 2024 card's back
}

// recognize reads the page, or only the parts of it that the QR code and
// the MRZ leave to be read (Shortcuts).
func (r *Reader) recognize(ctx context.Context, lay layout, page *image.Gray, tr Transform) (*recognition, error) {
	rd := &recognition{}
	err := r.pool.Do(ctx, func(c *Client) error {
		if r.shortcuts.MRZFirst && mrzFirst(lay.kind, page, lay.qrOnLeft) {
			done, err := rd.fromMRZ(c, r, lay, page, tr)
			if done || err != nil {
				return err
			}
		}
		if r.shortcuts.QRRegion && lay.qr && !lay.qrOnLeft && landscape(page) && (lay.kind == KindAuto || lay.kind == KindCCCDFront) {
			// A 2021 card's front: its QR code is on the right.
			lower := image.Rect(0, page.Rect.Dy()/2, page.Rect.Dx(), page.Rect.Dy())
			words, err := r.readText(c, page, lower)
			if err != nil {
				return err
			}
			rd.lines, rd.layoutKind = groupLines(words, tr), KindCCCDFront
			if refused(vietnamese.Fold(joinLines(rd.lines))) == nil {
				return nil
			}
		}
		return rd.fromPage(c, r, lay.kind, page, tr)
	})
	return rd, err
}

// readText recognises the part area of page as text, shrunk as the reader's
// pre-processing says, and returns the words in page's pixels.
func (r *Reader) readText(c *Client, page *image.Gray, area image.Rectangle) ([]Word, error) {
	area = area.Intersect(page.Rect)
	if r.shortcuts.InkBox {
		area = inkBox(page, area)
	}
	f := r.preprocess.Shrink
	img := shrink(cropGray(page, area), f)
	words, err := c.Recognize(img, RecognizeOptions{PageSegMode: gosseract.PSM_SINGLE_COLUMN})
	if err != nil {
		return nil, err
	}
	if img.Rect.Dx() != area.Dx() {
		sx, sy := float64(area.Dx())/float64(img.Rect.Dx()), float64(area.Dy())/float64(img.Rect.Dy())
		for i, w := range words {
			words[i].Box = image.Rect(int(float64(w.Box.Min.X)*sx), int(float64(w.Box.Min.Y)*sy),
				int(math.Ceil(float64(w.Box.Max.X)*sx)), int(math.Ceil(float64(w.Box.Max.Y)*sy)))
		}
	}
	return shift(words, area.Min), nil
}

// fromMRZ reads the MRZ on its own; when its check digits match it reads
// the text above it where the zone does not give every field, and reports
// that the page needs nothing more.
func (rd *recognition) fromMRZ(c *Client, r *Reader, lay layout, page *image.Gray, tr Transform) (bool, error) {
	z, err := probeMRZ(c, page)
	if err != nil || !z.ok() {
		return false, err
	}
	rd.mrz, rd.td3, rd.mrzAt = z.td1, z.td3, tr.ToOriginal(z.box)
	if z.td1 != nil && !lay.qrOnLeft && (lay.kind == KindAuto || lay.kind == KindCCCDBackMRZ) {
		rd.lines = groupLines(z.words, tr)
		return true, nil
	}
	words, err := r.readText(c, page, image.Rect(0, 0, page.Rect.Dx(), z.box.Min.Y))
	if err != nil {
		return false, err
	}
	rd.lines = append(groupLines(words, tr), groupLines(z.words, tr)...)
	return true, nil
}

// fromPage reads the whole page, and the MRZ where the page has one.
func (rd *recognition) fromPage(c *Client, r *Reader, kind Kind, page *image.Gray, tr Transform) error {
	words, err := r.readText(c, page, page.Rect)
	if err != nil {
		return err
	}
	rd.lines, rd.layoutKind = groupLines(words, tr), KindAuto
	folded := vietnamese.Fold(joinLines(rd.lines))
	if kind == KindPassport || (kind == KindAuto && detectDocument(folded) == KindPassport) {
		z, err := probeMRZ(c, page)
		if err == nil && z.td3 != nil {
			rd.td3, rd.mrzAt = z.td3, tr.ToOriginal(z.box)
		}
		return err
	}
	if kind != KindAuto && kind != KindCCCDBackMRZ && kind != KindCanCuocBack {
		return nil
	}
	var at [4]int
	rd.mrz, at, err = readMRZ(c, page, words, rd.lines, kind == KindCCCDBackMRZ || kind == KindCanCuocBack)
	if rd.mrz != nil {
		rd.mrzAt = tr.ToOriginal(rectOf(at))
	}
	return err
}

// shift moves words read on a crop to the page's pixels.
func shift(words []Word, by image.Point) []Word {
	for i := range words {
		words[i].Box = words[i].Box.Add(by)
	}
	return words
}

func landscape(page *image.Gray) bool { return 4*page.Rect.Dx() > 5*page.Rect.Dy() }

// mrzFirst reports whether the MRZ is worth reading before the page.
func mrzFirst(kind Kind, page *image.Gray, qrOnLeft bool) bool {
	switch kind {
	case KindCCCDBackMRZ, KindCanCuocBack, KindPassport:
		return true
	case KindAuto:
		// A card or a passport's page, with rows of print across its
		// whole width low down, as only an MRZ has.
		return landscape(page) && mrzBand(page)
	}
	return false
}

// mrzBand reports whether the lower part of page has at least two bands of
// rows with print in every quarter of the width between the margins, as the
// lines of an MRZ have (OCR-B characters evenly spaced across the card) and
// printed fields, which stop short of the photo or the edge, do not. It costs
// a millisecond and saves a whitelisted read of a page without a zone.
func mrzBand(page *image.Gray) bool {
	w, h := page.Rect.Dx(), page.Rect.Dy()
	left, right := w/20, w-w/20
	bands, run := 0, 0
	for y := h * 55 / 100; y < h; y++ {
		row := page.Pix[y*page.Stride+left : y*page.Stride+right]
		lo, hi := row[0], row[0]
		for _, v := range row {
			lo, hi = min(lo, v), max(hi, v)
		}
		full := false
		if hi-lo > 40 {
			mid := lo/2 + hi/2
			var quarters [4]int
			for x := 1; x < len(row); x++ {
				if row[x-1] > mid && row[x] <= mid { // paper to ink
					quarters[x*4/len(row)]++
				}
			}
			full = quarters[0] >= 3 && quarters[1] >= 3 && quarters[2] >= 3 && quarters[3] >= 3
		}
		switch {
		case full:
			run++
		case run >= h/100:
			bands++
			run = 0
		default:
			run = 0
		}
	}
	if run >= h/100 {
		bands++
	}
	return bands >= 2
}

// zoneRead is what the MRZ probe found.
type zoneRead struct {
	td1   *MRZ
	td3   *PassportMRZ
	box   image.Rectangle // on the page
	words []Word          // on the page
}

// ok reports whether a zone was found whose check digits all match.
func (z zoneRead) ok() bool {
	return (z.td1 != nil && len(z.td1.Failed) == 0) || (z.td3 != nil && len(z.td3.Failed) == 0) ||
		(z.td1 != nil && len(z.td1.Corrected) > 0)
}

// probeMRZ reads the lower part of the page, where TD1 and TD3 put the
// zone, with the Latin model limited to the MRZ alphabet.
func probeMRZ(c *Client, page *image.Gray) (zoneRead, error) {
	w, h := page.Rect.Dx(), page.Rect.Dy()
	area := image.Rect(0, h*55/100, w, h)
	mw, err := c.Recognize(cropGray(page, area), RecognizeOptions{PageSegMode: gosseract.PSM_SINGLE_BLOCK, Whitelist: mrzAlphabet, Latin: true})
	if err != nil {
		return zoneRead{}, err
	}
	var z zoneRead
	shift(mw, area.Min)
	read := groupLines(mw, Transform{Scale: 1})
	var long []int
	for i, l := range read {
		if len(cleanMRZLine(l.Text)) >= 20 {
			long = append(long, i)
		}
	}
	if n := len(long); n >= 2 && len(cleanMRZLine(read[long[n-1]].Text)) >= 40 {
		if m, err := ParsePassportMRZ([]string{read[long[n-2]].Text, read[long[n-1]].Text}); err == nil {
			z.td3 = m
			z.box = rectOf(read[long[n-2]].Box).Union(rectOf(read[long[n-1]].Box))
		}
	}
	for i := len(read) - 3; z.td3 == nil && i >= 0; i-- {
		if len(cleanMRZLine(read[i].Text)) < 20 || len(cleanMRZLine(read[i+1].Text)) < 20 {
			continue
		}
		if m, err := ParseMRZ([]string{read[i].Text, read[i+1].Text, read[i+2].Text}); err == nil {
			z.td1 = m
			z.box = rectOf(read[i].Box).Union(rectOf(read[i+2].Box))
			break
		}
	}
	if z.td1 == nil && z.td3 == nil {
		return z, nil
	}
	for _, wd := range mw {
		if wd.Box.Overlaps(z.box) {
			z.words = append(z.words, wd)
		}
	}
	z.box = z.box.Inset(-h / 100).Intersect(page.Rect)
	return z, nil
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

// card2016 reports whether a card's front is of the 12-digit card issued
// from 2016 to 2021, which has no QR code: its labels are in Vietnamese
// only, where the chip card of 2021 adds English ones.
func card2016(lines []Line) bool {
	f := vietnamese.Fold(joinLines(lines))
	return !strings.Contains(f, "citizen identity") && !strings.Contains(f, "full name") && !strings.Contains(f, "date of birth")
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
