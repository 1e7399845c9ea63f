package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Failed is a discarded job as staff see it: what it was, how often it was
// tried and its last error. Job arguments hold identifiers only (a report's
// id, an order's reference), never a resident's data, so they are shown.
type Failed struct {
	ID          int64
	Kind        string
	Args        string
	Attempts    int
	MaxAttempts int
	LastError   string
	CreatedAt   time.Time
	DiscardedAt time.Time
}

// Discarded lists up to limit discarded jobs, newest first.
func (q *Queue) Discarded(ctx context.Context, limit int) ([]Failed, error) {
	params := river.NewJobListParams().
		States(rivertype.JobStateDiscarded).
		OrderBy(river.JobListOrderByFinalizedAt, river.SortOrderDesc).
		First(limit)
	res, err := q.client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list discarded jobs: %w", err)
	}
	out := make([]Failed, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		f := Failed{ID: j.ID, Kind: j.Kind, Args: string(j.EncodedArgs), Attempts: j.Attempt,
			MaxAttempts: j.MaxAttempts, CreatedAt: j.CreatedAt}
		if j.FinalizedAt != nil {
			f.DiscardedAt = *j.FinalizedAt
		}
		if n := len(j.Errors); n > 0 {
			f.LastError = j.Errors[n-1].Error
		}
		out = append(out, f)
	}
	return out, nil
}

// ErrNotDiscarded is returned by Retry for a job that is not discarded.
var ErrNotDiscarded = errors.New("job is not discarded")

// Retry makes a discarded job available again, for one more round of
// attempts.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	job, err := q.client.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return ErrNotDiscarded
	}
	if err != nil {
		return err
	}
	if job.State != rivertype.JobStateDiscarded {
		return ErrNotDiscarded
	}
	_, err = q.client.JobRetry(ctx, id)
	return err
}
