package dossiers

import (
	"context"
	"crypto/hmac"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/tokens"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Tracking is all a resident learns from a tracking code: where the dossier
// is, what happens next, and the dates. Nothing personal.
type Tracking struct {
	TrackingCode string     `json:"tracking_code"`
	Status       Status     `json:"status"`
	StatusLabel  string     `json:"status_label"`
	NextStep     string     `json:"next_step"`
	CreatedAt    time.Time  `json:"created_at"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	ExpectedOn   *time.Time `json:"expected_on,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// Pass prints the dossier's papers by its code for a few minutes
	// (slip.pdf?pass=…), so the four digits never travel in an address.
	Pass string `json:"pass"`
}

// HasDecision says whether the ward's decision (approval, refusal or a
// request to supplement) can be printed, as decisionPaper decides.
func (t *Tracking) HasDecision() bool {
	return t.Status == StatusRejected || t.Status == StatusNeedsSupplement || t.DecidedAt != nil
}

var last4Re = regexp.MustCompile(`^\d{4}$`)

// errNoMatch answers a wrong code and wrong digits alike, so that a guess
// learns nothing about which was wrong.
var errNoMatch = apperr.New(apperr.NotFound, "tracking_not_found",
	"Không tìm thấy hồ sơ với mã và 4 số cuối này. Xin kiểm tra lại giấy biên nhận.")

// Track looks a dossier up by its tracking code and the last four digits of
// the applicant's ID or phone number. Lookups are limited per client
// address and per code, so the four digits cannot be guessed.
func (s *Service) Track(ctx context.Context, from audit.Actor, code, last4 string) (*Tracking, error) {
	d, err := s.verify(ctx, from, code, last4)
	if err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, s.pool, audit.Entry{Actor: resident(from), Action: "dossier.tracked",
		SubjectKind: "dossier", SubjectID: d.ID, Ward: d.Ward}); err != nil {
		return nil, err
	}
	return &Tracking{
		TrackingCode: d.TrackingCode, Status: d.Status, StatusLabel: d.StatusLabel, NextStep: d.nextStep(),
		CreatedAt: d.CreatedAt, SubmittedAt: d.SubmittedAt, ExpectedOn: d.ExpectedOn, DecidedAt: d.DecidedAt, UpdatedAt: d.UpdatedAt,
		Pass: tokens.NewPass(s.seal, papersSubject(d.TrackingCode), time.Now().Add(tokens.PassTTL)),
	}, nil
}

// CodeProof proves a tracking code: the last four digits, or a pass a
// look-up that proved them handed out (Tracking.Pass).
type CodeProof struct{ Last4, Pass string }

// papersSubject is what a pass to the papers of the dossier with code
// (canonical) opens.
func papersSubject(code string) string { return "dossier-papers:" + code }

var errPassInvalid = apperr.New(apperr.NotFound, "pass_invalid",
	"Phiên tra cứu đã hết hạn. Xin tra cứu lại bằng mã hồ sơ và 4 số cuối.")

// proved finds the dossier of code by proof: with a pass, without
// counting a look-up (the one that made the pass counted), though a wrong
// or expired pass counts against the client's address like a wrong guess;
// otherwise by the digits, as Track.
func (s *Service) proved(ctx context.Context, from audit.Actor, code string, proof CodeProof) (*row, error) {
	if proof.Pass == "" {
		return s.verify(ctx, from, code, proof.Last4)
	}
	code, ok := NormalizeTrackingCode(code)
	if !ok || !tokens.CheckPass(s.seal, papersSubject(code), proof.Pass, time.Now()) {
		if err := s.lookups.Address(ctx, from.IP); err != nil {
			return nil, err
		}
		return nil, errPassInvalid
	}
	return scanRow(s.pool.QueryRow(ctx, `SELECT `+rowColumns+` FROM dossiers WHERE tracking_code = $1`, code))
}

