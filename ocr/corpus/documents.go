package corpus

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// More kinds of page: the "Căn cước" card issued since 1 July 2024, a
// passport's data page, papers that are no longer accepted (the 9-digit
// CMND and the household booklet), a birth certificate and a utility bill.
const (
	CanCuocFront = "cancuoc_front"
	CanCuocBack  = "cancuoc_back"
	Passport     = "passport"
	CMND         = "cmnd"
	Booklet      = "household_booklet"
	BirthCert    = "birth_certificate"
	Bill         = "bill"
	// Front2016 is the front of the 12-digit card issued from 2016 until
	// the chip card of 2021: the same title, Vietnamese labels only, no QR
	// code, so everything is read from the print.
	Front2016 = "cccd2016_front"
)

// Kinds lists every kind of page the generator renders.
var Kinds = []string{Front, Front2016, Back, CanCuocFront, CanCuocBack, Passport, CMND, Booklet, BirthCert, Bill, Form}

// Front2016Page renders the front of a card of 2016: "CĂN CƯỚC CÔNG DÂN"
// with Vietnamese labels only, the values after the colons, no QR code,
// and the expiry (a date, or "Không thời hạn" for a holder over 60) under
// the photo.
func (f *Fonts) Front2016Page(p Person) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, cardW, cardH, 230)
	c.text(250, 44, "bold", 21, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(330, 74, "bold", 19, "Độc lập - Tự do - Hạnh phúc")
	c.text(300, 126, "bold", 32, "CĂN CƯỚC CÔNG DÂN")
	c.rect(image.Rect(30, 160, 250, 440), 200) // the photo
	c.number(280, 180, "Số:", p.IDNumber)
	c.text(280, 225, "regular", 20, "Họ và tên:")
	c.text(280, 263, "bold", 27, p.FullName)
	c.text(280, 305, "regular", 20, "Ngày, tháng, năm sinh: "+p.DateOfBirth.Format("02/01/2006"))
	c.text(280, 345, "regular", 20, "Giới tính: "+p.Sex+"      Quốc tịch: Việt Nam")
	c.text(280, 385, "regular", 20, "Quê quán: "+p.PlaceOfOrigin)
	res1, res2 := splitAddress(p.PlaceOfResidence)
	// The address goes on under its first line, after the label.
	end := c.put(280, 425, "regular", 20, "Nơi thường trú:")
	c.put(end+8, 425, "regular", 20, res1)
	c.text(end+8, 462, "regular", 20, res2)
	c.lines[len(c.lines)-1] = "Nơi thường trú: " + res1
	c.lines = append(c.lines, res2)
	c.text(30, 600, "regular", 19, "Có giá trị đến: "+p.PrintedExpiry())
	fields := p.identity()
	fields["place_of_origin"] = p.PlaceOfOrigin
	fields["place_of_residence"] = p.PlaceOfResidence
	fields["expiry_date"] = p.Expiry()
	return c.img, fields, strings.Join(c.lines, "\n")
}

// CanCuocFrontPage renders the front of the card issued since 1 July 2024:
// titled "CĂN CƯỚC", the personal ID number printed large, no QR code
// (it moved to the back) and no address.
func (f *Fonts) CanCuocFrontPage(p Person) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, cardW, cardH, 232)
	c.text(250, 44, "bold", 21, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(220, 74, "regular", 17, "SOCIALIST REPUBLIC OF VIET NAM")
	c.text(370, 128, "bold", 36, "CĂN CƯỚC")
	c.text(385, 160, "regular", 19, "IDENTITY CARD")
	c.rect(image.Rect(30, 190, 250, 470), 200) // the photo
	c.text(280, 215, "regular", 19, "Số định danh cá nhân / Personal identification number:")
	c.text(280, 255, "bold", 30, p.IDNumber)
	c.text(280, 300, "regular", 19, "Họ, chữ đệm và tên khai sinh / Full name:")
	c.text(280, 338, "bold", 27, p.FullName)
	c.text(280, 385, "regular", 20, "Ngày, tháng, năm sinh / Date of birth: "+p.DateOfBirth.Format("02/01/2006"))
	c.text(280, 425, "regular", 20, "Giới tính / Sex: "+p.Sex+"    Quốc tịch / Nationality: Việt Nam")
	return c.img, p.identity(), strings.Join(c.lines, "\n")
}

