package dossiers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// fonts are the TrueType faces receipts are set in; DejaVu Sans has every
// Vietnamese letter with its marks.
type fonts struct{ regular, bold []byte }

func loadFonts(dir string) (*fonts, error) {
	var f fonts
	for name, dst := range map[string]*[]byte{"DejaVuSans.ttf": &f.regular, "DejaVuSans-Bold.ttf": &f.bold} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, config.Invalid("receipt-font-dir", dir, "cannot read "+name+" (install fonts-dejavu-core): "+err.Error())
		}
		*dst = b
	}
	return &f, nil
}

// Proof is how a resident shows a dossier is theirs: the secret the kiosk
// got when creating it, or the last four digits of the applicant's ID or
// phone (limited like tracking lookups).
type Proof struct {
	Secret string
	Last4  string
}

// Receipt renders the receipt of a submitted dossier as PDF. Staff who may
// see the dossier get it without proof (u non-nil); residents give one.
func (s *Service) Receipt(ctx context.Context, from audit.Actor, id string, u *staff.User, proof Proof) ([]byte, error) {
	var d *row
	var err error
	if u != nil {
		d, err = s.read(ctx, u, id)
	} else {
		d, err = s.proven(ctx, from, id, proof)
	}
	if err != nil {
		return nil, err
	}
	if d.Status == StatusDraft {
		return nil, apperr.New(apperr.Conflict, "receipt_not_ready", "Hồ sơ chưa được nộp nên chưa có giấy biên nhận.")
	}
	var docs []ChecklistItem
	if entry, err := s.procedure(ctx, d.Procedure); err == nil {
		atts, err := attachments(ctx, s.pool, d.ID)
		if err != nil {
			return nil, err
		}
		docs = checklist(entry, atts)
	}
	doc := signing.Document{Kind: signing.KindReceipt, Title: "Giấy biên nhận hồ sơ", SubjectKind: "dossier", SubjectID: d.ID,
		Ward: d.Ward, Reason: "Giấy biên nhận hồ sơ " + FormatTrackingCode(d.TrackingCode)}
	pdf, err := s.signed(ctx, doc, func(link string) ([]byte, error) { return s.renderReceipt(&d.Dossier, docs, link) })
	if err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, s.pool, audit.Entry{Actor: staff.ActorOf(u, resident(from)), Action: "dossier.receipt",
		SubjectKind: "dossier", SubjectID: d.ID, Ward: d.Ward}); err != nil {
		return nil, err
	}
	return pdf, nil
}

