package procedures_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

func shippedEntry(t *testing.T, slug string) procedures.Entry {
	t.Helper()
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Slug == slug {
			return e
		}
	}
	t.Fatalf("no entry %s", slug)
	return procedures.Entry{}
}

func TestChargeForAppliesTheRule(t *testing.T) {
	day := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	temp := shippedEntry(t, "residence.temporary-register").Fees[0]
	renew := shippedEntry(t, "idcard.renew").Fees[0]
	marital := shippedEntry(t, "civil.marital-status-confirm").Fees[0]
	yes, no := true, false
	born := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	seven := int64(7000)
	reduced := procedures.Fee{Label: "Lệ phí", Amount: 20000, OnlineAmount: &seven,
		Basis:      procedures.FeeBasis{Document: "Thông tư A", Article: "Điều 5"},
		Reductions: []procedures.Reduction{{Amount: 3000, Channel: procedures.ChannelOnline, From: "2026-07-01", Until: "2026-12-31", Basis: procedures.FeeBasis{Document: "Thông tư B", Article: "Điều 1"}}}}
	cases := []struct {
		name        string
		fee         procedures.Fee
		who         procedures.Filer
		day         time.Time
		amount      int64
		exempt      bool
		unconfirmed bool
		needs       string
		reasonHas   string
		reasonLacks string
	}{
		{"adult online pays the online rate", temp, procedures.Filer{BirthDate: born(1990, 1, 1), Declared: &no, Channel: procedures.ChannelOnline}, day, 7000, false, false, "", "mức nộp trực tuyến", ""},
		{"adult at the desk pays the desk rate", temp, procedures.Filer{BirthDate: born(1990, 1, 1), Declared: &no, Channel: procedures.ChannelDesk}, day, 15000, false, false, "", "Thông tư 75/2022/TT-BTC", "trực tuyến"},
		{"70-year-old is exempt", temp, procedures.Filer{BirthDate: born(1956, 3, 2), Channel: procedures.ChannelOnline}, day, 0, true, false, "", "60 tuổi trở lên được miễn lệ phí (Điều 4 Thông tư 75/2022/TT-BTC ngày 22/12/2022)", ""},
		{"60 tomorrow is not yet exempt", temp, procedures.Filer{BirthDate: born(1966, 12, 6), Declared: &no, Channel: procedures.ChannelOnline}, day, 7000, false, false, "", "", ""},
		{"60 today is exempt", temp, procedures.Filer{BirthDate: born(1966, 12, 5), Channel: procedures.ChannelOnline}, day, 0, true, false, "", "60 tuổi", ""},
		{"child of 8 is exempt", temp, procedures.Filer{BirthDate: born(2018, 6, 1), Channel: procedures.ChannelOnline}, day, 0, true, false, "", "Trẻ em dưới 16 tuổi", ""},
		{"16 is no longer a child", temp, procedures.Filer{BirthDate: born(2010, 12, 5), Declared: &no, Channel: procedures.ChannelOnline}, day, 7000, false, false, "", "", ""},
		{"unknown age asks the birth year", temp, procedures.Filer{Channel: procedures.ChannelOnline}, day, 7000, false, false, "birth_date", "", ""},
		{"adult not asked yet gets the one question", temp, procedures.Filer{BirthDate: born(1990, 1, 1), Channel: procedures.ChannelOnline}, day, 7000, false, false, "declared", "", ""},
		{"declared meritorious service is exempt", temp, procedures.Filer{BirthDate: born(1990, 1, 1), Declared: &yes, Channel: procedures.ChannelOnline}, day, 0, true, false, "", "người có công", ""},
		{"card renewal has no age exemption", renew, procedures.Filer{BirthDate: born(1950, 1, 1), Declared: &no, Channel: procedures.ChannelOnline}, day, 50000, false, false, "", "50.000 đồng", "trực tuyến"},
		{"unconfirmed fee is never free", marital, procedures.Filer{BirthDate: born(1990, 1, 1), Declared: &no, Channel: procedures.ChannelOnline}, day, 0, false, true, "", "cán bộ phường sẽ báo lệ phí khi nhận hồ sơ", "không mất tiền"},
		{"unconfirmed fee, poor household, is exempt", marital, procedures.Filer{BirthDate: born(1990, 1, 1), Declared: &yes, Channel: procedures.ChannelOnline}, day, 0, true, false, "", "Điều 11 khoản 1 Luật Hộ tịch", ""},
		{"a reduction valid today applies", reduced, procedures.Filer{Channel: procedures.ChannelOnline}, day, 3000, false, false, "", "Thông tư B", ""},
		{"a reduction applies only on its channel", reduced, procedures.Filer{Channel: procedures.ChannelDesk}, day, 20000, false, false, "", "Thông tư A", ""},
		{"an expired reduction does not", reduced, procedures.Filer{Channel: procedures.ChannelOnline}, day.AddDate(0, 1, 0), 7000, false, false, "", "Thông tư A", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := procedures.ChargeFor(tc.fee, tc.who, tc.day)
			if c.Amount != tc.amount || c.Exempt != tc.exempt || c.Unconfirmed != tc.unconfirmed || c.Needs != tc.needs {
				t.Fatalf("got %+v, want amount %d exempt %v unconfirmed %v needs %q", c, tc.amount, tc.exempt, tc.unconfirmed, tc.needs)
			}
			if tc.needs != "" && c.Question == "" {
				t.Errorf("needs %s without a question", c.Needs)
			}
			if !strings.Contains(c.Reason, tc.reasonHas) {
				t.Errorf("reason %q lacks %q", c.Reason, tc.reasonHas)
			}
			if tc.reasonLacks != "" && strings.Contains(c.Reason, tc.reasonLacks) {
				t.Errorf("reason %q says %q", c.Reason, tc.reasonLacks)
			}
		})
	}
}

