package payments

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Bill categories.
var BillCategories = []string{"electricity", "water", "internet", "tuition", "apartment_management"}

// Bill is an unpaid bill as the biller reports it.
type Bill struct {
	ID          string `json:"id"`
	Category    string `json:"category"`
	Period      string `json:"period"` // YYYY-MM
	Amount      int64  `json:"amount"` // VND
	Description string `json:"description"`
}

// BillerInfo describes a biller for GET /api/v1/billers.
type BillerInfo struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Categories    []string `json:"categories"`
	Demonstration bool     `json:"demonstration"`
}

// Biller looks up the bills a customer owes to one provider.
type Biller interface {
	Info() BillerInfo
	// Bills returns the customer's unpaid bills as the biller knows them;
	// an unknown customer has none.
	Bills(ctx context.Context, customerCode string) ([]Bill, error)
}

//go:embed demo_bills.json
var shippedDemoBills []byte

// DemoBiller is the DEMONSTRATION biller, id "demo": it reads a bills file
// (by default the shipped one, with unpaid bills for DEMO0001 to DEMO0005 in
// every category) so the payment flow can be shown and tested. It is not
// connected to any real provider.
type DemoBiller struct {
	name  string
	bills map[string][]Bill // by customer code
}

type demoFile struct {
	Name  string `json:"name"`
	Bills []struct {
		CustomerCode string `json:"customer_code"`
		Bill
	} `json:"bills"`
}

// NewDemoBiller reads the bills file at path, or the shipped one when path
// is empty.
func NewDemoBiller(path string) (*DemoBiller, error) {
	data := shippedDemoBills
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("demo bills: %w", err)
		}
	}
	var f demoFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("demo bills %s: %w", path, err)
	}
	d := &DemoBiller{name: vietnamese.NFC(f.Name), bills: map[string][]Bill{}}
	for i, b := range f.Bills {
		if !customerCode.MatchString(b.CustomerCode) || b.ID == "" || b.Amount <= 0 || !slices.Contains(BillCategories, b.Category) {
			return nil, fmt.Errorf("demo bills %s: bill %d (%s) is incomplete or has an unknown category", path, i+1, b.ID)
		}
		b.Description = vietnamese.NFC(b.Description)
		d.bills[b.CustomerCode] = append(d.bills[b.CustomerCode], b.Bill)
	}
	return d, nil
}

// Info describes the demonstration biller.
func (d *DemoBiller) Info() BillerInfo {
	return BillerInfo{ID: "demo", Name: d.name, Categories: BillCategories, Demonstration: true}
}

// Bills returns the customer's bills from the file.
func (d *DemoBiller) Bills(_ context.Context, code string) ([]Bill, error) {
	return slices.Clone(d.bills[code]), nil
}

var customerCode = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

// Billers lists the billers.
func (s *Service) Billers() []BillerInfo {
	out := []BillerInfo{}
	for _, id := range s.order {
		out = append(out, s.billers[id].Info())
	}
	return out
}

func (s *Service) biller(id string) (Biller, error) {
	b, ok := s.billers[id]
	if !ok {
		return nil, apperr.Errorf(apperr.NotFound, "biller_not_found", "Không có nhà cung cấp %q.", id)
	}
	return b, nil
}

func normalizeCustomerCode(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !customerCode.MatchString(code) {
		return "", apperr.New(apperr.Invalid, "customer_code_invalid", "Mã khách hàng chỉ gồm chữ và số, tối đa 32 ký tự.")
	}
	return code, nil
}

// Bills returns a customer's unpaid bills: the biller's list without the
// bills already paid here or being paid.
func (s *Service) Bills(ctx context.Context, billerID, code string) ([]Bill, error) {
	b, err := s.biller(billerID)
	if err != nil {
		return nil, err
	}
	if code, err = normalizeCustomerCode(code); err != nil {
		return nil, err
	}
	bills, err := b.Bills(ctx, code)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "biller_unavailable", "Không tra cứu được hóa đơn lúc này. Vui lòng thử lại sau.")
	}
	rows, err := s.pool.Query(ctx, `SELECT bill_id FROM payments
		WHERE purpose = 'bill' AND biller = $1 AND customer_code = $2 AND state = 'paid'`, billerID, code)
	if err != nil {
		return nil, err
	}
	paid := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		paid[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Bill{}
	for _, b := range bills {
		if !paid[b.ID] {
			out = append(out, b)
		}
	}
	return out, nil
}
