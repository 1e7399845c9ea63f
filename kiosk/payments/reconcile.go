package payments

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// Difference is one disagreement between a settlement file and the orders.
type Difference struct {
	PaymentID string `json:"payment_id"`
	Kind      string `json:"kind"`
	Detail    string `json:"detail"`
}

// Kinds of difference.
const (
	DiffUnknownOrder   = "unknown_order"           // in the file, no such order here
	DiffAmount         = "amount_mismatch"         // amounts differ
	DiffNotPaidHere    = "not_paid_here"           // the gateway settled it, the order is not paid
	DiffTransactionNo  = "transaction_no_mismatch" // a different gateway transaction
	DiffMissing        = "missing_from_settlement" // paid here, not in the file
	DiffDuplicate      = "duplicate_in_settlement" // the file lists it twice
	DiffMalformedEntry = "malformed_entry"         // a line that cannot be read
)

// Reconcile compares a day's settlement file (CSV with the columns of
// vnpay.SettlementHeader: txn_ref, transaction_no, amount in VND, pay_date
// yyyyMMddHHmmss GMT+7, status) with the orders, and lists every
// difference. day is the settlement day (GMT+7); when zero, the days of the
// file's entries are used.
func (s *Service) Reconcile(ctx context.Context, r io.Reader, day time.Time) ([]Difference, error) {
	seen, days, diffs, err := readSettlement(r, day)
	if err != nil {
		return nil, err
	}
	more, err := s.compareOrders(ctx, seen, days)
	if err != nil {
		return nil, err
	}
	diffs = append(diffs, more...)
	slices.SortStableFunc(diffs, func(a, b Difference) int { return strings.Compare(a.PaymentID, b.PaymentID) })
	return diffs, nil
}

// settled is one entry of a settlement file.
type settled struct {
	txnNo  string
	amount int64
	status string
}

// readSettlement reads a settlement file: its entries by order, the days
// they settle (day's alone when day is set), and the lines it cannot use.
func readSettlement(r io.Reader, day time.Time) (map[string]settled, map[string]bool, []Difference, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("settlement file: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, h := range vnpay.SettlementHeader {
		if _, ok := col[h]; !ok {
			return nil, nil, nil, fmt.Errorf("settlement file: no %q column (want %s)", h, strings.Join(vnpay.SettlementHeader, ","))
		}
	}
	var diffs []Difference
	seen := map[string]settled{}
	days := map[string]bool{}
	if !day.IsZero() {
		days[day.In(vnpay.Zone).Format(time.DateOnly)] = true
	}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		field := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if err != nil {
			diffs = append(diffs, Difference{Kind: DiffMalformedEntry, Detail: fmt.Sprintf("line %d: %v", line, err)})
			continue
		}
		ref := field("txn_ref")
		amount, aerr := strconv.ParseInt(field("amount"), 10, 64)
		paid, derr := vnpay.ParseDate(field("pay_date"))
		if ref == "" || aerr != nil || derr != nil {
			diffs = append(diffs, Difference{PaymentID: ref, Kind: DiffMalformedEntry, Detail: fmt.Sprintf("line %d: reference, amount or pay date unreadable", line)})
			continue
		}
		if _, dup := seen[ref]; dup {
			diffs = append(diffs, Difference{PaymentID: ref, Kind: DiffDuplicate, Detail: fmt.Sprintf("line %d", line)})
			continue
		}
		seen[ref] = settled{txnNo: field("transaction_no"), amount: amount, status: field("status")}
		if day.IsZero() {
			days[paid.Format(time.DateOnly)] = true
		}
	}

	return seen, days, diffs, nil
}

// compareOrders compares the settled entries with every order the file
// names and every order paid here on its days.
func (s *Service) compareOrders(ctx context.Context, seen map[string]settled, days map[string]bool) ([]Difference, error) {
	var diffs []Difference
	refs := make([]string, 0, len(seen))
	for ref := range seen {
		refs = append(refs, ref)
	}
	dayList := make([]string, 0, len(days))
	for d := range days {
		dayList = append(dayList, d)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, amount, state, coalesce(provider_txn_no, ''),
			state = 'paid' AND to_char(paid_at AT TIME ZONE '`+vietnamese.ZoneName+`', 'YYYY-MM-DD') = ANY ($2)
		FROM payments WHERE id = ANY ($1)
			OR (state = 'paid' AND to_char(paid_at AT TIME ZONE '`+vietnamese.ZoneName+`', 'YYYY-MM-DD') = ANY ($2))`, refs, dayList)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var (
			id, state, txnNo string
			amount           int64
			paidOnDay        bool
		)
		if err := rows.Scan(&id, &amount, &state, &txnNo, &paidOnDay); err != nil {
			return nil, err
		}
		found[id] = true
		e, inFile := seen[id]
		switch {
		case !inFile:
			diffs = append(diffs, Difference{id, DiffMissing, fmt.Sprintf("paid here (%d VND, transaction %s), not in the settlement file", amount, txnNo)})
			continue
		case e.amount != amount:
			diffs = append(diffs, Difference{id, DiffAmount, fmt.Sprintf("settlement %d VND, order %d VND", e.amount, amount)})
		}
		if e.status == vnpay.Success && state != StatePaid {
			diffs = append(diffs, Difference{id, DiffNotPaidHere, fmt.Sprintf("settled by the gateway, order is %s", state)})
		}
		if state == StatePaid && e.txnNo != "" && txnNo != e.txnNo {
			diffs = append(diffs, Difference{id, DiffTransactionNo, fmt.Sprintf("settlement %s, order %s", e.txnNo, txnNo)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ref := range refs {
		if !found[ref] {
			diffs = append(diffs, Difference{ref, DiffUnknownOrder, fmt.Sprintf("%d VND settled for an order that does not exist here", seen[ref].amount)})
		}
	}
	return diffs, nil
}
