// Package paper draws the A4 documents the station and the wards hand out
// (receipts, tracking slips, review decisions, report acknowledgements)
// with fpdf in DejaVu Sans, which has every Vietnamese letter with its
// marks: the letterhead, a title, labelled rows, QR codes, and the block
// that says where a signed document is checked.
package paper

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/internal/config"
)

// FontDir is where Debian's fonts-dejavu-core puts DejaVu Sans.
const FontDir = "/usr/share/fonts/truetype/dejavu"

// Fonts are the TrueType faces documents are set in.
type Fonts struct{ regular, bold []byte }

// LoadFonts reads DejaVuSans.ttf and DejaVuSans-Bold.ttf from dir (the
// -receipt-font-dir setting).
func LoadFonts(dir string) (*Fonts, error) {
	var f Fonts
	for name, dst := range map[string]*[]byte{"DejaVuSans.ttf": &f.regular, "DejaVuSans-Bold.ttf": &f.bold} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, config.Invalid("receipt-font-dir", dir, "cannot read "+name+" (install fonts-dejavu-core): "+err.Error())
		}
		*dst = b
	}
	return &f, nil
}

// Page is one document being drawn. Its fpdf methods are there for what
// the helpers do not cover; errors are kept by fpdf and returned by Bytes.
type Page struct {
	*fpdf.Fpdf
	images int
}

// New starts a document titled title (its PDF metadata) under the
// letterhead of issuer ("TRẠM CÔNG DÂN SỐ — PHƯỜNG SÀI GÒN") with heading
// in large capitals.
func (f *Fonts) New(title, issuer, heading string) *Page {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle(title, true)
	p.SetCreator("citizenstation", true)
	p.AddUTF8FontFromBytes("dejavu", "", f.regular)
	p.AddUTF8FontFromBytes("dejavu", "B", f.bold)
	p.SetMargins(20, 18, 20)
	p.SetAutoPageBreak(true, 18)
	p.AddPage()

	p.SetFont("dejavu", "B", 11)
	p.CellFormat(0, 6, issuer, "", 1, "L", false, 0, "")
	p.SetFont("dejavu", "", 10)
	p.CellFormat(0, 6, "Cộng hòa Xã hội Chủ nghĩa Việt Nam — Độc lập, Tự do, Hạnh phúc", "", 1, "L", false, 0, "")
	p.Ln(6)
	p.SetFont("dejavu", "B", 18)
	p.CellFormat(0, 10, heading, "", 1, "C", false, 0, "")
	p.Ln(4)
	return &Page{Fpdf: p}
}

// Row prints a bold label and its value, which may wrap.
func (p *Page) Row(label, value string) {
	p.SetFont("dejavu", "B", 11)
	p.CellFormat(55, 7, label, "", 0, "L", false, 0, "")
	p.SetFont("dejavu", "", 11)
	p.MultiCell(0, 7, value, "", "L", false)
}

// Section prints a small heading.
func (p *Page) Section(title string) {
	p.Ln(3)
	p.SetFont("dejavu", "B", 12)
	p.CellFormat(0, 8, title, "", 1, "L", false, 0, "")
}

// Text prints a paragraph in size points, bold when bold.
func (p *Page) Text(size float64, bold bool, s string) {
	style := ""
	if bold {
		style = "B"
	}
	p.SetFont("dejavu", style, size)
	p.MultiCell(0, size*0.55, s, "", "L", false)
}

// QR draws content as a QR code of side mm at x, y.
func (p *Page) QR(content string, x, y, side float64) error {
	png, err := qrcode.Encode(content, qrcode.Medium, 300)
	if err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	p.images++
	name := fmt.Sprintf("qr-%d", p.images)
	p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	p.ImageOptions(name, x, y, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	return nil
}

// Code prints the code a paper is looked up by, large under label as
// people read it, with the QR code of qr (the code as machines read it) on
// the right.
func (p *Page) Code(label, code, qr string) error {
	top := p.GetY()
	if err := p.QR(qr, 150, top, 40); err != nil {
		return err
	}
	p.SetFont("dejavu", "", 11)
	p.CellFormat(0, 7, label, "", 1, "L", false, 0, "")
	p.SetFont("dejavu", "B", 22)
	p.CellFormat(120, 12, code, "", 1, "L", false, 0, "")
	p.SetY(top + 44)
	return nil
}

// Verify prints where the signature of the document (what: "Giấy biên
// nhận này") is checked: the verification page's QR code and address.
// Nothing is printed when link is empty (the document is not signed).
func (p *Page) Verify(link, what string) error {
	if link == "" {
		return nil
	}
	p.Ln(4)
	if p.GetY() > 240 {
		p.AddPage()
	}
	top := p.GetY()
	if err := p.QR(link, 20, top, 28); err != nil {
		return err
	}
	p.SetXY(52, top)
	p.SetFont("dejavu", "B", 10)
	p.MultiCell(0, 5.5, what+" được ký số.", "", "L", false)
	p.SetX(52)
	p.SetFont("dejavu", "", 9)
	p.MultiCell(0, 5, "Quét mã QR bên trái hoặc mở địa chỉ dưới đây để xem ai đã ký, ký lúc nào và kiểm tra "+
		"bản điện tử có bị thay đổi không:", "", "L", false)
	p.SetX(52)
	p.MultiCell(0, 5, link, "", "L", false)
	return nil
}

// Bytes finishes the document.
func (p *Page) Bytes() ([]byte, error) {
	if p.Err() {
		return nil, fmt.Errorf("pdf: %w", p.Error())
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}
