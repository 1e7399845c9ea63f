package payments

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/tokens"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// A payment is never abandoned when its visit ends before the money
// arrives (the resident pressed "Xong", walked away, the kiosk was reset):
// the order stays, the gateway's notification records it whatever became
// of the visit, and the resident finds it again at any station by the
// code shown beside its QR and on the paid screen, with four digits only
// they know. The code is a dossier tracking code behind "TT" (39 random
// bits and a check symbol, read aloud without confusable letters); the
// digits are those of the bill's customer code, or of the ID or phone
// number a dossier whose fee was paid was filed with. Lookups count
// against the tracking limits, per code and per client address. A customer
// code may end in letters: its last four characters, in any case, prove it.

// lookupPrefix tells a payment's code from a dossier's (9 symbols) and a
// report's (PA-…).
const lookupPrefix = "TT"

func newLookupCode() string { return lookupPrefix + dossiers.NewTrackingCode() }

// NormalizeLookupCode returns code in its canonical form (TTABCDEFGHK) and
// whether it is a well-formed payment code.
func NormalizeLookupCode(code string) (string, bool) {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(code)))
	if !strings.HasPrefix(c, lookupPrefix) {
		return c, false
	}
	_, ok := dossiers.NormalizeTrackingCode(c[len(lookupPrefix):])
	return c, ok
}

// IsLookupCode says whether code is a payment's code (TT-…), as typed.
func IsLookupCode(code string) bool {
	_, ok := NormalizeLookupCode(code)
	return ok
}

// FormatLookupCode groups a code for reading: TT-ABC-DEF-GHK.
func FormatLookupCode(code string) string {
	if !strings.HasPrefix(code, lookupPrefix) {
		return code
	}
	return lookupPrefix + "-" + dossiers.FormatTrackingCode(code[len(lookupPrefix):])
}

// last4Re are the four characters asked: the last four of a customer code
// may be letters (codes made by billers such as "PE01000123AB"), so
// letters and digits are taken, folded to upper case.
var last4Re = regexp.MustCompile(`^[0-9A-Za-z]{4}$`)

// errLookupNoMatch answers a wrong code and wrong digits alike, so that a
// guess learns nothing about which was wrong.
var errLookupNoMatch = apperr.New(apperr.NotFound, "payment_lookup_not_found",
	"Không tìm thấy giao dịch với mã và 4 số cuối này. Xin kiểm tra lại mã thanh toán (bắt đầu bằng TT).")

// Lookup finds the payment of code when last4 are the last four digits of
// its bill's customer code or of its dossier's ID or phone number. from is
// the client address (a station's "station:<id>") the attempt counts
// against. The payment is returned whole; callers show its public part.
func (s *Service) Lookup(ctx context.Context, from, code, last4 string) (*Payment, error) {
	if err := s.lookups.Address(ctx, from); err != nil {
		return nil, err
	}
	code, ok := NormalizeLookupCode(code)
	if !ok {
		return nil, apperr.New(apperr.Invalid, "payment_code_invalid",
			"Mã thanh toán chưa đúng. Mã gồm TT và 9 ký tự, ví dụ TT-ABC-DEF-GHK.")
	}
	if !last4Re.MatchString(last4) {
		return nil, apperr.New(apperr.Invalid, "last4_invalid",
			"Xin nhập 4 ký tự cuối của mã khách hàng trên hóa đơn, hoặc 4 số cuối của số căn cước hay số điện thoại đã khai trong hồ sơ.")
	}
	last4 = strings.ToUpper(last4)
	if err := s.lookups.Code(ctx, "payment", code); err != nil {
		return nil, err
	}
	var id, purpose, dossierID, customer string
	err := s.pool.QueryRow(ctx, `SELECT id, purpose, coalesce(dossier_id, ''), coalesce(customer_code, '')
		FROM payments WHERE lookup_code = $1`, code).Scan(&id, &purpose, &dossierID, &customer)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errLookupNoMatch
	}
	if err != nil {
		return nil, fmt.Errorf("payment lookup: %w", err)
	}
	proven, err := s.proves(ctx, purpose, dossierID, customer, last4)
	if err != nil {
		return nil, err
	}
	if !proven {
		return nil, errLookupNoMatch
	}
	return s.Get(ctx, id)
}

// receiptSubject is what a pass to the receipt of the payment with code
// (canonical) opens.
func receiptSubject(code string) string { return "payment-receipt:" + code }

// ReceiptPass is the pass that prints, for a few minutes, the receipt of
// the payment with code: handed out with a lookup that proved the code,
// so that the four characters never travel in the receipt's address.
func (s *Service) ReceiptPass(code string) string {
	code, _ = NormalizeLookupCode(code)
	return tokens.NewPass(s.passes, receiptSubject(code), time.Now().Add(tokens.PassTTL))
}

var errPassInvalid = apperr.New(apperr.NotFound, "pass_invalid",
	"Phiên tra cứu đã hết hạn. Xin tra cứu lại bằng mã thanh toán và 4 ký tự cuối.")

// LookupByPass finds the payment of code with a pass from ReceiptPass,
// without counting a lookup (the one that made the pass counted); a wrong
// or expired pass counts against the client's address like a wrong guess.
func (s *Service) LookupByPass(ctx context.Context, from, code, pass string) (*Payment, error) {
	code, ok := NormalizeLookupCode(code)
	if !ok || !tokens.CheckPass(s.passes, receiptSubject(code), pass, time.Now()) {
		if err := s.lookups.Address(ctx, from); err != nil {
			return nil, err
		}
		return nil, errPassInvalid
	}
	var id string
	if err := s.pool.QueryRow(ctx, `SELECT id FROM payments WHERE lookup_code = $1`, code).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, errLookupNoMatch
		}
		return nil, fmt.Errorf("payment lookup: %w", err)
	}
	return s.Get(ctx, id)
}

// proves checks the four characters (upper case) against what the
// payment was for: a bill's customer code, whatever its case, or the
// dossier's ID or phone number.
func (s *Service) proves(ctx context.Context, purpose, dossierID, customer, last4 string) (bool, error) {
	if purpose == PurposeBill {
		customer = strings.ToUpper(strings.TrimSpace(customer))
		return len(customer) >= 4 && subtle.ConstantTimeCompare([]byte(customer[len(customer)-4:]), []byte(last4)) == 1, nil
	}
	if s.fees == nil {
		return false, nil
	}
	return s.fees.Owns(ctx, dossierID, last4)
}
