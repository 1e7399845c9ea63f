package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUserAndAuditCommands drives station user and station audit against a
// fresh database, as an operator would.
func TestUserAndAuditCommands(t *testing.T) {
	ctx := context.Background()
	freshEnvironment(t)

	station := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		cmd := userCommand(strings.NewReader(stdin), &out, &errOut)
		if args[0] == "audit" {
			cmd = auditCommand(&out, &errOut)
			args = args[1:]
		}
		if err := cmd.ParseAndRun(ctx, args); err != nil {
			return out.String(), err
		}
		return out.String(), nil
	}
	steps := []struct {
		stdin   string
		args    []string
		want    string
		wantErr string
	}{
		{"mat-khau-rat-dai\n", []string{"add", "--username", "lan", "--role", "ward_staff", "--ward", "26734,26737", "--password-stdin"}, "created lan (ward_staff, wards 26734,26737)", ""},
		{"mat-khau-rat-dai\n", []string{"add", "--username", "tuan", "--role", "command_centre", "--password-stdin"}, "created tuan (command_centre, wards all)", ""},
		{"", []string{"add", "--username", "minh", "--role", "ward_staff", "--ward", "26734"}, "", "--password-stdin"},
		{"short\n", []string{"add", "--username", "minh", "--role", "ward_staff", "--ward", "26734", "--password-stdin"}, "", "ít nhất 10 ký tự"},
		{"mat-khau-rat-dai\n", []string{"add", "--username", "minh", "--role", "mayor", "--ward", "26734", "--password-stdin"}, "", "Vai trò phải là"},
		{"mat-khau-moi-dai\n", []string{"passwd", "--username", "lan", "--password-stdin"}, "password of lan changed", ""},
		{"", []string{"disable", "--username", "tuan"}, "tuan disabled", ""},
		{"", []string{"disable", "--username", "nobody"}, "", "Không có tài khoản này"},
		{"", []string{"list"}, "disabled", ""},
		{"", []string{"audit", "-subject", "staff_user:lan"}, "staff.password_changed", ""},
		{"", []string{"audit", "-since", "1h", "-action", "staff.user_disabled"}, "staff_user:tuan", ""},
		{"", []string{"audit", "-since", "soon"}, "", "-since"},
	}
	for _, s := range steps {
		out, err := station(s.stdin, s.args...)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Errorf("station %v: error %v, want %q", s.args, err, s.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out, s.want) {
			t.Errorf("station %v = %q, %v; want %q", s.args, out, err, s.want)
		}
	}
}
