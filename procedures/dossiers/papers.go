package dossiers

import (
	"context"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The ward's papers besides the receipt: the tracking slip a resident
// prints after looking a dossier up, and the review decision (the forms of
// Thông tư 01/2018/TT-VPCP's one-stop desks: a notice of the result, a
// refusal, a request to supplement). Each is signed like the receipt.

// decisionPaper names the paper of a decided dossier: its heading and
// what its verification block calls it.
type decisionPaper struct{ heading, title, what string }

// Decided says whether the ward has decided on the dossier, so that its
// decision paper can be printed.
func (d *Dossier) Decided() bool {
	_, ok := d.decisionPaper()
	return ok
}

func (d *Dossier) decisionPaper() (decisionPaper, bool) {
	switch {
	case d.Status == StatusRejected:
		return decisionPaper{"PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ", "Phiếu từ chối giải quyết hồ sơ", "Phiếu này"}, true
	case d.Status == StatusNeedsSupplement:
		return decisionPaper{"PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Phiếu yêu cầu bổ sung hồ sơ", "Phiếu này"}, true
	case d.DecidedAt != nil:
		return decisionPaper{"THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "Thông báo kết quả giải quyết hồ sơ", "Thông báo này"}, true
	}
	return decisionPaper{}, false
}

// Decision renders the ward's decision on a dossier as a signed PDF: the
// approval, the refusal with its reason, or what to supplement. Staff who
// may see the dossier get it without proof (u non-nil); residents give one.
func (s *Service) Decision(ctx context.Context, from audit.Actor, id string, u *staff.User, proof Proof) ([]byte, error) {
	d, err := s.owned(ctx, from, id, u, proof)
	if err != nil {
		return nil, err
	}
	return s.decision(ctx, d, staff.ActorOf(u, resident(from)))
}

// DecisionByCode is Decision for a resident who has the tracking code and
// the four digits, as for Track, or the pass Track handed out.
func (s *Service) DecisionByCode(ctx context.Context, from audit.Actor, code string, proof CodeProof) ([]byte, error) {
	d, err := s.tracked(ctx, from, code, proof)
	if err != nil {
		return nil, err
	}
	return s.decision(ctx, d, resident(from))
}

func (s *Service) decision(ctx context.Context, d *row, by audit.Actor) ([]byte, error) {
	kind, ok := d.decisionPaper()
	if !ok {
		return nil, apperr.New(apperr.Conflict, "decision_not_ready", "Hồ sơ chưa có quyết định của cán bộ phường.")
	}
	doc := signing.Document{Kind: signing.KindReviewDecision, Title: kind.title, SubjectKind: "dossier", SubjectID: d.ID,
		Ward: d.Ward, Reason: kind.title + " " + FormatTrackingCode(d.TrackingCode)}
	pdf, err := s.signed(ctx, doc, func(link string) ([]byte, error) {
		p := s.fonts.New(kind.title+" "+FormatTrackingCode(d.TrackingCode), issuer(&d.Dossier), kind.heading)
		if err := p.Code("Mã hồ sơ (dùng để tra cứu):", FormatTrackingCode(d.TrackingCode), d.TrackingCode); err != nil {
			return nil, err
		}
		p.Row("Thủ tục:", d.ProcedureName)
		if d.ApplicantName != "" {
			p.Row("Người nộp:", d.ApplicantName)
		}
		p.Row("Ngày nộp:", localTime(d.SubmittedAt))
		decided := d.DecidedAt
		if decided == nil {
			decided = &d.UpdatedAt
		}
		p.Row("Ngày quyết định:", localTime(decided))
		p.Row("Kết quả:", d.Status.Label())
		p.Ln(3)
		p.Text(11, false, d.nextStep())
		p.Ln(3)
		p.Text(10, false, "Bộ phận một cửa, "+vietnamese.WardLabel(d.Ward, d.WardName)+".")
		if err := p.Verify(link, kind.what); err != nil {
			return nil, err
		}
		return p.Bytes()
	})
	if err != nil {
		return nil, err
	}
	return pdf, audit.Record(ctx, s.pool, audit.Entry{Actor: by, Action: "dossier.decision_paper",
		SubjectKind: "dossier", SubjectID: d.ID, Ward: d.Ward})
}

// TrackingSlip renders what Track tells, as a signed PDF to take home:
// where the dossier is, what happens next, and the dates. Nothing personal
// is on it; the code and the four digits are asked as for Track, or the
// pass Track handed out.
func (s *Service) TrackingSlip(ctx context.Context, from audit.Actor, code string, proof CodeProof) ([]byte, error) {
	d, err := s.tracked(ctx, from, code, proof)
	if err != nil {
		return nil, err
	}
	doc := signing.Document{Kind: signing.KindTrackingSlip, Title: "Phiếu theo dõi hồ sơ", SubjectKind: "dossier", SubjectID: d.ID,
		Ward: d.Ward, Reason: "Phiếu theo dõi hồ sơ " + FormatTrackingCode(d.TrackingCode)}
	pdf, err := s.signed(ctx, doc, func(link string) ([]byte, error) {
		p := s.fonts.New("Phiếu theo dõi hồ sơ "+FormatTrackingCode(d.TrackingCode), issuer(&d.Dossier), "PHIẾU THEO DÕI HỒ SƠ")
		if err := p.Code("Mã hồ sơ (dùng để tra cứu):", FormatTrackingCode(d.TrackingCode), d.TrackingCode); err != nil {
			return nil, err
		}
		p.Row("Thủ tục:", d.ProcedureName)
		p.Row("Ngày nộp:", localTime(d.SubmittedAt))
		if d.Status != StatusDraft {
			p.Row("Ngày hẹn trả kết quả:", d.Dossier.expected())
		}
		p.Row("Tình trạng:", d.Status.Label())
		now := time.Now()
		p.Row("Tra cứu lúc:", localTime(&now))
		p.Ln(3)
		p.Text(11, false, d.nextStep())
		if err := p.Verify(link, "Phiếu này"); err != nil {
			return nil, err
		}
		return p.Bytes()
	})
	if err != nil {
		return nil, err
	}
	return pdf, audit.Record(ctx, s.pool, audit.Entry{Actor: resident(from), Action: "dossier.tracking_slip",
		SubjectKind: "dossier", SubjectID: d.ID, Ward: d.Ward})
}

// owned is the dossier id for staff who may see it (u non-nil) or for a
// resident whose proof shows it is theirs.
func (s *Service) owned(ctx context.Context, from audit.Actor, id string, u *staff.User, proof Proof) (*row, error) {
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
	return d, s.named(ctx, d)
}

// tracked is the dossier of code for a resident who has the four digits,
// as for Track, or its pass, with its ward's name for the papers.
func (s *Service) tracked(ctx context.Context, from audit.Actor, code string, proof CodeProof) (*row, error) {
	d, err := s.proved(ctx, from, code, proof)
	if err != nil {
		return nil, err
	}
	return d, s.named(ctx, d)
}

// Fonts are the faces the ward's papers are set in, for other parts that
// print papers of their own.
func (s *Service) Fonts() *paper.Fonts { return s.fonts }
