package staff_test

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/staff"
)

// Low: weak staff passwords were accepted; now length and a list of
// common passwords are checked.
func TestSecurityWeakPasswordsRefused(t *testing.T) {
	svc := staff.NewService(dbtest.New(t), staff.Config{})
	root := audit.Actor{Username: "root", Role: "cli"}
	for _, pw := range []string{"1234567890", "Password123", "aaaaaaaaaaaa", "matkhau123", "short"} {
		_, err := svc.CreateUser(context.Background(), root, staff.NewUser{Username: "lan.nguyen", Role: staff.RoleAdmin, Password: pw})
		if code := apperr.CodeOf(err); code != "password_common" && code != "password_too_short" {
			t.Errorf("password %q: %v, want it refused", pw, err)
		}
	}
	if _, err := svc.CreateUser(context.Background(), root, staff.NewUser{Username: "lan.nguyen", Role: staff.RoleAdmin, Password: "mật-khẩu-đủ-dài"}); err != nil {
		t.Fatalf("a good password refused: %v", err)
	}
}
