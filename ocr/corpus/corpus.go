// Package corpus renders a synthetic test corpus for the OCR reader:
// chip-ID-card-like fronts with a real QR payload, backs with an MRZ in
// OCR-B, and filled residence forms, each with its ground truth, plus
// degraded copies (noise, blur, JPEG quality 40, rotation, uneven light).
// Every person is invented, drawn from a seeded generator, so a corpus is
// the same on every run and nothing large is committed.
package corpus

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Kinds of page, named as the reader names documents.
const (
	Front = "cccd_front"
	Back  = "cccd_back_mrz"
	Form  = "form"
)

// Degradations applied to copies of the clean pages.
const (
	Clean    = "clean"
	Noise    = "noise"
	Blur     = "blur"
	JPEG40   = "jpeg40"
	Rotation = "rotation"
	Lighting = "lighting"
)

// The degradations of a phone photo or a hurried scan.
const (
	Perspective = "perspective" // photographed at an angle: the page a trapezium
	Glare       = "glare"       // a lamp's reflection washing out part of the page
	LowLight    = "lowlight"    // a dim room: a third to a half of the light, with sensor noise
	Skew        = "skew"        // laid 2–5° askew
	JPEGLow     = "jpeg30-50"   // JPEG quality 30 to 50
)

// Degradations lists the first set, clean first.
var Degradations = []string{Clean, Noise, Blur, JPEG40, Rotation, Lighting}

// PhoneDegradations are the degradations of phone photos and hurried scans
// that the per-kind accuracy targets are set on.
var PhoneDegradations = []string{Perspective, Glare, Blur, LowLight, Skew, JPEGLow}

// Page is one rendered document with what a perfect reader would return.
type Page struct {
	Name        string
	Kind        string
	Degradation string
	// Image is the encoded file: PNG, or JPEG for the JPEG degradation.
	Image []byte
	// Fields are the values the reader should extract (dates YYYY-MM-DD).
	Fields map[string]string
	// Text is the printed text, one line per line.
	Text string
	// MRZ holds the three lines of a back, for tests that corrupt it.
	MRZ []string
}

// Person is an invented resident.
type Person struct {
	IDNumber, OldIDNumber           string
	FullName                        string
	DateOfBirth                     time.Time
	Sex                             string // Nam or Nữ
	PlaceOfOrigin, PlaceOfResidence string
	IssueDate, ExpiryDate           time.Time
	Phone                           string
}

var (
	surnames     = []string{"NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ", "NGÔ", "DƯƠNG", "LÝ"}
	middleMale   = []string{"VĂN", "HỮU", "ĐỨC", "MINH", "QUỐC", "THANH", "CÔNG", "XUÂN"}
	middleFemale = []string{"THỊ", "NGỌC", "THU", "MINH", "KIM", "THANH", "BẢO", "MỸ"}
	givenMale    = []string{"AN", "BÌNH", "CƯỜNG", "DŨNG", "HÙNG", "KHOA", "LONG", "NAM", "PHÚC", "QUANG", "SƠN", "TÀI", "THẮNG", "TUẤN", "VIỆT"}
	givenFemale  = []string{"ANH", "CHI", "DUNG", "HẠNH", "HƯƠNG", "LAN", "LINH", "MAI", "NGA", "OANH", "PHƯƠNG", "THẢO", "TRANG", "UYÊN", "YẾN"}
	streets      = []string{"Nguyễn Trãi", "Lê Lợi", "Hai Bà Trưng", "Võ Văn Tần", "Cách Mạng Tháng Tám", "Điện Biên Phủ", "Nguyễn Đình Chiểu", "Trần Hưng Đạo", "Lý Thường Kiệt", "Phan Đăng Lưu"}
	wards        = []string{"Phường Bến Thành", "Phường Sài Gòn", "Phường Tân Định", "Phường Chợ Lớn", "Phường Gia Định", "Phường Bình Thạnh", "Phường Xóm Chiếu", "Phường Phú Nhuận"}
	origins      = []string{"Xã Tân Phú, Huyện Cai Lậy, Tỉnh Tiền Giang", "Xã Hòa Phước, Huyện Hòa Vang, TP. Đà Nẵng", "Xã Nghĩa Hưng, Huyện Lạng Giang, Tỉnh Bắc Giang", "Phường Hương Sơ, TP. Huế, Tỉnh Thừa Thiên Huế", "Xã An Bình, Huyện Long Hồ, Tỉnh Vĩnh Long", "Xã Quỳnh Lưu, Huyện Nho Quan, Tỉnh Ninh Bình"}
)