// verify finds the dossier of code if last4 matches, counting the attempt
// against the client's and the code's limits.
func (s *Service) verify(ctx context.Context, from audit.Actor, code, last4 string) (*row, error) {
	if err := s.lookups.Address(ctx, from.IP); err != nil {
		return nil, err
	}
	code, ok := NormalizeTrackingCode(code)
	if !ok {
		return nil, apperr.New(apperr.Invalid, "tracking_code_invalid",
			"Mã hồ sơ chưa đúng. Mã gồm 9 ký tự in trên giấy biên nhận, ví dụ ABC-DEF-GHK.")
	}
	if !last4Re.MatchString(last4) {
		return nil, apperr.New(apperr.Invalid, "last4_invalid", "Xin nhập 4 số cuối của số căn cước hoặc số điện thoại.")
	}
	if err := s.lookups.Code(ctx, "dossier", code); err != nil {
		return nil, err
	}
	d, err := scanRow(s.pool.QueryRow(ctx, `SELECT `+rowColumns+` FROM dossiers WHERE tracking_code = $1`, code))
	if IsNotFound(err) {
		return nil, errNoMatch
	}
	if err != nil {
		return nil, err
	}
	if s.proves(d, last4) {
		return d, nil
	}
	return nil, errNoMatch
}

// proves says whether last4 are the last four digits of the ID or phone
// number dossier d was filed with. Digests made before a key rotation
// match under a previous key.
func (s *Service) proves(d *row, last4 string) bool {
	for _, want := range s.seal.Digests(d.ID, last4) {
		for _, got := range d.digests {
			if hmac.Equal(got, want) {
				return true
			}
		}
	}
	return false
}

// Owns says whether last4 are the last four digits of the ID or phone
// number dossier id was filed with: the proof a payment of its fee is
// looked up by (the payment's own lookup counts the attempts).
func (s *Service) Owns(ctx context.Context, id, last4 string) (bool, error) {
	if !uuidRe.MatchString(id) || !last4Re.MatchString(last4) {
		return false, nil
	}
	d, err := scanRow(s.pool.QueryRow(ctx, `SELECT `+rowColumns+` FROM dossiers WHERE id = $1`, id))
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dossier %s: %w", id, err)
	}
	return s.proves(d, last4), nil
}

// nextStep tells the resident, in plain words, what happens now.
func (d *row) nextStep() string {
	switch d.Status {
	case StatusDraft:
		if d.submitRequested && d.feeDue() {
			return fmt.Sprintf("Hồ sơ sẽ được nộp khi lệ phí %s được thanh toán tại trạm.", vietnamese.FormatVND(d.FeeAmount))
		}
		return "Hồ sơ chưa được nộp. Xin hoàn tất và bấm «Nộp hồ sơ» tại trạm."
	case StatusSubmitted:
		// The done message and the receipt say the same words.
		next := d.AfterFiling
		if next == "" {
			next = "Cán bộ phường sẽ tiếp nhận và kiểm tra hồ sơ. Bạn chưa cần làm gì thêm."
		}
		if d.ExpectedOn != nil {
			next += " Dự kiến có kết quả ngày " + vietnamese.Day(*d.ExpectedOn) + "."
		}
		return next
	case StatusInReview:
		if d.ExpectedOn != nil {
			return "Cán bộ đang giải quyết hồ sơ. Dự kiến có kết quả ngày " + vietnamese.Day(*d.ExpectedOn) + "."
		}
		return "Cán bộ đang giải quyết hồ sơ."
	case StatusNeedsSupplement:
		return "Hồ sơ cần bổ sung: " + sentence(d.ResidentMessage) + " Xin bổ sung và nộp lại tại trạm hoặc tại phường."
	case StatusApproved:
		return "Hồ sơ đã được duyệt. Kết quả đang được chuẩn bị; bạn sẽ được báo khi có thể nhận."
	case StatusRejected:
		return "Hồ sơ không được chấp nhận. Lý do: " + sentence(d.ResidentMessage)
	case StatusResultReady:
		return "Kết quả đã sẵn sàng. Xin mang giấy biên nhận và căn cước đến nhận tại bộ phận một cửa của phường."
	case StatusCompleted:
		return "Đã trả kết quả. Hồ sơ đã hoàn tất."
	}
	return ""
}

// sentence ends staff's message with a full stop if it has no ending mark.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if last, _ := utf8.DecodeLastRuneInString(s); s == "" || strings.ContainsRune(".!?…", last) {
		return s
	}
	return s + "."
}