// CanCuocBackPage renders the back of the 2024 card: place of residence
// and of birth registration, issue and expiry dates, the QR code and the
// TD1 MRZ.
func (f *Fonts) CanCuocBackPage(p Person) (*image.Gray, map[string]string, string, error) {
	c := newCanvas(f, cardW, cardH, 232)
	if err := c.qr(image.Rect(24, 20, 214, 210), p.QRPayload()); err != nil {
		return nil, nil, "", err
	}
	c.text(240, 50, "regular", 18, "Nơi cư trú / Place of residence:")
	res1, res2 := splitAddress(p.PlaceOfResidence)
	c.text(240, 80, "regular", 19, res1)
	c.text(240, 108, "regular", 19, res2)
	c.text(240, 142, "regular", 18, "Nơi đăng ký khai sinh / Place of birth:")
	c.text(240, 172, "regular", 19, p.PlaceOfOrigin)
	c.text(240, 210, "regular", 18, "Ngày, tháng, năm cấp / Date of issue: "+p.IssueDate.Format("02/01/2006"))
	c.text(240, 244, "regular", 18, "Ngày, tháng, năm hết hạn / Date of expiry: "+p.PrintedExpiry())
	c.text(240, 290, "bold", 18, "BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY")
	c.rect(image.Rect(820, 230, 940, 320), 190) // the chip
	for i, l := range p.MRZ() {
		c.text(40, 450+i*58, "ocrb", 42, l)
	}
	fields := map[string]string{
		"id_number":          p.IDNumber,
		"full_name":          p.FullName,
		"date_of_birth":      p.DateOfBirth.Format(time.DateOnly),
		"sex":                p.Sex,
		"place_of_residence": p.PlaceOfResidence,
		"place_of_birth":     p.PlaceOfOrigin,
		"issue_date":         p.IssueDate.Format(time.DateOnly),
		"expiry_date":        p.Expiry(),
		"document_number":    p.IDNumber[3:],
	}
	return c.img, fields, strings.Join(c.lines, "\n"), nil
}

// PassportNumber is the person's invented passport number: a letter and
// seven digits.
func (p Person) PassportNumber() string {
	return "C" + p.IDNumber[5:12] // deterministic, so pages and truth agree
}

// PassportExpiry is ten years after issue.
func (p Person) PassportExpiry() time.Time { return p.IssueDate.AddDate(10, 0, -1) }

// PassportMRZ returns the two TD3 lines of the person's passport, the
// personal ID number in the optional data.
func (p Person) PassportMRZ() []string {
	parts := strings.Fields(vietnamese.StripMarks(p.FullName))
	l1 := "P<VNM" + parts[0] + "<<" + strings.Join(parts[1:], "<")
	l1 += strings.Repeat("<", 44-len(l1))
	num := p.PassportNumber() + "<"
	sex := "M"
	if p.Sex == "Nữ" {
		sex = "F"
	}
	dob, exp := p.DateOfBirth.Format("060102"), p.PassportExpiry().Format("060102")
	opt := p.IDNumber + "<<"
	l2 := num + check(num) + "VNM" + dob + check(dob) + sex + exp + check(exp) + opt + check(opt)
	l2 += check(l2[0:10] + l2[13:20] + l2[21:43])
	return []string{l1, l2}
}