// NewPerson invents a resident of Ho Chi Minh City.
func NewPerson(rng *rand.Rand) Person {
	female := rng.IntN(2) == 1
	p := Person{Sex: "Nam"}
	middle, given := middleMale, givenMale
	if female {
		p.Sex = "Nữ"
		middle, given = middleFemale, givenFemale
	}
	p.FullName = pick(rng, surnames) + " " + pick(rng, middle) + " " + pick(rng, given)
	year := 1935 + rng.IntN(70)
	p.DateOfBirth = time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	// 079 = Ho Chi Minh City; then the sex and century code, the year's
	// last two digits and six random digits (Thông tư 59/2021/TT-BCA).
	code := 2 * ((year - 1900) / 100)
	if female {
		code++
	}
	p.IDNumber = fmt.Sprintf("079%d%02d%06d", code, year%100, rng.IntN(1_000_000))
	if year < 2000 && rng.IntN(2) == 0 {
		p.OldIDNumber = fmt.Sprintf("02%07d", rng.IntN(10_000_000))
	}
	p.PlaceOfOrigin = pick(rng, origins)
	p.PlaceOfResidence = fmt.Sprintf("%d %s, %s, TP. Hồ Chí Minh", 1+rng.IntN(300), pick(rng, streets), pick(rng, wards))
	p.IssueDate = time.Date(2021+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	// A card runs to its holder's next 25th, 40th or 60th birthday, or
	// two years past it when issued within two years of it; a card issued
	// after that has no expiry ("Không thời hạn": ExpiryDate is zero).
	for _, age := range []int{25, 40, 60} {
		if b := p.DateOfBirth.AddDate(age, 0, 0); b.After(p.IssueDate.AddDate(2, 0, 0)) {
			p.ExpiryDate = b
			break
		}
	}
	p.Phone = fmt.Sprintf("09%08d", rng.IntN(100_000_000))
	return p
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

// Lifetime reports whether the person's card has no expiry.
func (p Person) Lifetime() bool { return p.ExpiryDate.IsZero() }

// Expiry is the expiry as the reader gives it: YYYY-MM-DD, or "none".
func (p Person) Expiry() string {
	if p.Lifetime() {
		return "none"
	}
	return p.ExpiryDate.Format(time.DateOnly)
}

// PrintedExpiry is the expiry as a card prints it.
func (p Person) PrintedExpiry() string {
	if p.Lifetime() {
		return "Không thời hạn"
	}
	return p.ExpiryDate.Format("02/01/2006")
}

// identity is what a card's front gives of its holder.
func (p Person) identity() map[string]string {
	return map[string]string{
		"id_number":     p.IDNumber,
		"full_name":     p.FullName,
		"date_of_birth": p.DateOfBirth.Format(time.DateOnly),
		"sex":           p.Sex,
		"nationality":   "Việt Nam",
	}
}

// QRPayload is the card's QR text: id|old id|name|ddMMyyyy|sex|residence|issued.
func (p Person) QRPayload() string {
	return strings.Join([]string{p.IDNumber, p.OldIDNumber, p.FullName, p.DateOfBirth.Format("02012006"),
		p.Sex, p.PlaceOfResidence, p.IssueDate.Format("02012006")}, "|")
}

// MRZ returns the three TD1 lines of the person's card.
func (p Person) MRZ() []string {
	doc := p.IDNumber[3:]
	l1 := "IDVNM" + doc + check(doc) + p.IDNumber + "<<" + check(p.IDNumber)
	sex := "M"
	if p.Sex == "Nữ" {
		sex = "F"
	}
	dob := p.DateOfBirth.Format("060102")
	exp := "<<<<<<"
	if !p.Lifetime() {
		exp = p.ExpiryDate.Format("060102")
	}
	l2 := dob + check(dob) + sex + exp + check(exp) + "VNM" + strings.Repeat("<", 11)
	l2 += check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	parts := strings.Fields(vietnamese.StripMarks(p.FullName))
	l3 := parts[0] + "<<" + strings.Join(parts[1:], "<")
	l3 += strings.Repeat("<", 30-len(l3))
	return []string{l1, l2, l3}
}

func check(s string) string {
	if strings.Trim(s, "<") == "" {
		return "<" // a field of fillers has a filler for its check digit
	}
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sum += int(c-'0') * w[i%3]
		case c >= 'A' && c <= 'Z':
			sum += int(c-'A'+10) * w[i%3]
		}
	}
	return string(rune('0' + sum%10))
}

