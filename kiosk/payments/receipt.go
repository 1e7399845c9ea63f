package payments

import (
	"context"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// SignedReceipt is the kind of the signed receipt of a payment.
const SignedReceipt = "payment_receipt"

// Signer signs the papers handed out (package signing's Service).
type Signer interface {
	Sign(ctx context.Context, doc signing.Document, render signing.Render) ([]byte, error)
}

// Papers is what printing a receipt takes: the fonts, and the signer when
// documents are signed.
type Papers struct {
	Fonts  *paper.Fonts
	Signer Signer
}

// ReceiptPDF renders the receipt of a paid payment as a PDF, signed with
// the service's certificate when there is one.
func (s *Service) ReceiptPDF(ctx context.Context, p *Payment) ([]byte, error) {
	if s.cfg.Papers.Fonts == nil {
		return nil, apperr.New(apperr.Unavailable, "papers_unavailable", "Trạm chưa in được biên lai. Xin ghi lại số biên lai.")
	}
	if p.Receipt == nil {
		return nil, apperr.New(apperr.Conflict, "payment_not_paid", "Giao dịch này chưa được thanh toán nên chưa có biên lai.")
	}
	doc := signing.Document{Kind: SignedReceipt, Title: "Biên lai thanh toán", SubjectKind: "payment", SubjectID: p.ID,
		Reason: "Biên lai " + p.Receipt.Number}
	render := func(link string) ([]byte, error) { return s.renderReceipt(p, link) }
	if s.cfg.Papers.Signer == nil {
		return render("")
	}
	return s.cfg.Papers.Signer.Sign(ctx, doc, render)
}

func (s *Service) renderReceipt(p *Payment, link string) ([]byte, error) {
	pg := s.cfg.Papers.Fonts.New("Biên lai "+p.Receipt.Number, "TRẠM CÔNG DÂN SỐ THÀNH PHỐ HỒ CHÍ MINH", "BIÊN LAI THANH TOÁN")
	code := p.LookupCode
	if code == "" {
		code = p.ID
	}
	if err := pg.Code("Mã thanh toán (dùng để tra cứu):", code, code); err != nil {
		return nil, err
	}
	pg.Row("Số biên lai:", p.Receipt.Number)
	pg.Row("Nội dung:", p.Receipt.Description)
	pg.Row("Số tiền:", vietnamese.FormatVND(p.Receipt.Amount))
	pg.Row("Thanh toán lúc:", vietnamese.Moment(p.Receipt.IssuedAt))
	if p.State == StateRefunded {
		pg.Row("Tình trạng:", "Đã hoàn tiền")
	}
	if err := pg.Verify(link, "Biên lai này"); err != nil {
		return nil, err
	}
	return pg.Bytes()
}
