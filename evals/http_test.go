package evals

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
)

func TestStoreKeepsRunsNewestFirst(t *testing.T) {
	store := NewStore(dbtest.New(t))
	ctx := context.Background()
	for i, wrong := range [][]string{nil, {"a"}, {"a", "b", "c"}} {
		r := runFixed(t, fourCases, wrong...)
		if err := store.SaveRun(ctx, []string{"baseline", "prompt v2", "prompt v3"}[i], r); err != nil {
			t.Fatal(err)
		}
		if r.ID == "" {
			t.Fatal("SaveRun must set the id")
		}
	}
	runs, err := store.ListRuns(ctx, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Label != "prompt v3" || runs[0].Passed || runs[0].PassRate != 0.25 || runs[1].Label != "prompt v2" {
		t.Fatalf("runs = %+v", runs)
	}
	if r := runs[0].Results; len(r) != 1 || r[0].Suite != "residence" || r[0].Provider != "guide" || r[0].Threshold != 0.75 {
		t.Errorf("results = %+v", r)
	}
	older, err := store.ListRuns(ctx, 10, runs[1].ID)
	if err != nil || len(older) != 1 || older[0].Label != "baseline" {
		t.Fatalf("page before %s = %+v, %v", runs[1].ID, older, err)
	}
	full, err := store.GetRun(ctx, older[0].ID)
	if err != nil || full.Cases() != 4 || !full.Passed {
		t.Fatalf("GetRun = %v, %v", full, err)
	}
}

func TestRunsAPI(t *testing.T) {
	pool := dbtest.New(t)
	store := NewStore(pool)
	r := runFixed(t, fourCases, "a")
	if err := store.SaveRun(context.Background(), "nightly", r); err != nil {
		t.Fatal(err)
	}
	staffSvc := staff.NewService(pool, staff.DefaultConfig())
	h := &Handler{Store: store, Token: "evaluator-token-0123456789", Staff: staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre)}
	srv := httpserver.New(httpserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, h).Handler()
	admin := stafftest.SignIn(t, pool, staff.RoleAdmin)
	wardStaff := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26734")

	tests := []struct {
		name     string
		client   *stafftest.Client
		header   string
		path     string
		status   int
		contains string
	}{
		{"anonymous", nil, "", "/api/v1/evals/runs", 401, ""},
		{"wrong token", nil, "X-Eval-Token: nope", "/api/v1/evals/runs", 401, ""},
		{"evaluator token", nil, "X-Eval-Token: evaluator-token-0123456789", "/api/v1/evals/runs", 200, `"label":"nightly"`},
		{"bearer token", nil, "Authorization: Bearer evaluator-token-0123456789", "/api/v1/evals/runs?limit=5", 200, `"pass_rate":0.75`},
		{"admin", admin, "", "/api/v1/evals/runs", 200, `"suite":"residence"`},
		{"ward staff", wardStaff, "", "/api/v1/evals/runs", 403, "role_forbidden"},
		{"bad limit", admin, "", "/api/v1/evals/runs?limit=0", 400, "invalid_limit"},
		{"bad cursor", admin, "", "/api/v1/evals/runs?before=x", 400, "invalid_cursor"},
		{"one run", admin, "", "/api/v1/evals/runs/" + r.ID, 200, `"description":"a"`},
		{"no such run", admin, "", "/api/v1/evals/runs/999999", 404, "eval_run_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := stafftest.NewRequest(t, http.MethodGet, tt.path, nil)
			if name, value, ok := strings.Cut(tt.header, ": "); ok {
				req.Header.Set(name, value)
			}
			if tt.client != nil {
				tt.client.Authorize(req)
			}
			rec := stafftest.Record(srv, req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Fatalf("%s: %d %s", tt.path, rec.Code, rec.Body.String())
			}
			if rec.Code == 200 && !json.Valid(rec.Body.Bytes()) {
				t.Error("body is not JSON")
			}
		})
	}
}