// Fonts are the faces pages are drawn with.
type Fonts struct {
	regular, bold, mono *opentype.Font
	faces               map[string]font.Face
}

// Font files from Debian's fonts-dejavu-core and fonts-ocr-b.
const (
	dejaVu     = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	dejaVuBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	ocrB       = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf" // the plain OCRB.otf has CFF operators x/image cannot draw
)

// LoadFonts reads the fonts (scripts/setup installs them).
func LoadFonts() (*Fonts, error) {
	load := func(path string) (*opentype.Font, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%w (install fonts-dejavu-core and fonts-ocr-b)", err)
		}
		return opentype.Parse(b)
	}
	f := &Fonts{faces: map[string]font.Face{}}
	var err error
	if f.regular, err = load(dejaVu); err != nil {
		return nil, err
	}
	if f.bold, err = load(dejaVuBold); err != nil {
		return nil, err
	}
	if f.mono, err = load(ocrB); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *Fonts) face(style string, size float64) font.Face {
	key := fmt.Sprintf("%s/%v", style, size)
	if fc, ok := f.faces[key]; ok {
		return fc
	}
	src := f.regular
	switch style {
	case "bold":
		src = f.bold
	case "ocrb":
		src = f.mono
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err) // the sizes are constants of this file
	}
	f.faces[key] = fc
	return fc
}

// canvas is a page being drawn, with the text it holds.
type canvas struct {
	img   *image.Gray
	fonts *Fonts
	lines []string
}

func newCanvas(f *Fonts, w, h int, paper uint8) *canvas {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{paper}), image.Point{}, draw.Src)
	return &canvas{img: img, fonts: f}
}

// text draws s with its baseline at (x, y) and records it as a line.
func (c *canvas) text(x, y int, style string, size float64, s string) int {
	c.lines = append(c.lines, vietnamese.NFC(s))
	return c.put(x, y, style, size, s)
}

// put draws s with its baseline at (x, y) and returns where it ends.
func (c *canvas) put(x, y int, style string, size float64, s string) int {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(color.Gray{20}), Face: c.fonts.face(style, size),
		Dot: fixed.P(x, y)}
	d.DrawString(vietnamese.NFC(s))
	return d.Dot.X.Round()
}

// number draws a card's ID number, large and bold, after its label.
func (c *canvas) number(x, y int, label, id string) {
	end := c.put(x, y, "regular", 21, label)
	c.put(end+12, y, "bold", 28, id)
	c.lines = append(c.lines, label+" "+id)
}

func (c *canvas) rect(r image.Rectangle, v uint8) {
	draw.Draw(c.img, r, image.NewUniform(color.Gray{v}), image.Point{}, draw.Src)
}

