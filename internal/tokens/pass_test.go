package tokens_test

import (
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/tokens"
)

// TestPass: a pass opens what it names until it expires, under the key
// that made it or after a rotation that keeps that key; nothing else.
func TestPass(t *testing.T) {
	const oldKey, newKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE="
	old := seal.MustTest(oldKey)
	now := time.Now()
	pass := tokens.NewPass(old, "dossier-papers:ABCDEFGHK", now.Add(tokens.PassTTL))
	rotated, err := (&seal.Config{DataKey: newKey, PreviousKeys: oldKey}).Sealer()
	if err != nil {
		t.Fatal(err)
	}
	forged := pass[:len(pass)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(pass, "A")]
	for _, c := range []struct {
		name    string
		k       tokens.Keyed
		subject string
		pass    string
		at      time.Time
		opens   bool
	}{
		{"as made", old, "dossier-papers:ABCDEFGHK", pass, now, true},
		{"after a rotation keeping the key", rotated, "dossier-papers:ABCDEFGHK", pass, now, true},
		{"another code", old, "dossier-papers:ABCDEFGHM", pass, now, false},
		{"expired", old, "dossier-papers:ABCDEFGHK", pass, now.Add(tokens.PassTTL + time.Second), false},
		{"another key", seal.MustTest(newKey), "dossier-papers:ABCDEFGHK", pass, now, false},
		{"a changed letter", old, "dossier-papers:ABCDEFGHK", forged, now, false},
		{"a later expiry", old, "dossier-papers:ABCDEFGHK", "zzzzzzz" + pass[strings.Index(pass, "."):], now, false},
		{"empty", old, "dossier-papers:ABCDEFGHK", "", now, false},
	} {
		if got := tokens.CheckPass(c.k, c.subject, c.pass, c.at); got != c.opens {
			t.Errorf("%s: opens %v", c.name, got)
		}
	}
}
