package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// A department a report is routed to (fire police, traffic police, the
// ambulance centre…) is told by a job, not by the request that stored the
// report: the job is inserted in the report's transaction, so it exists
// exactly when the report does, and River retries it with backoff until the
// city's dispatch endpoint (STATION_REPORTS_NOTIFY_URL) takes it. One that
// fails every attempt is kept as discarded, where administrators see it
// (GET /api/v1/jobs/discarded) and run it again. Ward police and the
// command centre watch the duty feed and need no notification.

// NotifyArgs is the job that tells one department of one report. It
// carries identifiers only, never what the resident wrote.
type NotifyArgs struct {
	ReportID   string `json:"report_id"`
	Department string `json:"department"`
}

// Kind is the job's kind for River.
func (NotifyArgs) Kind() string { return "report-notify" }

// Inserter inserts a job inside a transaction (jobs.Queue does).
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// SetNotifier makes the service insert a notification job per department
// a new report is routed to.
func (s *Service) SetNotifier(n Inserter) { s.notify = n }

// queueNotifications inserts the jobs of a stored report's departments.
func (s *Service) queueNotifications(ctx context.Context, tx pgx.Tx, reportID string, targets []Target) error {
	if s.notify == nil {
		return nil
	}
	for _, t := range targets {
		if t.Kind != ToDepartment {
			continue
		}
		if err := s.notify.InsertTx(ctx, tx, NotifyArgs{ReportID: reportID, Department: t.Code}, nil); err != nil {
			return fmt.Errorf("queue notification of %s: %w", t.Code, err)
		}
	}
	return nil
}

// Notification is what the dispatch endpoint receives: enough to open the
// report in the duty console, no personal data.
type Notification struct {
	ReportID   string    `json:"report_id"`
	Code       string    `json:"code"`
	Department string    `json:"department"`
	Category   string    `json:"category"`
	Urgency    string    `json:"urgency"`
	WardCode   string    `json:"ward_code,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// NotifyWorker delivers notifications: a POST of the Notification as JSON
// to URL; any answer but 2xx is a failure River retries.
type NotifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	Pool *pgxpool.Pool
	URL  string
	HTTP *http.Client
	// RetryAfter, when set, replaces River's backoff (tests).
	RetryAfter time.Duration
}

// Work sends one notification.
func (w *NotifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	n := Notification{ReportID: job.Args.ReportID, Department: job.Args.Department}
	err := w.Pool.QueryRow(ctx, `SELECT code, category, urgency, coalesce(ward_code, ''), created_at
		FROM reports WHERE id = $1`, job.Args.ReportID).Scan(&n.Code, &n.Category, &n.Urgency, &n.WardCode, &n.CreatedAt)
	if err == pgx.ErrNoRows {
		return river.JobCancel(fmt.Errorf("report %s is gone", job.Args.ReportID))
	}
	if err != nil {
		return err
	}
	body, _ := json.Marshal(n)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return river.JobCancel(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("report-notify-%d", job.ID))
	hc := w.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("notify %s: %w", n.Department, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify %s: dispatch answered %s", n.Department, resp.Status)
	}
	return nil
}

// NextRetry is River's backoff unless RetryAfter is set.
func (w *NotifyWorker) NextRetry(*river.Job[NotifyArgs]) time.Time {
	if w.RetryAfter > 0 {
		return time.Now().Add(w.RetryAfter)
	}
	return time.Time{}
}
