package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStationAndPaymentCommands drives station stations and station
// payments against a fresh database, as an operator would.
func TestStationAndPaymentCommands(t *testing.T) {
	freshEnvironment(t)

	dir := t.TempDir()
	settlement := filepath.Join(dir, "settlement.csv")
	os.WriteFile(settlement, []byte("txn_ref,transaction_no,amount,pay_date,status\nCS0000000000AAAA,14000001,50000,20261124093000,00\n"), 0o600)
	malformed := filepath.Join(dir, "malformed.csv")
	os.WriteFile(malformed, []byte("ref,amount\nX,1\n"), 0o600)

	out, err := station("stations", "add", "-name", "Trạm Bến Thành", "-ward", "26743", "-lat", "10.772", "-lng", "106.698")
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`station ([0-9a-f-]{36}) registered`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "\ncst_") {
		t.Fatalf("add printed %q", out)
	}
	runSteps(t, []step{
		{args: []string{"stations", "add", "-name", "Trạm", "-ward", "1", "-lat", "north"}, wantErr: "-lat"},
		{args: []string{"stations", "add", "-ward", "26743"}, wantErr: "Tên trạm"},
		{args: []string{"stations", "list"}, want: "Trạm Bến Thành  offline"},
		{args: []string{"stations", "rotate", id[1]}, want: "new device token"},
		{args: []string{"stations", "rotate", "00000000-0000-0000-0000-000000000000"}, wantErr: "Không tìm thấy trạm"},
		{args: []string{"stations", "revoke", id[1]}, want: "revoked"},
		{args: []string{"stations", "revoke", id[1]}, wantErr: "thu hồi"},
		{args: []string{"stations", "list", "-ward", "26743"}, want: "revoked"},
		{args: []string{"payments", "reconcile", settlement}, want: "CS0000000000AAAA\tunknown_order", wantErr: "differ"},
		{args: []string{"payments", "reconcile", malformed}, wantErr: `no "txn_ref" column`},
		{args: []string{"payments", "refund", "-reason", "thử", "CS0000000000AAAA"}, wantErr: "Không tìm thấy giao dịch"},
	})
}
