package assistant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Save and resume on a shared kiosk, without accounts: the resident takes
// a printed slip with a short code and its QR; the code and the last four
// digits of their ID or phone number bring the session back at any station
// within the slip's lifetime. Only hashes are stored, and attempts are
// rate-limited per code and per client.

// Slip is what the kiosk prints.
type Slip struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	QRPNG     []byte    `json:"qr_png"` // base64 in JSON
}

// slipAlphabet has no letters or digits an old eye confuses (0/O, 1/I/L,
// 2/Z, 5/S, 8/B).
const slipAlphabet = "ACDEFGHJKMNPQRTUVWXY34679"

func newSlipCode() string {
	b := make([]byte, 8)
	rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(slipAlphabet[int(c)%len(slipAlphabet)])
	}
	return sb.String()
}

// normalizeSlipCode accepts the code typed in any case, with or without
// the dash or spaces.
func normalizeSlipCode(code string) string {
	s := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, vietnamese.NFC(code)))
	if len(s) != 8 {
		return ""
	}
	return s[:4] + "-" + s[4:]
}

func hashCode(code string) []byte {
	h := sha256.Sum256([]byte("slip:" + code))
	return h[:]
}

func hashSecret(sessionID, last4 string) []byte {
	h := sha256.Sum256([]byte("slip-secret:" + sessionID + ":" + last4))
	return h[:]
}

// SaveSlip prints a slip for a session. last4 are the last four digits of
// the resident's ID or phone number; when empty they are taken from the
// ID or phone number already collected.
func (s *Service) SaveSlip(ctx context.Context, id, last4 string) (*Slip, error) {
	sess, err := s.store.Get(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	last4 = strings.TrimSpace(last4)
	if last4 == "" {
		last4, err = s.collectedLast4(ctx, sess)
		if err != nil {
			return nil, err
		}
	}
	if !fourDigits(last4) {
		return nil, apperr.New(apperr.Invalid, "slip_needs_digits", "Xin nhập 4 số cuối của số căn cước hoặc số điện thoại của Bác để giữ hồ sơ.")
	}
	slip := &Slip{ExpiresAt: s.now().Add(s.cfg.SlipTTL)}
	for range 3 { // a code already in use is astronomically rare; try again
		slip.Code = newSlipCode()
		err = s.store.SaveSlip(ctx, sess.ID, hashCode(slip.Code), hashSecret(sess.ID, last4), slip.ExpiresAt)
		if !apperr.IsKind(err, apperr.Conflict) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if slip.QRPNG, err = SlipQR(slip.Code); err != nil {
		return nil, err
	}
	return slip, nil
}

// SlipQR renders a slip code as a QR code PNG.
func SlipQR(code string) ([]byte, error) {
	code = normalizeSlipCode(code)
	if code == "" {
		return nil, apperr.New(apperr.Invalid, "slip_code_invalid", "Mã phiếu gồm 8 ký tự, ví dụ ACDE-3467.")
	}
	return qrcode.Encode(code, qrcode.Medium, 256)
}

func (s *Service) collectedLast4(ctx context.Context, sess *Session) (string, error) {
	e, err := s.entryFor(ctx, sess)
	if err != nil {
		return "", err
	}
	if e != nil {
		for _, typ := range []procedures.FieldType{procedures.FieldIDNumber, procedures.FieldPhone} {
			for _, f := range e.Form.Fields {
				if v, ok := sess.Fields[f.Name]; ok && f.Type == typ && len(v.Value) >= 4 {
					return v.Value[len(v.Value)-4:], nil
				}
			}
		}
	}
	if v, ok := sess.State.Scanned["id_number"]; ok && len(v.Value) >= 4 {
		return v.Value[len(v.Value)-4:], nil
	}
	return "", apperr.New(apperr.Invalid, "slip_needs_digits", "Xin nhập 4 số cuối của số căn cước hoặc số điện thoại của Bác để giữ hồ sơ.")
}

func fourDigits(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ResumeRequest brings a saved session back at a station.
type ResumeRequest struct {
	Code           string `json:"code"`
	Last4          string `json:"last4"`
	StationID      string `json:"-"` // the authenticated station, never the body
	KioskSessionID string `json:"kiosk_session_id"`
}

var errSlipNotFound = apperr.New(apperr.NotFound, "slip_not_found", "Mã phiếu hoặc 4 số cuối chưa đúng, hoặc phiếu đã hết hạn. Xin kiểm tra lại hoặc nhờ cán bộ.")

// Resume finds the session of a slip. client names who asks (the station
// or the address), for the rate limits: the look-ups by code of that
// address, and the slip's own, tighter, per code and per client.
func (s *Service) Resume(ctx context.Context, r ResumeRequest, client string) (*View, error) {
	code := normalizeSlipCode(r.Code)
	if code == "" || !fourDigits(strings.TrimSpace(r.Last4)) {
		return nil, apperr.New(apperr.Invalid, "slip_invalid", "Xin nhập mã trên phiếu (8 ký tự) và 4 số cuối của số căn cước hoặc số điện thoại.")
	}
	if err := s.lookups.Address(ctx, client); err != nil {
		return nil, err
	}
	if err := s.resumeLimit.AllowSubject(ctx, s.sealer, "slip-client:", client); err != nil {
		return nil, err
	}
	if err := s.resumeLimit.AllowSubject(ctx, s.sealer, "slip-code:", code); err != nil {
		return nil, err
	}
	id, secret, err := s.store.FindSlip(ctx, hashCode(code), s.now())
	if apperr.IsKind(err, apperr.NotFound) {
		return nil, errSlipNotFound
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(secret, hashSecret(id, strings.TrimSpace(r.Last4))) != 1 {
		if err := s.store.SlipFailed(ctx, id); err != nil {
			return nil, err
		}
		return nil, errSlipNotFound
	}
	if r.StationID != "" || r.KioskSessionID != "" {
		if err := s.store.MoveTo(ctx, id, r.StationID, r.KioskSessionID); err != nil {
			return nil, err
		}
	}
	return s.Get(ctx, id)
}
