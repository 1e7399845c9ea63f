package tokens_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/citizenstation/citizenstation/internal/tokens"
)

// TestNew: tokens are 256 bits in URL-safe base64, never the same twice.
func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := tokens.New()
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) != 32 || len(tok) != 43 {
			t.Fatalf("token %q: %d bytes, %v", tok, len(b), err)
		}
		if seen[tok] {
			t.Fatalf("token %q made twice", tok)
		}
		seen[tok] = true
	}
}

// TestHash: the stored hash is the token's SHA-256, so tokens stored
// before this package keep working.
func TestHash(t *testing.T) {
	want := sha256.Sum256([]byte("cst_abc"))
	if got := tokens.Hash("cst_abc"); !bytes.Equal(got, want[:]) {
		t.Fatalf("Hash = %x, want %x", got, want)
	}
	if bytes.Equal(tokens.Hash("a"), tokens.Hash("b")) {
		t.Fatal("two tokens share a hash")
	}
}
