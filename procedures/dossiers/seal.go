package dossiers

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

// sealer encrypts personal numbers with AES-256-GCM. Each sealed value is a
// version byte, a random nonce and the ciphertext; the additional data binds
// it to its dossier and field, so a sealed value copied to another row does
// not open.
type sealer struct {
	aead cipher.AEAD
	mac  []byte // key for the verification digests, derived from the data key
}

const sealVersion = 1

// parseDataKey reads a 32-byte key written as base64 (standard or URL,
// padded or not) or as 64 hex digits.
func parseDataKey(s string) ([]byte, error) {
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

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("citizenstation dossier verification digests"))
	return &sealer{aead: aead, mac: m.Sum(nil)}, nil
}

func (s *sealer) seal(plaintext, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	rand.Read(nonce)
	out := append([]byte{sealVersion}, nonce...)
	return s.aead.Seal(out, nonce, []byte(plaintext), []byte(context))
}

var errUnseal = errors.New("sealed value does not open with this data key")

func (s *sealer) open(sealed []byte, context string) (string, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns || sealed[0] != sealVersion {
		return "", errUnseal
	}
	plain, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(context))
	if err != nil {
		return "", errUnseal
	}
	return string(plain), nil
}

// digest is a keyed hash of value in context, for checking the last four
// digits a resident gives without keeping them in the clear.
func (s *sealer) digest(context, value string) []byte {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}
