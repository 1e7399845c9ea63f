package evals

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

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
	srv, admin, wardStaff := serveToStaff(t, pool, staff.RoleAdmin, func(s *staff.Service) *Handler {
		return &Handler{Store: store, Token: "evaluator-token-0123456789", Staff: s.Require(staff.RoleAdmin, staff.RoleCommandCentre)}
	})

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

// TestViewerPages drives the console's run viewer as staff would: the list
// of runs, one run filtered to its failed cases or a search, the cases
// that changed against the run before, and the comparison of two runs by
// label; evaluators and admins see them, ward staff do not, and a browser
// without a session is sent to sign in.
func TestViewerPages(t *testing.T) {
	pool := dbtest.New(t)
	store := NewStore(pool)
	ctx := context.Background()
	before, after := runFixed(t, fourCases), runFixed(t, fourCases, "b")
	if err := store.SaveRun(ctx, "before", before); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveRun(ctx, "after", after); err != nil {
		t.Fatal(err)
	}
	srv, evaluator, wardStaff := serveToStaff(t, pool, staff.RoleEvaluator, func(s *staff.Service) *Handler {
		roles := []staff.Role{staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleEvaluator}
		return &Handler{Store: store, Staff: s.Require(roles...), Pages: s.RequirePage(roles...)}
	})

	tests := []struct {
		name        string
		client      *stafftest.Client
		path        string
		status      int
		contains    []string
		notContains string
	}{
		{"signed out", nil, "/staff/evals", 303, nil, ""},
		{"ward staff", wardStaff, "/staff/evals", 403, []string{"role_forbidden"}, ""},
		{"the runs", evaluator, "/staff/evals", 200, []string{"after", "before", "75.0%"}, ""},
		{"a run", evaluator, "/staff/evals/" + after.ID, 200, []string{"Hiện 4 / 4 ca", `data-text="b`}, ""},
		{"failed only", evaluator, "/staff/evals/" + after.ID + "?status=failed", 200, []string{"Hiện 1 / 4 ca", "lạc đề"}, `data-text="a `},
		{"a search without marks", evaluator, "/staff/evals/after?q=LAC+DE", 200, []string{"Hiện 1 / 4 ca"}, ""},
		{"changed since the run before", evaluator, "/staff/evals/after?status=changed", 200, []string{"Hiện 1 / 4 ca", "100% → 0%", "Đổi kết quả: end equals ok: pass → FAIL"}, ""},
		{"compare by label", evaluator, "/staff/evals/compare?old=before&new=after", 200, []string{"Tỉ lệ đạt 100.0% → <b>75.0%</b> (-25.0 points)", "Kém đi (1)", "end equals ok: pass → FAIL", "trả lời mới"}, "Không so sánh được"},
		{"no such run", evaluator, "/staff/evals/compare?old=before&new=nosuch", 404, []string{"eval_run_not_found"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := stafftest.NewRequest(t, http.MethodGet, tt.path, nil)
			if tt.client != nil {
				tt.client.Authorize(req)
			}
			rec := stafftest.Record(srv, req)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("%s: %d %s", tt.path, rec.Code, body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(body, want) {
					t.Errorf("%s lacks %q", tt.path, want)
				}
			}
			if tt.notContains != "" && strings.Contains(body, tt.notContains) {
				t.Errorf("%s holds %q", tt.path, tt.notContains)
			}
			if tt.status == 303 && !strings.HasPrefix(rec.Header().Get("Location"), "/staff/login?next=%2Fstaff%2Fevals") {
				t.Errorf("redirect to %q", rec.Header().Get("Location"))
			}
		})
	}
}

// serveToStaff serves the handler made on the staff service, and signs in
// a member of staff with role and a ward officer, whom it must refuse.
func serveToStaff(t *testing.T, pool *pgxpool.Pool, role staff.Role, handler func(*staff.Service) *Handler) (srv http.Handler, member, wardStaff *stafftest.Client) {
	t.Helper()
	h := handler(staff.NewService(pool, staff.DefaultConfig()))
	srv = httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, h).Handler()
	return srv, stafftest.SignIn(t, pool, role), stafftest.SignIn(t, pool, staff.RoleWardStaff, "26740")
}
