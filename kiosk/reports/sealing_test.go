package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

// TestContactSealedAtRest reads the raw columns: no reporter's phone number
// is stored in the clear, in the report or in the rate limit's keys (nor
// the reporter's address or device, nor their unkeyed hashes), and the
// officers who see the report still read it.
func TestContactSealedAtRest(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	sub := submission("theft", inSaiGon)
	sub.Description, sub.Contact = "Mất xe máy", "0903 123 456"
	sub.ClientIP, sub.DeviceID = "203.0.113.77", "phone-7f3a"
	r, err := svc.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	// (Contacts stored in the clear before 01050 are sealed by migration
	// 01901: TestSealPlainMigration, internal/app.)
	other := submission("theft", inBenThanh)
	other.Contact = "0912 345 678"
	old, err := svc.Submit(ctx, other)
	if err != nil {
		t.Fatal(err)
	}

	assertNoPlainPhone(t, pool, `SELECT r::text || encode(coalesce(contact_sealed, ''), 'escape') FROM reports r`)
	assertNoPlainPhone(t, pool, `SELECT key FROM rate_limits`)
	// The phone, address and device limits' keys are keyed digests: a
	// plain hash of a phone number or an address is found by trying every
	// one.
	keys := dbtest.Texts(t, pool, `SELECT key || ' ' || encode(coalesce(subject_sealed, ''), 'escape') FROM rate_limits`)
	for _, key := range keys {
		for _, plain := range []string{"0903123456", "203.0.113.77", "phone-7f3a"} {
			if sum := sha256.Sum256([]byte(plain)); strings.Contains(key, plain) || strings.Contains(key, hex.EncodeToString(sum[:12])) {
				t.Errorf("rate limit %q holds %s or its plain hash", key, plain)
			}
		}
	}
	for _, purpose := range []string{"report:ip:", "report:device:"} {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM rate_limits WHERE key LIKE $1 || '%' AND subject_sealed IS NOT NULL`, purpose).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d %s limit keys (%v), want 1", n, purpose, err)
		}
	}
	var keyed int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM rate_limits WHERE key LIKE 'report:phone:%'`).Scan(&keyed); err != nil || keyed != 2 {
		t.Errorf("%d phone limit keys (%v), want 2", keyed, err)
	}
	var plain int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM reports WHERE contact_sealed IS NULL`).Scan(&plain); err != nil || plain != 0 {
		t.Fatalf("%d reports with a plain or no sealed contact (%v)", plain, err)
	}

	for _, tc := range []struct {
		id, ward, want string
	}{{r.ID, saiGon, "0903 123 456"}, {old.ID, benThanh, "0912 345 678"}} {
		got, err := svc.Get(ctx, Officer{Wards: []string{tc.ward}}, tc.id)
		if err != nil || got.Contact != tc.want {
			t.Errorf("officer of %s reads contact %q (%v), want %q", tc.ward, got.Contact, err, tc.want)
		}
		if _, err := svc.Get(ctx, Officer{Wards: []string{tanDinh}}, tc.id); err == nil {
			t.Errorf("officer of another ward read report %s", tc.id)
		}
	}
	// A sealed contact copied to another report does not open there.
	if _, err := pool.Exec(ctx, `UPDATE reports SET contact_sealed = (SELECT contact_sealed FROM reports WHERE id = $1) WHERE id = $2`, r.ID, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, Officer{CommandCentre: true}, old.ID); err == nil {
		t.Error("a contact moved to another report opened")
	}
}

// assertNoPlainPhone fails when any text the query returns holds a phone
// number of the tests, with or without its spaces.
func assertNoPlainPhone(t *testing.T, pool *pgxpool.Pool, sql string) {
	t.Helper()
	for _, text := range dbtest.Texts(t, pool, sql) {
		for _, phone := range []string{"0903123456", "0903 123 456", "903123456", "0912345678", "0912 345 678"} {
			if strings.Contains(text, phone) {
				t.Errorf("%s: plain phone number %q stored", sql, phone)
			}
		}
	}
}
