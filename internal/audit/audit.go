// Package audit keeps the append-only record of who read personal data or
// changed something, when, and from where. It is a package of its own so that
// every capability (staff, dossiers, reports, kiosk) records into the same log
// inside its own transaction: the entry commits with the change it describes,
// or not at all. The database refuses to update or delete entries.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Actor is who did something and from where. A resident at a kiosk has no
// user ID; Role then says "resident" or "kiosk".
type Actor struct {
	UserID    int64  `json:"user_id,omitempty"`
	Username  string `json:"username,omitempty"`
	Role      string `json:"role,omitempty"`
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// Entry is one line of the audit log.
type Entry struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	Actor
	// Action names what happened, as "subject.verb": "dossier.read",
	// "dossier.transition", "staff.login".
	Action      string         `json:"action"`
	SubjectKind string         `json:"subject_kind,omitempty"` // "dossier", "staff_user", "report"
	SubjectID   string         `json:"subject_id,omitempty"`
	Ward        string         `json:"ward,omitempty"`
	Details     map[string]any `json:"details,omitempty"`
}

// Execer is what Record writes through: a pgx.Tx in the caller's
// transaction, or a pool or connection for an entry that stands alone.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// columns are the ones an entry fills, in the order of Entry.args.
const columns = `user_id, username, role, action, subject_kind, subject_id, ward, ip, user_agent, details`

const insertSQL = `INSERT INTO audit_log (` + columns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

// Record appends e to the log through db, normally the caller's transaction.
// The time is the database's.
func Record(ctx context.Context, db Execer, e Entry) error {
	args, err := e.args()
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, insertSQL, args...); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// Queue adds the recording of e to batch b, so that it goes to the database
// in the same round trip, and the same implicit transaction, as the reads
// it records.
func Queue(b *pgx.Batch, e Entry) error {
	args, err := e.args()
	if err != nil {
		return err
	}
	b.Queue(insertSQL, args...)
	return nil
}

// InsertFor returns an INSERT that records e once for each row of from (a
// common table expression of the caller's query, with a ward column), and
// its arguments, numbered from $first. Used inside a WITH query, it records
// a read in the very statement that reads, and only for the rows the reader
// was allowed to see.
func InsertFor(e Entry, from string, first int) (string, []any, error) {
	args, err := e.args()
	if err != nil {
		return "", nil, err
	}
	// The ward is the row's; every other value is a parameter.
	const wardArg = 6
	values := make([]string, len(args))
	n := first
	for i := range values {
		if i == wardArg {
			values[i] = from + ".ward"
			continue
		}
		values[i] = fmt.Sprintf("$%d", n)
		n++
	}
	args = slices.Delete(args, wardArg, wardArg+1)
	return `INSERT INTO audit_log (` + columns + `) SELECT ` + strings.Join(values, ", ") + ` FROM ` + from, args, nil
}

func (e Entry) args() ([]any, error) {
	if e.Action == "" {
		return nil, fmt.Errorf("audit: entry without an action")
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("audit: details: %w", err)
	}
	var userID *int64
	if e.UserID != 0 {
		userID = &e.UserID
	}
	return []any{userID, e.Username, e.Role, e.Action, e.SubjectKind, e.SubjectID, e.Ward, e.IP, truncate(e.UserAgent, 512), b}, nil
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	Username    string
	SubjectKind string
	SubjectID   string
	Action      string
	Since       time.Time
	// Limit bounds the answer; 0 means 100.
	Limit int
}

// Querier is what List reads through: a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// List returns the entries matching f, newest first.
func List(ctx context.Context, db Querier, f Filter) ([]Entry, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Username != "" {
		add("username = $%d", strings.ToLower(f.Username))
	}
	if f.SubjectKind != "" {
		add("subject_kind = $%d", f.SubjectKind)
	}
	if f.SubjectID != "" {
		add("subject_id = $%d", f.SubjectID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", f.Since)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	sql := `SELECT id, at, coalesce(user_id, 0), username, role, action, subject_kind, subject_id, ward, ip, user_agent, details FROM audit_log`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := row.Scan(&e.ID, &e.At, &e.UserID, &e.Username, &e.Role, &e.Action, &e.SubjectKind, &e.SubjectID, &e.Ward, &e.IP, &e.UserAgent, &e.Details)
		return e, err
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