// proven returns dossier id if proof shows it is the resident's.
func (s *Service) proven(ctx context.Context, from audit.Actor, id string, proof Proof) (*row, error) {
	if !uuidRe.MatchString(id) {
		return nil, errNotFound
	}
	d, err := scanRow(s.pool.QueryRow(ctx, `SELECT `+rowColumns+` FROM dossiers WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	if proof.Secret != "" {
		return d, d.checkSecret(proof.Secret)
	}
	if proof.Last4 == "" {
		return nil, apperr.New(apperr.Unauthorized, "proof_required", "Xin nhập 4 số cuối của số căn cước hoặc số điện thoại.")
	}
	v, err := s.verify(ctx, from, d.TrackingCode, proof.Last4)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Signer signs the documents a ward hands out (package signing's Service).
type Signer interface {
	Sign(ctx context.Context, doc signing.Document, render signing.Render) ([]byte, error)
}

// signed renders a document and signs it when the service has a signer.
func (s *Service) signed(ctx context.Context, doc signing.Document, render signing.Render) ([]byte, error) {
	if s.cfg.Signer == nil {
		return render("")
	}
	return s.cfg.Signer.Sign(ctx, doc, render)
}

// renderReceipt draws a receipt; link, when set, is the address of its
// signature's verification page, printed as a second QR code.
func (s *Service) renderReceipt(d *Dossier, docs []ChecklistItem, link string) ([]byte, error) {
	png, err := qrcode.Encode(d.TrackingCode, qrcode.Medium, 300)
	if err != nil {
		return nil, fmt.Errorf("receipt QR: %w", err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle("Giấy biên nhận hồ sơ "+FormatTrackingCode(d.TrackingCode), true)
	p.SetCreator("citizenstation", true)
	p.AddUTF8FontFromBytes("dejavu", "", s.fonts.regular)
	p.AddUTF8FontFromBytes("dejavu", "B", s.fonts.bold)
	p.SetMargins(20, 18, 20)
	p.SetAutoPageBreak(true, 18)
	p.AddPage()

	p.SetFont("dejavu", "B", 11)
	p.CellFormat(0, 6, "TRẠM CÔNG DÂN SỐ — PHƯỜNG "+d.Ward, "", 1, "L", false, 0, "")
	p.SetFont("dejavu", "", 10)
	p.CellFormat(0, 6, "Cộng hòa Xã hội Chủ nghĩa Việt Nam — Độc lập, Tự do, Hạnh phúc", "", 1, "L", false, 0, "")
	p.Ln(6)
	p.SetFont("dejavu", "B", 18)
	p.CellFormat(0, 10, "GIẤY BIÊN NHẬN HỒ SƠ", "", 1, "C", false, 0, "")
	p.Ln(4)

	top := p.GetY()
	p.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	p.ImageOptions("qr", 150, top, 40, 40, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetFont("dejavu", "", 11)
	p.CellFormat(0, 7, "Mã hồ sơ (dùng để tra cứu):", "", 1, "L", false, 0, "")
	p.SetFont("dejavu", "B", 24)
	p.CellFormat(120, 12, FormatTrackingCode(d.TrackingCode), "", 1, "L", false, 0, "")
	p.SetY(top + 44)

	local := func(t *time.Time, layout string) string {
		if t == nil {
			return "—"
		}
		return t.In(vietnamese.Zone).Format(layout)
	}
	row := func(label, value string) {
		p.SetFont("dejavu", "B", 11)
		p.CellFormat(55, 7, label, "", 0, "L", false, 0, "")
		p.SetFont("dejavu", "", 11)
		p.MultiCell(0, 7, value, "", "L", false)
	}
	row("Thủ tục:", d.ProcedureName)
	if d.ApplicantName != "" {
		row("Người nộp:", d.ApplicantName)
	}
	if d.ApplicantIDMasked != "" {
		row("Số định danh:", d.ApplicantIDMasked)
	}
	row("Ngày nộp:", local(d.SubmittedAt, "15:04 ngày 02/01/2006"))
	expected := "Theo quy định: " + d.ProcessingText
	if d.ExpectedOn != nil {
		expected = d.ExpectedOn.Format("02/01/2006") + " (dự kiến)"
	} else if d.ProcessingText == "" {
		expected = "Cán bộ sẽ thông báo"
	}
	row("Ngày hẹn trả kết quả:", expected)
	row("Tình trạng:", d.Status.Label())

	p.Ln(3)
	p.SetFont("dejavu", "B", 12)
	p.CellFormat(0, 8, "Lệ phí", "", 1, "L", false, 0, "")
	p.SetFont("dejavu", "", 11)
	if len(d.Fees) == 0 {
		p.CellFormat(0, 7, "Không thu lệ phí.", "", 1, "L", false, 0, "")
	}
	for _, f := range d.Fees {
		amount := vietnamese.FormatVND(f.Amount)
		if f.Unconfirmed {
			amount = "cán bộ thông báo"
		}
		p.CellFormat(120, 7, f.Label, "", 0, "L", false, 0, "")
		p.CellFormat(0, 7, amount, "", 1, "R", false, 0, "")
		if f.Reason != "" && !f.Unconfirmed {
			p.SetFont("dejavu", "", 9)
			p.MultiCell(0, 5, f.Reason, "", "L", false)
			p.SetFont("dejavu", "", 11)
		}
	}
	if d.FeeUnconfirmed {
		p.SetFont("dejavu", "B", 11)
		p.MultiCell(0, 7, "Mức lệ phí áp dụng sẽ do cán bộ phường xác nhận và thu khi tiếp nhận hồ sơ.", "T", "L", false)
	} else if len(d.Fees) > 0 {
		paid := "chưa thanh toán"
		if d.FeePaidAt != nil {
			paid = "đã thanh toán " + local(d.FeePaidAt, "02/01/2006")
		}
		p.SetFont("dejavu", "B", 11)
		p.CellFormat(120, 7, "Tổng cộng ("+paid+")", "T", 0, "L", false, 0, "")
		p.CellFormat(0, 7, vietnamese.FormatVND(d.FeeAmount), "T", 1, "R", false, 0, "")
	}

	if len(docs) > 0 {
		p.Ln(3)
		p.SetFont("dejavu", "B", 12)
		p.CellFormat(0, 8, "Giấy tờ", "", 1, "L", false, 0, "")
		p.SetFont("dejavu", "", 10)
		for _, c := range docs {
			mark := "☐ chưa có"
			if c.Attached > 0 {
				mark = "☑ đã nộp bản chụp"
			} else if c.Optional {
				mark = "— nếu có"
			}
			p.MultiCell(0, 6, fmt.Sprintf("%d. %s: %s", c.Index+1, c.Name, mark), "", "L", false)
		}
	}

	p.Ln(5)
	p.SetFont("dejavu", "", 10)
	p.MultiCell(0, 5.5, "Tra cứu tình trạng hồ sơ tại trạm công dân số: nhập mã hồ sơ và 4 số cuối của số căn cước "+
		"hoặc số điện thoại người nộp. Xin giữ giấy này để nhận kết quả.", "", "L", false)
	if link != "" {
		if err := verifyBlock(p, link); err != nil {
			return nil, err
		}
	}
	if p.Err() {
		return nil, fmt.Errorf("receipt: %w", p.Error())
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	return buf.Bytes(), nil
}

// verifyBlock prints where the signature is checked: a QR code of the
// verification page and its address.
func verifyBlock(p *fpdf.Fpdf, link string) error {
	png, err := qrcode.Encode(link, qrcode.Medium, 240)
	if err != nil {
		return fmt.Errorf("verification QR: %w", err)
	}
	p.Ln(4)
	if p.GetY() > 240 {
		p.AddPage()
	}
	top := p.GetY()
	p.RegisterImageOptionsReader("verify-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	p.ImageOptions("verify-qr", 20, top, 28, 28, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetXY(52, top)
	p.SetFont("dejavu", "B", 10)
	p.MultiCell(0, 5.5, "Giấy biên nhận này được ký số.", "", "L", false)
	p.SetX(52)
	p.SetFont("dejavu", "", 9)
	p.MultiCell(0, 5, "Quét mã QR bên trái hoặc mở địa chỉ dưới đây để xem ai đã ký, ký lúc nào và kiểm tra "+
		"bản điện tử có bị thay đổi không:", "", "L", false)
	p.SetX(52)
	p.MultiCell(0, 5, link, "", "L", false)
	return nil
}