// qr draws a QR code of payload in the square r.
func (c *canvas) qr(r image.Rectangle, payload string) error {
	code, err := encoder.Encoder_encode(payload, decoder.ErrorCorrectionLevel_M,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_CHARACTER_SET: "UTF-8"})
	if err != nil {
		return err
	}
	m := code.GetMatrix()
	n := m.GetWidth()
	quiet := 2
	c.rect(r, 255)
	module := float64(r.Dx()) / float64(n+2*quiet)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if m.Get(x, y) == 1 {
				x0 := r.Min.X + int(math.Round(float64(x+quiet)*module))
				y0 := r.Min.Y + int(math.Round(float64(y+quiet)*module))
				x1 := r.Min.X + int(math.Round(float64(x+quiet+1)*module))
				y1 := r.Min.Y + int(math.Round(float64(y+quiet+1)*module))
				c.rect(image.Rect(x0, y0, x1, y1), 10)
			}
		}
	}
	return nil
}

// Card size: 85.6 × 54 mm at 300 dpi.
const cardW, cardH = 1012, 638

// FrontPage renders the card's front.
func (f *Fonts) FrontPage(p Person) (*image.Gray, map[string]string, string, error) {
	c := newCanvas(f, cardW, cardH, 235)
	c.text(250, 44, "bold", 21, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(330, 74, "bold", 19, "Độc lập - Tự do - Hạnh phúc")
	c.text(290, 124, "bold", 32, "CĂN CƯỚC CÔNG DÂN")
	c.text(340, 154, "regular", 19, "Citizen Identity Card")
	if err := c.qr(image.Rect(790, 16, 1000, 226), p.QRPayload()); err != nil {
		return nil, nil, "", err
	}
	// The photo: a grey oval on a lighter ground.
	c.rect(image.Rect(30, 190, 250, 470), 200)
	for y := 220; y < 440; y++ {
		for x := 60; x < 220; x++ {
			dx, dy := float64(x-140)/70, float64(y-300)/85
			if dx*dx+dy*dy < 1 {
				c.img.SetGray(x, y, color.Gray{150})
			}
		}
	}
	c.number(280, 205, "Số / No.:", p.IDNumber)
	c.text(280, 245, "regular", 20, "Họ và tên / Full name:")
	c.text(280, 283, "bold", 27, p.FullName)
	c.text(280, 323, "regular", 20, "Ngày sinh / Date of birth: "+p.DateOfBirth.Format("02/01/2006"))
	c.text(280, 360, "regular", 20, "Giới tính / Sex: "+p.Sex+"    Quốc tịch / Nationality: Việt Nam")
	c.text(280, 397, "regular", 20, "Quê quán / Place of origin:")
	c.text(280, 432, "regular", 22, p.PlaceOfOrigin)
	c.text(280, 470, "regular", 20, "Nơi thường trú / Place of residence:")
	res1, res2 := splitAddress(p.PlaceOfResidence)
	c.text(280, 505, "regular", 22, res1)
	c.text(280, 540, "regular", 22, res2)
	c.text(30, 600, "regular", 18, "Có giá trị đến / Date of expiry: "+p.PrintedExpiry())
	fields := p.identity()
	fields["place_of_origin"] = p.PlaceOfOrigin
	fields["place_of_residence"] = p.PlaceOfResidence
	fields["expiry_date"] = p.Expiry()
	return c.img, fields, strings.Join(c.lines, "\n"), nil
}

// splitAddress breaks an address after its second comma, as cards do.
func splitAddress(a string) (string, string) {
	parts := strings.SplitAfter(a, ",")
	if len(parts) < 3 {
		return a, ""
	}
	return strings.TrimSpace(strings.Join(parts[:2], "")), strings.TrimSpace(strings.Join(parts[2:], ""))
}

// BackPage renders the card's back with the given MRZ lines.
func (f *Fonts) BackPage(p Person, mrz []string) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, cardW, cardH, 235)
	c.text(40, 50, "regular", 19, "Đặc điểm nhân dạng / Personal identification:")
	c.text(40, 82, "regular", 19, "Nốt ruồi C:1cm dưới trước đuôi mắt trái")
	c.text(40, 130, "regular", 19, "Ngày, tháng, năm / Date, month, year: "+p.IssueDate.Format("02/01/2006"))
	c.text(40, 165, "bold", 18, "CỤC TRƯỞNG CỤC CẢNH SÁT")
	c.text(40, 190, "bold", 18, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI")
	// Two fingerprint boxes and the chip.
	c.rect(image.Rect(600, 30, 780, 250), 210)
	c.rect(image.Rect(800, 30, 980, 250), 210)
	c.rect(image.Rect(420, 230, 540, 320), 190)
	for i, l := range mrz {
		c.text(40, 450+i*58, "ocrb", 42, l)
	}
	fields := map[string]string{
		"id_number":       p.IDNumber,
		"document_number": p.IDNumber[3:],
		"date_of_birth":   p.DateOfBirth.Format(time.DateOnly),
		"expiry_date":     p.Expiry(),
		"sex":             p.Sex,
		"nationality":     "VNM",
		"full_name":       vietnamese.StripMarks(p.FullName),
	}
	return c.img, fields, strings.Join(c.lines, "\n")
}

