// Package tokens makes bearer tokens, the random secrets a client shows as
// its proof (a staff session's cookie, a dossier's secret, a station's
// device token), and the hash the service stores in a token's place.
package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// New returns a token of 256 random bits, in URL-safe base64 without
// padding (43 characters).
func New() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is what is stored for a token: its SHA-256. A token carries 256
// random bits, so a plain hash is a sound way to store it; a slow,
// salted hash is for passwords people choose.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
