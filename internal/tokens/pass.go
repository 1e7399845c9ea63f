package tokens

import (
	"crypto/hmac"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Keyed makes keyed digests; seal.Sealer does, under the data keys (the
// current key makes them, every configured key checks them).
type Keyed interface {
	Digest(context, value string) []byte
	Digests(context, value string) [][]byte
}

// PassTTL is how long a pass opens what it names: the kiosk fetches the
// papers of a look-up at once.
const PassTTL = 15 * time.Minute

// passContext binds the digests to passes.
const passContext = "paper pass"

// passMAC is how many bytes of the digest a pass carries (144 bits).
const passMAC = 18

// NewPass returns a pass opening subject (what a look-up proved, such as
// "dossier-papers:ABCDEFGHK") until expires: a short-lived proof that
// stands in for the four digits in a paper's address, so that the digits
// never travel in a URL, an access log or a browser's history. It is the
// expiry (Unix seconds, base 36), a dot and a keyed digest of both.
func NewPass(k Keyed, subject string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 36)
	return exp + "." + base64.RawURLEncoding.EncodeToString(k.Digest(passContext, subject+"\x00"+exp)[:passMAC])
}

// CheckPass says whether pass, made by NewPass, opens subject at now.
func CheckPass(k Keyed, subject, pass string, now time.Time) bool {
	exp, mac, ok := strings.Cut(pass, ".")
	if !ok {
		return false
	}
	until, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || now.Unix() > until {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || len(got) != passMAC {
		return false
	}
	for _, want := range k.Digests(passContext, subject+"\x00"+exp) {
		if hmac.Equal(got, want[:passMAC]) {
			return true
		}
	}
	return false
}
