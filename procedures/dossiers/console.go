package dossiers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// What the review console shows of a dossier is decided here, not in the
// page: the words for values, how a dossier stands against its time limit,
// its fee, and what staff may do with it next.

// Action is a move staff may make on a dossier, as the console offers it.
type Action struct {
	To    Status `json:"to"`
	Label string `json:"label"`
	// Style is "primary", "secondary" or "danger".
	Style string `json:"style"`
	// NeedsReason: the resident must be told why or what to bring.
	NeedsReason bool `json:"needs_reason,omitempty"`
	// Confirm is the question asked before the move is made.
	Confirm string `json:"confirm"`
}

// actions are the console's moves from each status.
var actions = map[Status][]Action{
	StatusSubmitted: {{To: StatusInReview, Label: "Tiếp nhận hồ sơ", Style: "primary",
		Confirm: "Tiếp nhận hồ sơ này để giải quyết?"}},
	StatusInReview: {
		{To: StatusApproved, Label: "Duyệt hồ sơ", Style: "primary", Confirm: "Duyệt hồ sơ này?"},
		{To: StatusNeedsSupplement, Label: "Yêu cầu bổ sung", Style: "secondary", NeedsReason: true,
			Confirm: "Trả hồ sơ để người dân bổ sung?"},
		{To: StatusRejected, Label: "Từ chối", Style: "danger", NeedsReason: true,
			Confirm: "Từ chối hồ sơ này? Người dân sẽ thấy lý do khi tra cứu."},
	},
	StatusApproved:    {{To: StatusResultReady, Label: "Đã có kết quả", Style: "primary", Confirm: "Báo người dân đến nhận kết quả?"}},
	StatusRejected:    {{To: StatusResultReady, Label: "Đã có văn bản trả lời", Style: "primary", Confirm: "Báo người dân đến nhận văn bản trả lời?"}},
	StatusResultReady: {{To: StatusCompleted, Label: "Đã trả kết quả", Style: "primary", Confirm: "Người dân đã nhận kết quả?"}},
}

// ActionsFor are the moves u may make on d now; none for those who may
// only look.
func ActionsFor(u *staff.User, d *Dossier) []Action {
	if u == nil || !u.HasRole(staff.RoleWardStaff, staff.RoleAdmin) {
		return nil
	}
	return actions[d.Status]
}

// ActionTo is the console's move to status to from d's status.
func ActionTo(d *Dossier, to Status) (Action, bool) {
	for _, a := range actions[d.Status] {
		if a.To == to {
			return a, true
		}
	}
	return Action{}, false
}

// reasonRequired says what the resident must be told for a move to to.
func reasonRequired(to Status, reason string) error {
	if strings.TrimSpace(reason) != "" {
		return nil
	}
	switch to {
	case StatusNeedsSupplement:
		return apperr.New(apperr.Invalid, "reason_required", "Xin ghi rõ giấy tờ hoặc thông tin người dân cần bổ sung.")
	case StatusRejected:
		return apperr.New(apperr.Invalid, "reason_required", "Xin ghi rõ lý do không chấp nhận hồ sơ.")
	}
	return nil
}

// CheckDecision reports whether a move could be asked for as it stands,
// before staff confirm it.
func CheckDecision(d *Dossier, req TransitionRequest) error {
	if _, ok := ActionTo(d, req.To); !ok {
		return errTransition(d.Status, req.To)
	}
	return reasonRequired(req.To, req.Reason)
}

// Due is how a dossier stands against its legal time limit.
type Due struct {
	// Level is "overdue", "soon" (due within two days) or "ok"; empty when
	// the dossier is no longer waiting on staff or has no time limit.
	Level string `json:"level,omitempty"`
	Label string `json:"label"`
}

// waiting are the statuses in which the time limit runs.
var waiting = []Status{StatusSubmitted, StatusInReview}

