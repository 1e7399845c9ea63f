package dossiers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// TestEveryTransition tries every move between every pair of statuses over
// HTTP: the resident's submit for moves to submitted, the staff transition
// endpoint for the rest. Allowed moves succeed and leave an event and an
// audit entry; every other one is a 409 that names both statuses (or a 404
// for drafts, which staff cannot see).
func TestEveryTransition(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	clerk := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	allowed := map[[2]dossiers.Status]bool{
		{"draft", "submitted"}:            true,
		{"submitted", "in_review"}:        true,
		{"in_review", "needs_supplement"}: true,
		{"needs_supplement", "submitted"}: true,
		{"in_review", "approved"}:         true,
		{"in_review", "rejected"}:         true,
		{"approved", "result_ready"}:      true,
		{"rejected", "result_ready"}:      true,
		{"result_ready", "completed"}:     true,
	}
	for _, from := range dossiers.Statuses {
		for _, to := range dossiers.Statuses {
			t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
				tryTransition(t, e, clerk, from, to, allowed[[2]dossiers.Status{from, to}])
			})
		}
	}
}

// tryTransition moves a dossier at from to to, as the resident for a
// submit and as clerk otherwise, and checks the answer: 200 when ok, 409
// naming both statuses when not, 404 for a draft staff cannot see.
func tryTransition(t *testing.T, e *env, clerk *stafftest.Client, from, to dossiers.Status, ok bool) {
	d := e.dossierAt(t, wardA, from)
	var (
		method, path = "POST", "/api/v1/staff/dossiers/" + d.ID + "/transition"
		as           = clerk
		body         any
		wantStatus   int
		wantBody     string
	)
	body = map[string]string{"to": string(to), "reason": "Thiếu giấy tờ chứng minh chỗ ở"}
	switch {
	case to == dossiers.StatusSubmitted:
		// Only the resident submits.
		path, as, body = "/api/v1/dossiers/"+d.ID+"/submit", nil, nil
	case from == dossiers.StatusDraft:
		ok, wantStatus, wantBody = false, 404, "dossier_not_found"
	}
	if wantStatus == 0 {
		if ok {
			wantStatus, wantBody = 200, `"status":"`+string(to)+`"`
		} else {
			wantStatus, wantBody = 409, "transition_not_allowed"
		}
	}
	before := e.count(t, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = 'dossier.transition'`, d.ID)
	r := stafftest.NewRequest(t, method, path, body)
	if as == nil {
		r.Header.Set(dossiers.SecretHeader, d.Secret)
	} else {
		as.Authorize(r)
	}
	rec := stafftest.Record(e.h, r)
	if rec.Code != wantStatus || !strings.Contains(rec.Body.String(), wantBody) {
		t.Fatalf("%s %s = %d %s; want %d with %s", method, path, rec.Code, rec.Body, wantStatus, wantBody)
	}
	if wantStatus == 409 {
		msg := rec.Body.String()
		if !strings.Contains(msg, from.Label()) || !strings.Contains(msg, to.Label()) {
			t.Errorf("409 message does not name both statuses: %s", msg)
		}
	}
	checkRecorded(t, e, clerk, d, from, to, ok, before, as == clerk)
}

// checkRecorded checks what a move left: for an allowed one, the last audit
// entry and event saying who, when and why (the clerk, when byClerk); for a
// refused one, the dossier and the audit log as they were, before being the
// count of its transition entries before the move.
func checkRecorded(t *testing.T, e *env, clerk *stafftest.Client, d *dossiers.Created, from, to dossiers.Status, ok bool, before int, byClerk bool) {
	// The last event and audit entry tell who, when and why.
	entries, err := audit.List(context.Background(), e.pool, audit.Filter{SubjectKind: "dossier", SubjectID: d.ID, Action: "dossier.transition", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		after := e.count(t, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = 'dossier.transition'`, d.ID)
		unchanged := e.count(t, `SELECT count(*) FROM dossiers WHERE id = $1 AND status = $2`, d.ID, string(from))
		if after != before || unchanged != 1 {
			t.Errorf("refused move changed the dossier or the audit log")
		}
		return
	}
	got := entries[0]
	if got.Details["from"] != string(from) || got.Details["to"] != string(to) || got.At.IsZero() {
		t.Errorf("audit entry %+v", got)
	}
	if byClerk && (got.Username != clerk.User.Username || got.Role != "ward_staff" || got.IP != "192.0.2.10") {
		t.Errorf("audit entry not by the clerk: %+v", got)
	}
	full, err := e.svc.Get(context.Background(), e.admin, audit.Actor{}, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := full.Events[len(full.Events)-1]
	if last.From != from || last.To != to || last.At.IsZero() || last.Actor == "" {
		t.Errorf("last event %+v", last)
	}
	if byClerk && (last.Actor != clerk.User.Username || last.Reason != "Thiếu giấy tờ chứng minh chỗ ở") {
		t.Errorf("event does not say who and why: %+v", last)
	}
}

func TestTransitionRules(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	clerk := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	inReview := e.dossierAt(t, wardA, dossiers.StatusInReview)
	supplement := e.dossierAt(t, wardA, dossiers.StatusNeedsSupplement)
	submitted := e.dossierAt(t, wardA, dossiers.StatusSubmitted)
	path := func(c *dossiers.Created) string { return "/api/v1/staff/dossiers/" + c.ID + "/transition" }

	tests := []struct {
		name       string
		path       string
		body       any
		wantStatus int
		wantBody   string
	}{
		{"supplement needs a message", path(inReview), map[string]string{"to": "needs_supplement"}, 400, "reason_required"},
		{"reject needs a reason", path(inReview), map[string]string{"to": "rejected", "reason": "  "}, 400, "reason_required"},
		{"unknown status", path(inReview), map[string]string{"to": "archived"}, 400, "status_invalid"},
		{"stale view refused", path(inReview), map[string]string{"to": "approved", "from": "submitted"}, 409, "status_changed"},
		{"staff cannot resubmit", path(supplement), map[string]string{"to": "submitted"}, 409, "resident_move"},
		{"bad body", path(inReview), "{", 400, "body_invalid"},
		{"approve with a note", path(inReview), map[string]string{"to": "approved", "from": "in_review"}, 200, `"decided_at"`},
		{"take into review", path(submitted), map[string]string{"to": "in_review"}, 200, `"status_label":"Đang giải quyết"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := clerk.Do(t, e.h, "POST", tt.path, tt.body)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("= %d %s; want %d with %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	var msg string
	e.pool.QueryRow(context.Background(), `SELECT resident_message FROM dossiers WHERE id = $1`, supplement.ID).Scan(&msg)
	if msg != "Lý do needs_supplement" {
		t.Errorf("supplement message %q", msg)
	}
}
