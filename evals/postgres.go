package evals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Store keeps past runs and the answer cache in PostgreSQL. The cache lives
// there rather than on disk because the database is what evaluators and CI
// already share: an answer one of them paid a model for is reused by all,
// concurrent runs write safely (ON CONFLICT), and old entries go with one
// DELETE.
type Store struct {
	pool *pgxpool.Pool
	// MaxAge is how long a cached answer is reused (default 14 days, as
	// promptfoo's cache).
	MaxAge time.Duration
}

// NewStore returns a store on pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, MaxAge: 14 * 24 * time.Hour}
}

// GetTranscript returns the cached transcript under key, if fresh.
func (s *Store) GetTranscript(ctx context.Context, key string) (*Transcript, bool, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx,
		`SELECT transcript FROM eval_cache WHERE key = $1 AND created_at > now() - make_interval(secs => $2)`,
		key, s.MaxAge.Seconds()).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("eval cache: %w", err)
	}
	var t Transcript
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, false, fmt.Errorf("eval cache %s: %w", key, err)
	}
	return &t, true, nil
}

// PutTranscript caches t under key, replacing an older answer.
func (s *Store) PutTranscript(ctx context.Context, key string, id Identity, t *Transcript) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO eval_cache (key, provider, model, prompt_version, transcript)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET transcript = EXCLUDED.transcript, created_at = now()`,
		key, id.Provider, id.Model, id.PromptVersion, raw)
	if err != nil {
		return fmt.Errorf("eval cache: %w", err)
	}
	return nil
}

// GetGrade returns the judge's cached grade under key, if fresh.
func (s *Store) GetGrade(ctx context.Context, key string) (Grade, bool, error) {
	var g Grade
	err := s.pool.QueryRow(ctx,
		`SELECT score, reason FROM eval_judge_cache WHERE key = $1 AND created_at > now() - make_interval(secs => $2)`,
		key, s.MaxAge.Seconds()).Scan(&g.Score, &g.Reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return g, false, nil
	}
	if err != nil {
		return g, false, fmt.Errorf("judge cache: %w", err)
	}
	return g, true, nil
}

// PutGrade caches a judge's grade under key.
func (s *Store) PutGrade(ctx context.Context, key, judge string, g Grade) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO eval_judge_cache (key, judge, score, reason) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET score = EXCLUDED.score, reason = EXCLUDED.reason, created_at = now()`,
		key, judge, g.Score, g.Reason)
	if err != nil {
		return fmt.Errorf("judge cache: %w", err)
	}
	return nil
}

// PruneCache deletes cached answers and grades older than MaxAge and
// returns how many.
func (s *Store) PruneCache(ctx context.Context) (int64, error) {
	var n int64
	for _, table := range []string{"eval_cache", "eval_judge_cache"} {
		tag, err := s.pool.Exec(ctx, `DELETE FROM `+table+` WHERE created_at <= now() - make_interval(secs => $1)`, s.MaxAge.Seconds())
		if err != nil {
			return n, err
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// RunSummary is a past run as the staff console lists it.
type RunSummary struct {
	ID         string      `json:"id"`
	StartedAt  time.Time   `json:"started_at"`
	FinishedAt time.Time   `json:"finished_at"`
	Passed     bool        `json:"passed"`
	PassRate   float64     `json:"pass_rate"`
	Suites     int         `json:"suites"`
	Cases      int         `json:"cases"`
	Label      string      `json:"label"`
	Results    []RunResult `json:"results"`
}

// RunResult is one suite against one provider in a run summary.
type RunResult struct {
	Suite         string  `json:"suite"`
	Provider      string  `json:"provider"`
	Model         string  `json:"model,omitempty"`
	PromptVersion string  `json:"prompt_version,omitempty"`
	PassRate      float64 `json:"pass_rate"`
	Threshold     float64 `json:"threshold"`
	Passed        bool    `json:"passed"`
}

func summarise(r *Report) []RunResult {
	out := []RunResult{}
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			out = append(out, RunResult{Suite: s.Name, Provider: p.Provider, Model: p.Identity.Model,
				PromptVersion: p.Identity.PromptVersion, PassRate: p.PassRate, Threshold: s.Threshold, Passed: p.Passed})
		}
	}
	return out
}

// SaveRun stores a finished run and sets r.ID.
func (s *Store) SaveRun(ctx context.Context, label string, r *Report) error {
	summary, err := json.Marshal(summarise(r))
	if err != nil {
		return err
	}
	full, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var id int64
	err = s.pool.QueryRow(ctx, `
		INSERT INTO eval_runs (started_at, finished_at, passed, pass_rate, suites, cases, label, summary, report)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		r.StartedAt, r.FinishedAt, r.Passed, r.PassRate(), len(r.Suites), r.Cases(), label, summary, full).Scan(&id)
	if err != nil {
		return fmt.Errorf("save eval run: %w", err)
	}
	r.ID = strconv.FormatInt(id, 10)
	return nil
}

// ListRuns returns past runs, newest first, at most limit, older than the
// run before (an id; empty for the newest).
func (s *Store) ListRuns(ctx context.Context, limit int, before string) ([]RunSummary, error) {
	var beforeID *int64
	if before != "" {
		id, err := strconv.ParseInt(before, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.New(apperr.Invalid, "invalid_cursor", "Tham số before không hợp lệ.")
		}
		beforeID = &id
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, started_at, finished_at, passed, pass_rate, suites, cases, label, summary
		FROM eval_runs WHERE ($1::bigint IS NULL OR id < $1)
		ORDER BY id DESC LIMIT $2`, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("list eval runs: %w", err)
	}
	defer rows.Close()
	runs := []RunSummary{}
	for rows.Next() {
		var (
			r       RunSummary
			id      int64
			summary []byte
		)
		if err := rows.Scan(&id, &r.StartedAt, &r.FinishedAt, &r.Passed, &r.PassRate, &r.Suites, &r.Cases, &r.Label, &summary); err != nil {
			return nil, err
		}
		r.ID = strconv.FormatInt(id, 10)
		if err := json.Unmarshal(summary, &r.Results); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// FindRun returns the stored run whose id is ref, or else the newest run
// labelled ref.
func (s *Store) FindRun(ctx context.Context, ref string) (*Report, error) {
	if _, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if r, err := s.GetRun(ctx, ref); err == nil || !apperr.IsKind(err, apperr.NotFound) {
			return r, err
		}
	}
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM eval_runs WHERE label = $1 ORDER BY id DESC LIMIT 1`, ref).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "eval_run_not_found", "Không tìm thấy lần chạy đánh giá này.")
	}
	if err != nil {
		return nil, fmt.Errorf("find eval run: %w", err)
	}
	return s.GetRun(ctx, strconv.FormatInt(id, 10))
}

// PreviousRun returns the run stored just before the run id, if any.
func (s *Store) PreviousRun(ctx context.Context, id string) (*Report, error) {
	var prev int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM eval_runs WHERE id < $1::bigint ORDER BY id DESC LIMIT 1`, id).Scan(&prev)
	if err != nil {
		return nil, err
	}
	return s.GetRun(ctx, strconv.FormatInt(prev, 10))
}

// GetRun returns a past run's full report.
func (s *Store) GetRun(ctx context.Context, id string) (*Report, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	notFound := apperr.New(apperr.NotFound, "eval_run_not_found", "Không tìm thấy lần chạy đánh giá này.")
	if err != nil {
		return nil, notFound
	}
	var raw []byte
	err = s.pool.QueryRow(ctx, `SELECT report FROM eval_runs WHERE id = $1`, n).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("get eval run: %w", err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	r.ID = id
	return &r, nil
}
