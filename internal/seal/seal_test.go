package seal_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/seal"
)

const (
	keyA = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
	keyB = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE="
)

func TestRotation(t *testing.T) {
	old := seal.MustTest(keyA)
	sealed := old.Seal("079203001234", "dossier-1/id_number")
	digest := old.Digest("dossier-1", "1234")

	rotated, err := (&seal.Config{DataKey: keyB, PreviousKeys: " " + keyA + " ,"}).Sealer()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed, "dossier-1/id_number"); err != nil || got != "079203001234" {
		t.Fatalf("old value after rotation: %q, %v", got, err)
	}
	if rotated.Current(sealed) {
		t.Error("old value counted as sealed under the current key")
	}
	fresh := rotated.Seal("0903123456", "report-1/contact")
	if !rotated.Current(fresh) {
		t.Error("new value not sealed under the current key")
	}
	if _, err := old.Open(fresh, "report-1/contact"); err == nil {
		t.Error("the old key opened a value sealed under the new one")
	}
	if found := func() bool {
		for _, d := range rotated.Digests("dossier-1", "1234") {
			if bytes.Equal(d, digest) {
				return true
			}
		}
		return false
	}(); !found {
		t.Error("a digest made before the rotation does not match")
	}
	// Without the previous key the old value is lost.
	if _, err := seal.MustTest(keyB).Open(sealed, "dossier-1/id_number"); err == nil {
		t.Error("new key alone opened the old value")
	}
}

func TestContextBinds(t *testing.T) {
	s := seal.MustTest(keyA)
	sealed := s.Seal("0903123456", "report-1/contact")
	if _, err := s.Open(sealed, "report-2/contact"); err == nil {
		t.Error("opened in another row")
	}
	if _, err := s.Open(sealed, "report-1/name"); err == nil {
		t.Error("opened as another field")
	}
	if bytes.Contains(sealed, []byte("0903123456")) {
		t.Error("plain text in the sealed value")
	}
}

// TestLegacyValues: values sealed before rotation (version byte 1, the
// single data key) still open, whether that key is current or previous.
func TestLegacyValues(t *testing.T) {
	raw, _ := base64.StdEncoding.DecodeString(keyA)
	block, _ := aes.NewCipher(raw)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	legacy := aead.Seal(append([]byte{1}, nonce...), nonce, []byte("079203005678"), []byte("d/id_number"))

	rotated, _ := (&seal.Config{DataKey: keyB, PreviousKeys: keyA}).Sealer()
	for name, s := range map[string]*seal.Sealer{"current": seal.MustTest(keyA), "previous": rotated} {
		if got, err := s.Open(legacy, "d/id_number"); err != nil || got != "079203005678" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
}

func TestConfigNamesVariableWithoutEchoingKey(t *testing.T) {
	for _, c := range []seal.Config{{DataKey: "not-a-key-at-all"}, {}, {DataKey: keyA, PreviousKeys: "short-secret"}} {
		_, err := c.Sealer()
		if err == nil || !strings.Contains(err.Error(), "STATION_DATA_KEY") {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		if strings.Contains(err.Error(), "not-a-key") || strings.Contains(err.Error(), "short-secret") {
			t.Errorf("key echoed: %v", err)
		}
	}
}
