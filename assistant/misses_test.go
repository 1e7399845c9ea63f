package assistant

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

func TestMaskOpening(t *testing.T) {
	for in, want := range map[string]string{
		"làm căn cước cho mẹ tôi Nguyễn Thị Lan số 079050001234": "làm căn cước cho mẹ tôi [tên] số ********1234",
		"gọi cho tôi 0903123456":               "gọi cho tôi ******3456",
		"Tôi muốn nhập khẩu cho Trần Văn Bình": "Tôi muốn nhập khẩu cho [tên]",
		"bà cụ muốn xin tiền hộ nghèo":         "bà cụ muốn xin tiền hộ nghèo",
	} {
		if got := maskOpening(in); got != want {
			t.Errorf("maskOpening(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLearnFromMisses: an opening the guide does not understand is kept,
// masked; staff teach it as an alias of an entry (audited) and the same
// opening finds that entry at once; an opening abandoned at the candidate
// list is kept when its session expires.
func TestLearnFromMisses(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	catalogue := procedurestest.Load(t, pool)
	cfg := Defaults()
	svc, err := New(Deps{Pool: pool, Catalogue: catalogue, Teacher: catalogue, Logger: slog.New(slog.DiscardHandler), Sealer: seal.Ephemeral()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const opening = "bà Nguyễn Thị Lan muốn đăng ký hiến máu"
	c := startChat(t, svc, StartRequest{StationID: "st-01"})
	c.say(opening).want(StageIdentify, StatusOutOfScope)

	misses, err := svc.Misses(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(misses) != 1 || misses[0].Kind != MissNotFound || misses[0].StationID != "st-01" {
		t.Fatalf("misses %+v", misses)
	}
	if strings.Contains(misses[0].Text, "Lan") || !strings.Contains(misses[0].Text, "[tên]") {
		t.Fatalf("the name is kept: %q", misses[0].Text)
	}

	by := audit.Actor{Username: "quan.tri", Role: "admin"}
	if err := svc.ResolveMiss(ctx, by, misses[0].ID, "health.telemedicine", "alias"); err != nil {
		t.Fatal(err)
	}
	if err := svc.ResolveMiss(ctx, by, misses[0].ID, "health.telemedicine", "alias"); err == nil {
		t.Fatal("a miss resolved twice")
	}
	c = startChat(t, svc, StartRequest{})
	c.say("bà cụ muốn đăng ký hiến máu").want(StageConfirm, StatusAnswered)
	if !c.has("p:health.telemedicine") {
		c.fatalf("the taught entry is not offered: %+v", c.r.Choices)
	}
	var actions int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'catalogue.learn' AND subject_id = 'health.telemedicine' AND username = 'quan.tri'`).Scan(&actions); err != nil || actions != 1 {
		t.Fatalf("audit entries %d, %v", actions, err)
	}
	// A new import keeps what staff taught.
	if _, err := catalogue.Reindex(ctx); err != nil {
		t.Fatal(err)
	}
	e, err := catalogue.Get(ctx, "health.telemedicine")
	if err != nil || !slices.Contains(e.Aliases, "bà [tên] muốn đăng ký hiến máu") {
		t.Fatalf("aliases %v, %v", e.Aliases, err)
	}
	pairs, err := LearnedPairs(ctx, svc.store.pool)
	if err != nil || len(pairs) != 1 || pairs[0].Slug != "health.telemedicine" {
		t.Fatalf("pairs %+v, %v", pairs, err)
	}
	if suite := string(LearnedSuite(pairs)); !strings.Contains(suite, `"p:health.telemedicine"`) || !strings.Contains(suite, "hiến máu") {
		t.Fatalf("suite:\n%s", suite)
	}

	// Abandoned at the list: kept when the session expires.
	c = startChat(t, svc, StartRequest{})
	c.say("làm lại căn cước bị mất").want(StageConfirm, StatusAnswered)
	if _, err := svc.store.Purge(ctx, time.Now().Add(cfg.SessionTTL+time.Hour), 100); err != nil {
		t.Fatal(err)
	}
	if misses, err = svc.Misses(ctx, 10); err != nil {
		t.Fatal(err)
	}
	// Both later sessions stopped at the list: both are kept.
	if len(misses) != 2 || misses[0].Kind != MissAbandoned || misses[0].Text != "làm lại căn cước bị mất" || misses[0].Offered[0] != "idcard.reissue" {
		t.Fatalf("abandoned misses %+v", misses)
	}
}
