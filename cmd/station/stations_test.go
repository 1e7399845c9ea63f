package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/peterbourgon/ff/v3/ffcli"
)

// TestStationAndPaymentCommands drives station stations and station
// payments against a fresh database, as an operator would.
func TestStationAndPaymentCommands(t *testing.T) {
	ctx := context.Background()
	freshEnvironment(t)

	dir := t.TempDir()
	settlement := filepath.Join(dir, "settlement.csv")
	os.WriteFile(settlement, []byte("txn_ref,transaction_no,amount,pay_date,status\nCS0000000000AAAA,14000001,50000,20261124093000,00\n"), 0o600)
	malformed := filepath.Join(dir, "malformed.csv")
	os.WriteFile(malformed, []byte("ref,amount\nX,1\n"), 0o600)

	station := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		var cmd *ffcli.Command
		switch args[0] {
		case "stations":
			cmd = stationsCommand(&out, &errOut)
		case "payments":
			cmd = paymentsCommand(&out, &errOut)
		}
		err := cmd.ParseAndRun(ctx, args[1:])
		return out.String(), err
	}

	out, err := station("stations", "add", "-name", "Trạm Bến Thành", "-ward", "26743", "-lat", "10.772", "-lng", "106.698")
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`station ([0-9a-f-]{36}) registered`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "\ncst_") {
		t.Fatalf("add printed %q", out)
	}
	steps := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"stations", "add", "-name", "Trạm", "-ward", "1", "-lat", "north"}, "", "-lat"},
		{[]string{"stations", "add", "-ward", "26743"}, "", "Tên trạm"},
		{[]string{"stations", "list"}, "Trạm Bến Thành  offline", ""},
		{[]string{"stations", "rotate", id[1]}, "new device token", ""},
		{[]string{"stations", "rotate", "00000000-0000-0000-0000-000000000000"}, "", "Không tìm thấy trạm"},
		{[]string{"stations", "revoke", id[1]}, "revoked", ""},
		{[]string{"stations", "revoke", id[1]}, "", "thu hồi"},
		{[]string{"stations", "list", "-ward", "26743"}, "revoked", ""},
		{[]string{"payments", "reconcile", settlement}, "CS0000000000AAAA\tunknown_order", "differ"},
		{[]string{"payments", "reconcile", malformed}, "", `no "txn_ref" column`},
		{[]string{"payments", "refund", "-reason", "thử", "CS0000000000AAAA"}, "", "Không tìm thấy giao dịch"},
	}
	for _, s := range steps {
		out, err := station(s.args...)
		if s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)) {
			t.Errorf("station %v: error %v, want %q", s.args, err, s.wantErr)
		}
		if s.wantErr == "" && err != nil {
			t.Errorf("station %v: %v", s.args, err)
		}
		if !strings.Contains(out, s.want) {
			t.Errorf("station %v printed %q, want %q", s.args, out, s.want)
		}
	}
}
