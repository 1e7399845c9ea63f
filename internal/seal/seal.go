// Package seal encrypts personal data at rest with AES-256-GCM under the
// station's data keys, and makes keyed digests of it.
//
// A sealed value is one key-id byte, a random nonce and the ciphertext. The
// additional data ("context") binds it to its row and field, so a sealed
// value copied elsewhere does not open. The current key seals; previous
// keys, kept during a rotation, still open what they sealed until
// station rekey has sealed it again under the current key.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// legacyID is the byte every value sealed before key rotation starts with;
// any configured key may have sealed it.
const legacyID = 1

// ErrOpen is returned for a value that no configured key opens in its
// context.
var ErrOpen = errors.New("sealed value does not open with the data keys")

type key struct {
	id   byte
	aead cipher.AEAD
	mac  []byte // key for the digests, derived from the data key
}

// Sealer seals with the current key and opens with any configured key.
type Sealer struct {
	keys []key // keys[0] is the current key
}

// New returns a Sealer sealing with current and opening with current and
// previous; every key is 32 bytes.
func New(current []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{}
	for _, raw := range append([][]byte{current}, previous...) {
		k, err := newKey(raw)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, k)
	}
	return s, nil
}

func newKey(raw []byte) (key, error) {
	if len(raw) != 32 {
		return key{}, fmt.Errorf("data key is %d bytes, want 32", len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return key{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("citizenstation dossier verification digests"))
	id := sha256.Sum256(append([]byte("citizenstation data key id\x00"), raw...))
	// Ids 0 and 1 are reserved (1 marks values sealed before rotation).
	return key{id: 2 + id[0]%254, aead: aead, mac: m.Sum(nil)}, nil
}

// Seal encrypts plaintext bound to context with the current key.
func (s *Sealer) Seal(plaintext, context string) []byte {
	k := s.keys[0]
	ns := k.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+k.aead.Overhead())
	out[0] = k.id
	rand.Read(out[1:])
	return k.aead.Seal(out, out[1:1+ns], []byte(plaintext), []byte(context))
}

// Open decrypts a value sealed in context by any configured key.
func (s *Sealer) Open(sealed []byte, context string) (string, error) {
	if len(sealed) == 0 {
		return "", ErrOpen
	}
	for _, k := range s.keys {
		ns := k.aead.NonceSize()
		if len(sealed) < 1+ns || (sealed[0] != k.id && sealed[0] != legacyID) {
			continue
		}
		if plain, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(context)); err == nil {
			return string(plain), nil
		}
	}
	return "", ErrOpen
}

// Current reports whether sealed is sealed under the current key, so
// station rekey knows what to seal again.
func (s *Sealer) Current(sealed []byte) bool {
	return len(sealed) > 0 && sealed[0] == s.keys[0].id
}

// CurrentID is the first byte of every value the current key seals.
func (s *Sealer) CurrentID() byte { return s.keys[0].id }

// Digest is a keyed hash of value in context under the current key, for
// matching a value (the last digits of a number, a phone number) without
// keeping it in the clear.
func (s *Sealer) Digest(context, value string) []byte {
	return digest(s.keys[0].mac, context, value)
}

// Digests is value's digest under every configured key, current first:
// a digest stored before a rotation matches one of them.
func (s *Sealer) Digests(context, value string) [][]byte {
	out := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		out[i] = digest(k.mac, context, value)
	}
	return out
}

func digest(mac []byte, context, value string) []byte {
	m := hmac.New(sha256.New, mac)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// ParseKey reads a 32-byte key written as base64 (standard or URL, padded
// or not) or as 64 hex digits.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("decodes to %d bytes, want 32", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("want 32 bytes written as base64 or 64 hex digits (make one with: openssl rand -base64 32)")
}