// FormLabels are the labels of the synthetic residence form (CT01-like),
// by field name, for tests that build the matching schema.
var FormLabels = []struct{ Name, Label string }{
	{"full_name", "Họ, chữ đệm và tên"},
	{"date_of_birth", "Ngày, tháng, năm sinh"},
	{"sex", "Giới tính"},
	{"id_number", "Số định danh cá nhân"},
	{"phone", "Số điện thoại liên hệ"},
	{"place_of_residence", "Nơi thường trú"},
	{"current_address", "Nơi ở hiện tại"},
	{"request", "Nội dung đề nghị"},
}

// FormFields are the form's fields as a procedure's schema gives them, for
// the reader to match the "label: value" lines to.
func FormFields() []procedures.Field {
	types := map[string]procedures.FieldType{
		"date_of_birth": procedures.FieldDate, "sex": procedures.FieldSelect, "id_number": procedures.FieldIDNumber,
		"phone": procedures.FieldPhone, "place_of_residence": procedures.FieldAddress, "current_address": procedures.FieldAddress,
	}
	var out []procedures.Field
	for _, l := range FormLabels {
		f := procedures.Field{Name: l.Name, Label: l.Label, Type: procedures.FieldText}
		if t, ok := types[l.Name]; ok {
			f.Type = t
		}
		if l.Name == "sex" {
			f.Options = []procedures.Option{{Value: "Nam", Label: "Nam"}, {Value: "Nữ", Label: "Nữ"}}
		}
		f.Required = l.Name == "full_name" || l.Name == "date_of_birth" || l.Name == "id_number"
		out = append(out, f)
	}
	return out
}

// FormPage renders a filled residence declaration, A4 at 150 dpi.
func (f *Fonts) FormPage(p Person, rng *rand.Rand) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, 1240, 1754, 250)
	c.text(300, 110, "bold", 24, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(440, 150, "bold", 22, "Độc lập - Tự do - Hạnh phúc")
	c.text(330, 240, "bold", 28, "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ")
	ward := pick(rng, wards)
	c.text(330, 300, "regular", 24, "Kính gửi: Công an "+ward)
	current := fmt.Sprintf("%d/%d %s, %s, TP. Hồ Chí Minh", 1+rng.IntN(200), 1+rng.IntN(30), pick(rng, streets), ward)
	requests := []string{"Đăng ký tạm trú", "Đăng ký thường trú", "Gia hạn tạm trú", "Điều chỉnh thông tin cư trú"}
	values := map[string]string{
		"full_name":          p.FullName,
		"date_of_birth":      p.DateOfBirth.Format("02/01/2006"),
		"sex":                p.Sex,
		"id_number":          p.IDNumber,
		"phone":              p.Phone,
		"place_of_residence": p.PlaceOfResidence,
		"current_address":    current,
		"request":            pick(rng, requests),
	}
	y := 390
	for i, fl := range FormLabels {
		c.text(110, y, "regular", 24, fmt.Sprintf("%d. %s: %s", i+1, fl.Label, values[fl.Name]))
		y += 62
	}
	c.text(110, y+20, "regular", 24, "Tôi xin cam đoan những nội dung khai trên đây là đúng sự thật")
	c.text(110, y+62, "regular", 24, "và chịu trách nhiệm trước pháp luật về lời khai của mình.")
	c.text(760, y+160, "regular", 22, fmt.Sprintf("TP. Hồ Chí Minh, ngày %d tháng %d năm 2026", 1+rng.IntN(28), 1+rng.IntN(12)))
	c.text(820, y+200, "bold", 22, "NGƯỜI KÊ KHAI")
	c.text(800, y+320, "bold", 24, p.FullName)
	fields := map[string]string{}
	for k, v := range values {
		fields[k] = v
	}
	fields["date_of_birth"] = p.DateOfBirth.Format(time.DateOnly)
	return c.img, fields, strings.Join(c.lines, "\n")
}