// PassportPage renders a passport's data page (125 × 88 mm at 300 dpi).
func (f *Fonts) PassportPage(p Person) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, 1476, 1039, 238)
	c.text(300, 60, "bold", 26, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(360, 96, "regular", 20, "SOCIALIST REPUBLIC OF VIET NAM")
	c.text(520, 150, "bold", 30, "HỘ CHIẾU / PASSPORT")
	c.rect(image.Rect(40, 190, 360, 600), 200) // the photo
	c.text(400, 215, "regular", 20, "Loại / Type: P    Mã số / Code: VNM    Số hộ chiếu / Passport No.: "+p.PassportNumber())
	c.text(400, 262, "regular", 20, "Họ và tên / Full name:")
	c.text(400, 300, "bold", 28, p.FullName)
	c.text(400, 348, "regular", 20, "Quốc tịch / Nationality: VIỆT NAM")
	c.text(400, 392, "regular", 20, "Ngày sinh / Date of birth: "+p.DateOfBirth.Format("02/01/2006"))
	c.text(400, 436, "regular", 20, "Nơi sinh / Place of birth: "+strings.ToUpper(provinceOf(p.PlaceOfOrigin)))
	c.text(400, 480, "regular", 20, "Giới tính / Sex: "+p.Sex)
	c.text(400, 524, "regular", 20, "Số định danh / Personal No.: "+p.IDNumber)
	c.text(400, 568, "regular", 20, "Ngày cấp / Date of issue: "+p.IssueDate.Format("02/01/2006"))
	c.text(400, 612, "regular", 20, "Có giá trị đến / Date of expiry: "+p.PassportExpiry().Format("02/01/2006"))
	for i, l := range p.PassportMRZ() {
		c.text(40, 880+i*70, "ocrb", 44, l)
	}
	fields := map[string]string{
		"id_number":       p.IDNumber,
		"passport_number": p.PassportNumber(),
		"full_name":       p.FullName,
		"date_of_birth":   p.DateOfBirth.Format(time.DateOnly),
		"sex":             p.Sex,
		"nationality":     "VNM",
		"expiry_date":     p.PassportExpiry().Format(time.DateOnly),
		"issue_date":      p.IssueDate.Format(time.DateOnly),
		"place_of_birth":  strings.ToUpper(provinceOf(p.PlaceOfOrigin)),
	}
	return c.img, fields, strings.Join(c.lines, "\n")
}

// provinceOf is the last part of an address: its province or city.
func provinceOf(addr string) string {
	parts := strings.Split(addr, ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

// CMNDPage renders the old 9-digit identity card (chứng minh nhân dân),
// no longer valid since 1 January 2025.
func (f *Fonts) CMNDPage(p Person) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, 1004, 650, 228)
	c.text(260, 50, "bold", 22, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(330, 82, "bold", 19, "Độc lập - Tự do - Hạnh phúc")
	c.text(330, 140, "bold", 30, "GIẤY CHỨNG MINH NHÂN DÂN")
	old := p.OldIDNumber
	if old == "" {
		old = "02" + p.IDNumber[5:12]
	}
	c.text(420, 190, "bold", 28, "SỐ "+old)
	c.rect(image.Rect(30, 120, 240, 400), 200)
	c.text(280, 250, "regular", 22, "Họ tên: "+p.FullName)
	c.text(280, 300, "regular", 22, "Sinh ngày: "+p.DateOfBirth.Format("02-01-2006"))
	c.text(280, 350, "regular", 22, "Nguyên quán: "+p.PlaceOfOrigin)
	c.text(280, 400, "regular", 22, "Nơi ĐKHK thường trú: "+p.PlaceOfResidence)
	return c.img, map[string]string{"old_id_number": old}, strings.Join(c.lines, "\n")
}

// BookletPage renders a page of the paper household booklet (sổ hộ
// khẩu), no longer accepted as proof of residence since 1 January 2023.
func (f *Fonts) BookletPage(p Person, rng *rand.Rand) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, 1240, 1754, 244)
	c.text(300, 120, "bold", 24, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(440, 160, "bold", 22, "Độc lập - Tự do - Hạnh phúc")
	c.text(480, 300, "bold", 40, "SỔ HỘ KHẨU")
	c.text(420, 380, "regular", 24, fmt.Sprintf("Số: %09d", rng.IntN(1_000_000_000)))
	c.text(110, 480, "regular", 24, "Họ và tên chủ hộ: "+p.FullName)
	c.text(110, 540, "regular", 24, "Chỗ ở hiện nay: "+p.PlaceOfResidence)
	c.text(110, 600, "regular", 24, "Sổ đăng ký thường trú số: "+fmt.Sprint(1+rng.IntN(500)))
	c.text(700, 760, "bold", 22, "TRƯỞNG CÔNG AN")
	return c.img, map[string]string{}, strings.Join(c.lines, "\n")
}

