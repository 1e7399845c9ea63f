package main

import "testing"

// TestUserAndAuditCommands drives station user and station audit against a
// fresh database, as an operator would.
func TestUserAndAuditCommands(t *testing.T) {
	freshEnvironment(t)

	runSteps(t, []step{
		{"mat-khau-rat-dai\n", []string{"user", "add", "--username", "lan", "--role", "ward_staff", "--ward", "26740,26737", "--password-stdin"}, "created lan (ward_staff, wards 26740,26737)", ""},
		{"mat-khau-rat-dai\n", []string{"user", "add", "--username", "tuan", "--role", "command_centre", "--password-stdin"}, "created tuan (command_centre, wards all)", ""},
		{"", []string{"user", "add", "--username", "minh", "--role", "ward_staff", "--ward", "26740"}, "", "--password-stdin"},
		{"short\n", []string{"user", "add", "--username", "minh", "--role", "ward_staff", "--ward", "26740", "--password-stdin"}, "", "ít nhất 10 ký tự"},
		{"mat-khau-rat-dai\n", []string{"user", "add", "--username", "minh", "--role", "mayor", "--ward", "26740", "--password-stdin"}, "", "Vai trò phải là"},
		{"mat-khau-moi-dai\n", []string{"user", "passwd", "--username", "lan", "--password-stdin"}, "password of lan changed", ""},
		{"", []string{"user", "disable", "--username", "tuan"}, "tuan disabled", ""},
		{"", []string{"user", "disable", "--username", "nobody"}, "", "Không có tài khoản này"},
		{"", []string{"user", "list"}, "disabled", ""},
		{"", []string{"audit", "-subject", "staff_user:lan"}, "staff.password_changed", ""},
		{"", []string{"audit", "-since", "1h", "-action", "staff.user_disabled"}, "staff_user:tuan", ""},
		{"", []string{"audit", "-since", "soon"}, "", "-since"},
	})
}