// Generator makes pages from a seed.
type Generator struct {
	fonts *Fonts
	rng   *rand.Rand
}

// NewGenerator returns a generator; the same seed gives the same pages.
func NewGenerator(seed uint64) (*Generator, error) {
	f, err := LoadFonts()
	if err != nil {
		return nil, err
	}
	return &Generator{fonts: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, nil
}

// Person invents the next resident.
func (g *Generator) Person() Person { return NewPerson(g.rng) }

// Sample renders one page of the given kind, degraded as asked, for the
// first resident a generator seeded with seed invents: the one page a test
// scans. The same seed gives the same page.
func Sample(seed uint64, kind, degradation string) (Page, error) {
	g, err := NewGenerator(seed)
	if err != nil {
		return Page{}, err
	}
	return g.Page(kind, g.Person(), degradation)
}

// Page renders a page of the given kind for p, degraded as asked.
func (g *Generator) Page(kind string, p Person, degradation string) (Page, error) {
	pg := Page{Kind: kind, Degradation: degradation, Name: fmt.Sprintf("%s-%s-%s", kind, degradation, p.IDNumber[6:])}
	var img *image.Gray
	switch kind {
	case Front:
		var err error
		img, pg.Fields, pg.Text, err = g.fonts.FrontPage(p)
		if err != nil {
			return pg, err
		}
	case Back:
		return g.Back(p, p.MRZ(), degradation)
	case Form:
		img, pg.Fields, pg.Text = g.fonts.FormPage(p, g.rng)
	case Front2016:
		img, pg.Fields, pg.Text = g.fonts.Front2016Page(p)
	case CanCuocFront:
		img, pg.Fields, pg.Text = g.fonts.CanCuocFrontPage(p)
	case CanCuocBack:
		var err error
		img, pg.Fields, pg.Text, err = g.fonts.CanCuocBackPage(p)
		if err != nil {
			return pg, err
		}
		pg.MRZ = p.MRZ()
	case Passport:
		img, pg.Fields, pg.Text = g.fonts.PassportPage(p)
		pg.MRZ = p.PassportMRZ()
	case CMND:
		img, pg.Fields, pg.Text = g.fonts.CMNDPage(p)
	case Booklet:
		img, pg.Fields, pg.Text = g.fonts.BookletPage(p, g.rng)
	case BirthCert:
		img, pg.Fields, pg.Text = g.fonts.BirthCertificatePage(p, g.rng)
	case Bill:
		img, pg.Fields, pg.Text = g.fonts.BillPage(p, g.rng)
	default:
		return pg, fmt.Errorf("corpus: unknown kind %q", kind)
	}
	var err error
	pg.Image, err = Degrade(img, degradation, g.rng)
	return pg, err
}

// Back renders the back of p's card with the given MRZ lines, which tests
// corrupt to see a failed check digit reported.
func (g *Generator) Back(p Person, mrz []string, degradation string) (Page, error) {
	pg := Page{Kind: Back, Degradation: degradation, Name: fmt.Sprintf("%s-%s-%s", Back, degradation, p.IDNumber[6:]), MRZ: mrz}
	var img *image.Gray
	img, pg.Fields, pg.Text = g.fonts.BackPage(p, mrz)
	var err error
	pg.Image, err = Degrade(img, degradation, g.rng)
	return pg, err
}

// Degrade returns img encoded after the named degradation.
func Degrade(img *image.Gray, degradation string, rng *rand.Rand) ([]byte, error) {
	out := image.NewGray(img.Rect)
	copy(out.Pix, img.Pix)
	switch degradation {
	case Clean, JPEG40:
	case Noise:
		for i := range out.Pix {
			out.Pix[i] = clamp(float64(out.Pix[i]) + rng.NormFloat64()*18)
		}
	case Blur:
		out = gaussianBlur(out, 1.1)
	case Rotation:
		deg := 1 + rng.Float64()*3
		if rng.IntN(2) == 0 {
			deg = -deg
		}
		out = rotateOnto(out, deg*math.Pi/180, 235)
	case Perspective, Glare, LowLight, Skew, JPEGLow:
		out = phoneDegrade(out, degradation, rng)
	case Lighting:
		// A lamp off to one side: brightness falls from 100% to about 55%.
		w, h := float64(out.Rect.Dx()), float64(out.Rect.Dy())
		ax, ay := rng.Float64()*2-1, rng.Float64()*2-1
		for y := 0; y < out.Rect.Dy(); y++ {
			for x := 0; x < out.Rect.Dx(); x++ {
				t := (ax*(float64(x)/w-0.5) + ay*(float64(y)/h-0.5) + 1) / 2
				i := y*out.Stride + x
				out.Pix[i] = clamp(float64(out.Pix[i]) * (0.55 + 0.45*t))
			}
		}
	default:
		return nil, fmt.Errorf("corpus: unknown degradation %q", degradation)
	}
	var buf bytes.Buffer
	var err error
	switch degradation {
	case JPEG40:
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 40})
	case JPEGLow:
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 30 + rng.IntN(21)})
	default:
		err = png.Encode(&buf, out)
	}
	return buf.Bytes(), err
}

