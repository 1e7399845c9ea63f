package dossiers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

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
	d, err := s.owned(ctx, from, id, u, proof)
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
	p := s.fonts.New("Giấy biên nhận hồ sơ "+FormatTrackingCode(d.TrackingCode), issuer(d), "GIẤY BIÊN NHẬN HỒ SƠ")
	if err := p.Code("Mã hồ sơ (dùng để tra cứu):", FormatTrackingCode(d.TrackingCode), d.TrackingCode); err != nil {
		return nil, err
	}
	p.Row("Thủ tục:", d.ProcedureName)
	if d.ApplicantName != "" {
		p.Row("Người nộp:", d.ApplicantName)
	}
	if d.ApplicantIDMasked != "" {
		p.Row("Số định danh:", d.ApplicantIDMasked)
	}
	p.Row("Ngày nộp:", localTime(d.SubmittedAt))
	p.Row("Ngày hẹn trả kết quả:", d.expected())
	p.Row("Tình trạng:", d.Status.Label())

	p.Section("Lệ phí")
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
			paid = "đã thanh toán " + vietnamese.Day(*d.FeePaidAt)
		}
		p.SetFont("dejavu", "B", 11)
		p.CellFormat(120, 7, "Tổng cộng ("+paid+")", "T", 0, "L", false, 0, "")
		p.CellFormat(0, 7, vietnamese.FormatVND(d.FeeAmount), "T", 1, "R", false, 0, "")
	}

	if len(docs) > 0 {
		p.Section("Giấy tờ")
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

	if d.AfterFiling != "" {
		// The done message and the tracking screen say the same words.
		p.Section("Việc tiếp theo")
		p.Text(11, false, d.AfterFiling)
	}

	p.Ln(5)
	p.Text(10, false, "Tra cứu tình trạng hồ sơ tại trạm công dân số: nhập mã hồ sơ và 4 số cuối của số căn cước "+
		"hoặc số điện thoại người nộp. Xin giữ giấy này để nhận kết quả.")
	if err := p.Verify(link, "Giấy biên nhận này"); err != nil {
		return nil, err
	}
	return p.Bytes()
}

// issuer is the letterhead of a ward's documents: its name when the
// ward is known by name, its code otherwise.
func issuer(d *Dossier) string {
	return "TRẠM CÔNG DÂN SỐ — " + strings.ToUpper(vietnamese.WardLabel(d.Ward, d.WardName))
}

// named fills the name of the dossier's ward.
func (s *Service) named(ctx context.Context, d *row) error {
	list := []Dossier{d.Dossier}
	if err := s.places(ctx, list); err != nil {
		return err
	}
	d.WardName = list[0].WardName
	return nil
}

// localTime is t in the city's time, "—" when there is none.
func localTime(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return vietnamese.Moment(*t)
}

// expected says when the result is due.
func (d *Dossier) expected() string {
	switch {
	case d.ExpectedOn != nil:
		return vietnamese.Day(*d.ExpectedOn) + " (dự kiến)"
	case d.ProcessingText == "":
		return "Cán bộ sẽ thông báo"
	}
	return "Theo quy định: " + d.ProcessingText
}