// BirthCertificatePage renders a birth certificate (giấy khai sinh) of a
// child of p's, the child born in 2016–2025.
func (f *Fonts) BirthCertificatePage(p Person, rng *rand.Rand) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, 1240, 1754, 248)
	child := NewPerson(rng)
	surname := strings.Fields(p.FullName)[0]
	childName := surname + " " + strings.Join(strings.Fields(child.FullName)[1:], " ")
	born := time.Date(2016+rng.IntN(10), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	code := 2 // 2000s, male
	if child.Sex == "Nữ" {
		code = 3
	}
	id := fmt.Sprintf("079%d%02d%06d", code, born.Year()%100, rng.IntN(1_000_000))
	reg := fmt.Sprintf("%d/%d", 1+rng.IntN(400), born.Year())
	c.text(300, 110, "bold", 24, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	c.text(440, 150, "bold", 22, "Độc lập - Tự do - Hạnh phúc")
	c.text(480, 250, "bold", 34, "GIẤY KHAI SINH")
	c.text(500, 300, "regular", 24, "Số: "+reg)
	lines := []string{
		"Họ, chữ đệm, tên: " + childName,
		"Ngày, tháng, năm sinh: " + born.Format("02/01/2006"),
		"Giới tính: " + child.Sex + "    Dân tộc: Kinh    Quốc tịch: Việt Nam",
		"Nơi sinh: Bệnh viện Từ Dũ, TP. Hồ Chí Minh",
		"Quê quán: " + p.PlaceOfOrigin,
		"Số định danh cá nhân: " + id,
		"Họ, chữ đệm, tên người cha: " + p.FullName,
		"Họ, chữ đệm, tên người mẹ: " + child.FullName,
	}
	if p.Sex == "Nữ" {
		lines[6], lines[7] = "Họ, chữ đệm, tên người cha: "+child.FullName, "Họ, chữ đệm, tên người mẹ: "+p.FullName
	}
	for i, l := range lines {
		c.text(110, 400+i*62, "regular", 24, l)
	}
	father, mother := strings.TrimPrefix(lines[6], "Họ, chữ đệm, tên người cha: "), strings.TrimPrefix(lines[7], "Họ, chữ đệm, tên người mẹ: ")
	fields := map[string]string{
		"full_name":           childName,
		"date_of_birth":       born.Format(time.DateOnly),
		"sex":                 child.Sex,
		"id_number":           id,
		"place_of_birth":      "Bệnh viện Từ Dũ, TP. Hồ Chí Minh",
		"father_name":         father,
		"mother_name":         mother,
		"registration_number": reg,
	}
	return c.img, fields, strings.Join(c.lines, "\n")
}

// BillPage renders an electricity or a water bill with its customer code.
func (f *Fonts) BillPage(p Person, rng *rand.Rand) (*image.Gray, map[string]string, string) {
	c := newCanvas(f, 1240, 1754, 250)
	var title, code, label string
	if rng.IntN(2) == 0 {
		title, label = "HÓA ĐƠN TIỀN ĐIỆN", "Mã khách hàng"
		code = fmt.Sprintf("PE%02d%09d", 1+rng.IntN(15), rng.IntN(1_000_000_000))
		c.text(110, 110, "bold", 24, "TỔNG CÔNG TY ĐIỆN LỰC TP. HỒ CHÍ MINH")
	} else {
		title, label = "HÓA ĐƠN TIỀN NƯỚC", "Mã khách hàng (danh bộ)"
		code = fmt.Sprintf("%011d", rng.IntN(100_000_000_000))
		c.text(110, 110, "bold", 24, "TỔNG CÔNG TY CẤP NƯỚC SÀI GÒN")
	}
	c.text(420, 220, "bold", 32, title)
	c.text(440, 270, "regular", 22, fmt.Sprintf("Kỳ: tháng %d/2026", 1+rng.IntN(12)))
	c.text(110, 360, "regular", 24, "Khách hàng: "+p.FullName)
	c.text(110, 420, "regular", 24, "Địa chỉ: "+p.PlaceOfResidence)
	c.text(110, 480, "regular", 24, label+": "+code)
	c.text(110, 540, "regular", 24, "Điện thoại: "+p.Phone)
	amount := 50_000 + rng.IntN(2_000_000)
	c.text(110, 640, "bold", 26, "Tổng tiền thanh toán: "+vietnamese.FormatVND(int64(amount)))
	return c.img, map[string]string{"customer_code": code}, strings.Join(c.lines, "\n")
}