func clamp(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

func gaussianBlur(g *image.Gray, sigma float64) *image.Gray {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	sum := 0.0
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for i, kv := range k {
				xx := min(max(x+i-r, 0), w-1)
				s += kv * float64(g.Pix[y*g.Stride+xx])
			}
			tmp[y*w+x] = s
		}
	}
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for i, kv := range k {
				yy := min(max(y+i-r, 0), h-1)
				s += kv * tmp[yy*w+x]
			}
			out.Pix[y*out.Stride+x] = clamp(s)
		}
	}
	return out
}

// rotateOnto turns g by angle about its centre on a canvas grown to hold
// all of it, filled with the given grey (the scanner's lid).
func rotateOnto(g *image.Gray, angle float64, fill uint8) *image.Gray {
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	sin, cos := math.Sincos(angle)
	nw := int(math.Ceil(w*math.Abs(cos) + h*math.Abs(sin)))
	nh := int(math.Ceil(w*math.Abs(sin) + h*math.Abs(cos)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	cx, cy := w/2, h/2
	ncx, ncy := float64(nw)/2, float64(nh)/2
	for y := 0; y < nh; y++ {
		for x := 0; x < nw; x++ {
			dx, dy := float64(x)+0.5-ncx, float64(y)+0.5-ncy
			sx := cx + dx*cos + dy*sin - 0.5
			sy := cy - dx*sin + dy*cos - 0.5
			if sx < 0 || sy < 0 || sx > w-1 || sy > h-1 {
				out.Pix[y*out.Stride+x] = fill
				continue
			}
			x0, y0 := int(sx), int(sy)
			x1, y1 := min(x0+1, int(w)-1), min(y0+1, int(h)-1)
			ax, ay := sx-float64(x0), sy-float64(y0)
			p := func(x, y int) float64 { return float64(g.Pix[y*g.Stride+x]) }
			v := (p(x0, y0)*(1-ax)+p(x1, y0)*ax)*(1-ay) + (p(x0, y1)*(1-ax)+p(x1, y1)*ax)*ay
			out.Pix[y*out.Stride+x] = clamp(v)
		}
	}
	return out
}