// The scripted run: every fee line of every procedure, for an adult, a
// person over 60 and a child, gives an amount with its basis or says staff
// will tell; none says "không mất tiền" without a confirmed zero.
func TestFeeTableForEveryProcedure(t *testing.T) {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	rows := procedures.FeeTable(entries, day)
	want := map[string][3]int64{ // adult, over 60, child
		"residence.temporary-register": {7000, 0, 0},
		"residence.permanent-register": {10000, 0, 0},
		"residence.household-split":    {5000, 0, 0},
		"idcard.reissue":               {70000, 70000, 70000},
		"passport.issue":               {200000, 200000, 200000},
		"civil.extract-copy":           {8000, 8000, 8000},
	}
	got := map[string][]int64{}
	for _, r := range rows {
		t.Logf("%-32s %-28.28s %-18s %7d %s", r.Slug, r.Label, r.Filer, r.Charge.Amount, r.Charge.Reason)
		if r.Charge.Reason == "" || strings.Contains(r.Charge.Reason, "không mất tiền") {
			t.Errorf("%s %q for %s: reason %q", r.Slug, r.Label, r.Filer, r.Charge.Reason)
		}
		if !r.Charge.Unconfirmed && r.Charge.Basis.Document == "" && isWardGroup(r.Slug) {
			t.Errorf("%s %q: %s charged without a basis", r.Slug, r.Label, r.Filer)
		}
		if r.Charge.Unconfirmed && !strings.Contains(r.Charge.Reason, "cán bộ phường sẽ báo lệ phí") {
			t.Errorf("%s: unconfirmed fee reads %q", r.Slug, r.Charge.Reason)
		}
		if _, ok := got[r.Slug]; !ok || len(got[r.Slug]) < 3 {
			got[r.Slug] = append(got[r.Slug], r.Charge.Amount)
		}
	}
	for slug, w := range want {
		if g := got[slug]; len(g) != 3 || g[0] != w[0] || g[1] != w[1] || g[2] != w[2] {
			t.Errorf("%s: adult, over 60, child pay %v, want %v", slug, g, w)
		}
	}
}

func isWardGroup(slug string) bool {
	g, _, _ := strings.Cut(slug, ".")
	return g == "residence" || g == "idcard" || g == "passport" || g == "civil"
}

// The catalogue check run by make test: no entry names a level abolished
// on 1 July 2025, and no checked date is more than 12 months old.
func TestCatalogueFactsAreCurrent(t *testing.T) {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	if stale := procedures.Stale(entries, time.Now()); len(stale) > 0 {
		t.Errorf("facts to check again:\n%s", strings.Join(stale, "\n"))
	}
	if stale := procedures.Stale(entries[:1], time.Now().AddDate(2, 0, 0)); len(stale) == 0 {
		t.Error("a date two years old is not reported")
	}
}

func TestLoadRejectsAbolishedLevels(t *testing.T) {
	for _, tc := range []struct {
		text string
		bad  bool
	}{
		{"Nộp tại UBND quận nơi cư trú.", true},
		{"Người đi khỏi huyện từ 3 tháng.", true},
		{"Công an thị xã tiếp nhận.", true},
		{"Nộp tại Công an phường.", false},
		{"Kể lại chuyện đã xảy ra.", false},
		{"Cơ quan quản lý xuất nhập cảnh.", false},
	} {
		entry := strings.Replace(goodEntry, "steps: [{title: Nộp, text: Nộp hồ sơ.}]", "steps: [{title: Nộp, text: "+tc.text+"}]", 1)
		_, err := procedures.Load(fstestEntry(entry))
		if (err != nil) != tc.bad {
			t.Errorf("%q: error %v, want bad=%v", tc.text, err, tc.bad)
		}
		if err != nil && !strings.Contains(err.Error(), "/steps/0/text") {
			t.Errorf("%q: error does not name the place: %v", tc.text, err)
		}
	}
}

func fstestEntry(body string) fstest.MapFS {
	return fstest.MapFS{"residence.test-entry.yaml": &fstest.MapFile{Data: []byte(body)}}
}

// A ward fee's basis gives the date it was issued, or the entry says the
// document is not confirmed yet.
func TestLoadWantsTheBasisDate(t *testing.T) {
	undated := strings.Replace(goodEntry, `, issued: "2022-12-22"}`, `}`, 1)
	if undated == goodEntry {
		t.Fatal("the test entry has no issue date to remove")
	}
	if _, err := procedures.Load(fstestEntry(undated)); err == nil || !strings.Contains(err.Error(), "/fees/0/basis/issued") {
		t.Errorf("an undated basis loads: %v", err)
	}
	listed := undated + "uncertain: [\"Ngày ban hành Thông tư 75/2022/TT-BTC cần đối chiếu.\"]\n"
	if _, err := procedures.Load(fstestEntry(listed)); err != nil {
		t.Errorf("an undated basis listed as uncertain is refused: %v", err)
	}
}