// DueAt is how d stands against its time limit on now.
func (d *Dossier) DueAt(now time.Time) Due {
	if d.ExpectedOn == nil {
		return Due{Label: "Không quy định"}
	}
	on := vietnamese.Day(*d.ExpectedOn)
	open := false
	for _, s := range waiting {
		open = open || d.Status == s
	}
	if !open {
		return Due{Label: on}
	}
	t := now.In(vietnamese.Zone)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	days := int(d.ExpectedOn.Sub(today).Hours() / 24)
	switch {
	case days < 0:
		return Due{Level: "overdue", Label: fmt.Sprintf("%s — quá hạn %d ngày", on, -days)}
	case days == 0:
		return Due{Level: "soon", Label: on + " — hết hạn hôm nay"}
	case days <= 2:
		return Due{Level: "soon", Label: fmt.Sprintf("%s — còn %d ngày", on, days)}
	}
	return Due{Level: "ok", Label: fmt.Sprintf("%s — còn %d ngày", on, days)}
}

// FeeStatus is the dossier's fee in words.
func (d *Dossier) FeeStatus() string {
	switch {
	case d.FeeUnconfirmed:
		return "Chưa rõ mức phí — cán bộ báo người dân"
	case d.FeeAmount == 0:
		return "Không mất phí"
	case d.FeePaidAt != nil:
		return "Đã nộp " + vietnamese.FormatVND(d.FeeAmount)
	}
	return "Chưa nộp " + vietnamese.FormatVND(d.FeeAmount)
}

// ValueText is a field's value as people read it: dates as dd/mm/yyyy,
// choices by their label, yes or no in words.
func ValueText(def procedures.Field, value string) string {
	switch def.Type {
	case procedures.FieldDate:
		if day, ok := vietnamese.ISODay(value); ok {
			return day
		}
	case procedures.FieldBoolean:
		switch value {
		case "true":
			return "Có"
		case "false":
			return "Không"
		}
	}
	for _, o := range def.Options {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// LowConfidence is below what staff should take without checking.
const LowConfidence = 0.8

// Low reports whether staff should check f against the scan: its
// confidence is low, or its sources disagree.
func (f Field) Low() bool { return f.Confidence < LowConfidence || len(f.Conflicts) > 0 }

// SourceLabel names where f's value was read, beside its conflicts.
func (f Field) SourceLabel() string { return SourceLabel(f.Provenance, f.Document) }

// searchFilter turns what staff typed into the queue's search box into a
// condition: a tracking code, the last four digits of the applicant's ID,
// or part of the applicant's name with or without diacritics.
func searchFilter(q string) (cond string, arg any) {
	q = strings.TrimSpace(vietnamese.NFC(q))
	if code, ok := NormalizeTrackingCode(q); ok {
		return "tracking_code = $?", code
	}
	if last4Re.MatchString(q) {
		return "right(applicant_id_masked, 4) = $?", q
	}
	return foldSQL("applicant_name") + " LIKE '%' || $? || '%'", escapeLike(vietnamese.Fold(q))
}

// foldSQL folds a column as vietnamese.Fold does, for names typed without
// diacritics; the letters are the precomposed ones NFC text holds.
func foldSQL(col string) string {
	return "translate(lower(" + col + "), '" + foldFrom + "', '" + foldTo + "')"
}

var foldFrom, foldTo = foldTable()

func foldTable() (from, to string) {
	const letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
	var f, t strings.Builder
	for _, r := range letters {
		f.WriteRune(r)
		t.WriteString(vietnamese.Fold(string(r)))
	}
	return f.String(), t.String()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// places fills the names of the dossiers' wards and the stations they were
// filed at, for staff who know them by name rather than code.
func (s *Service) places(ctx context.Context, list []Dossier) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	rows, err := s.pool.Query(ctx, `
		SELECT d.id::text, coalesce(ward_name(d.ward), ''), coalesce(st.name, '')
		FROM dossiers d
		LEFT JOIN kiosk_sessions ks ON ks.id = d.kiosk_session_id
		LEFT JOIN stations st ON st.id = ks.station_id
		WHERE d.id = ANY($1::uuid[])`, ids)
	if err != nil {
		return fmt.Errorf("dossier places: %w", err)
	}
	defer rows.Close()
	byID := map[string][2]string{}
	for rows.Next() {
		var id, ward, station string
		if err := rows.Scan(&id, &ward, &station); err != nil {
			return err
		}
		byID[id] = [2]string{ward, station}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range list {
		p := byID[list[i].ID]
		list[i].WardName, list[i].StationName = p[0], p[1]
	}
	return nil
}

// Rect is the field's box on its scan: x, y, width, height in pixels.
func (f Field) Rect() [4]int {
	if f.Box == nil {
		return [4]int{}
	}
	return *f.Box
}
