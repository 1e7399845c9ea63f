package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

func TestRecordCommitsWithTheTransactionAndNeverChanges(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	lan := audit.Actor{UserID: 7, Username: "lan", Role: "ward_staff", IP: "10.1.2.3", UserAgent: "Firefox"}

	// An entry in a rolled-back transaction is gone with the change.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: lan, Action: "dossier.read", SubjectKind: "dossier", SubjectID: "d1"}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback(ctx)

	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Actor: lan, Action: "dossier.transition", SubjectKind: "dossier", SubjectID: "d2",
			Ward: "26740", Details: map[string]any{"from": "submitted", "to": "in_review"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Record(ctx, pool, audit.Entry{Actor: audit.Actor{Role: "cli"}, Action: "staff.user_created", SubjectKind: "staff_user", SubjectID: "minh"}); err != nil {
		t.Fatal(err)
	}
	if err := audit.Record(ctx, pool, audit.Entry{}); err == nil {
		t.Fatal("entry without action accepted")
	}

	tests := []struct {
		f    audit.Filter
		want string
	}{
		{audit.Filter{}, "staff.user_created dossier.transition"},
		{audit.Filter{Username: "LAN"}, "dossier.transition"},
		{audit.Filter{SubjectKind: "dossier", SubjectID: "d1"}, ""},
		{audit.Filter{SubjectKind: "staff_user"}, "staff.user_created"},
		{audit.Filter{Since: time.Now().Add(time.Hour)}, ""},
		{audit.Filter{Limit: 1}, "staff.user_created"},
	}
	for _, tt := range tests {
		got, err := audit.List(ctx, pool, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range got {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, " ") != tt.want {
			t.Errorf("List(%+v) = %v, want %q", tt.f, actions, tt.want)
		}
	}
	e, _ := audit.List(ctx, pool, audit.Filter{Username: "lan"})
	if e[0].IP != "10.1.2.3" || e[0].UserID != 7 || e[0].Ward != "26740" || e[0].Details["to"] != "in_review" || e[0].At.IsZero() {
		t.Errorf("entry = %+v", e[0])
	}

	for _, sql := range []string{
		`UPDATE audit_log SET username = 'someone-else'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		if _, err := pool.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", sql, err)
		}
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE username = 'lan'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d entries of lan after refused changes", n)
	}
}
