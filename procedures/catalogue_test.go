package procedures_test

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

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
	_ = procedures.Hybrid
}
