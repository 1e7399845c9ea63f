package procedures_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

// A few queries as residents type them, each with the entry it must rank
// first; TestSearchQuality measures the whole test set.
func TestSearchFindsWhatResidentsMean(t *testing.T) {
	pool := dbtest.New(t)
	c := procedurestest.Load(t, pool)
	ctx := context.Background()
	cases := []struct{ q, want string }{
		{"lam lai cccd bi mat", "idcard.reissue"},
		{"dang ki tam tru", "residence.temporary-register"},
		{"nhập hộ khẩu cho mẹ", "residence.permanent-register"},
		{"làm giấy khai sinh cho con", "civil.birth-register"},
		{"doi bang lai xe", "driving.licence-renew"},
		{"mất hộ chiếu", "passport.lost-report"},
	}
	for _, tc := range cases {
		res, err := c.Search(ctx, tc.q, 5)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		var got []string
		for _, r := range res {
			got = append(got, r.Slug)
		}
		t.Logf("%q → %v", tc.q, got)
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("%q: first result %v, want %s", tc.q, got, tc.want)
		}
	}
}

// The search's HNSW settings are local to its transaction: the pooled
// connection goes back with the server's defaults.
func TestSearchSettingsDoNotLeak(t *testing.T) {
	pool := dbtest.New(t)
	procedurestest.Load(t, pool)
	cfg := pool.Config()
	cfg.MaxConns = 1 // the search and the check share one connection
	one, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	c, err := procedures.New(one, procedures.NewLocalEmbedder())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Search(ctx, "gia hạn tạm trú", 3); err != nil {
		t.Fatal(err)
	}
	var ef, scan string
	if err := one.QueryRow(ctx, `SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')`).Scan(&ef, &scan); err != nil {
		t.Fatal(err)
	}
	if ef != "40" || scan != "off" {
		t.Fatalf("after a search the connection has ef_search %s, iterative_scan %s; want the defaults 40, off", ef, scan)
	}
}
