package dossiers

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// codeAlphabet is what tracking codes are written in: digits and capitals
// without 0/O, 1/I/L and U, so that a code read aloud over the phone or typed
// by an elderly resident cannot be confused. 30 symbols.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeBody is the number of random symbols; a check symbol follows.
// 30^8 ≈ 6.6 × 10^11 codes.
const codeBody = 8

// NewTrackingCode returns a random code with its check symbol. Payments
// use it too, behind their own prefix, for the codes their receipts are
// fetched again by.
func NewTrackingCode() string {
	n := big.NewInt(int64(len(codeAlphabet)))
	b := make([]byte, codeBody, codeBody+1)
	for i := range b {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported systems
		}
		b[i] = codeAlphabet[k.Int64()]
	}
	return string(append(b, checkSymbol(string(b))))
}

// checkSymbol computes the Luhn mod N check symbol of body (N = 30), which
// catches every single wrong symbol and nearly every swap of two
// neighbouring symbols.
func checkSymbol(body string) byte {
	n := len(codeAlphabet)
	factor, sum := 2, 0
	for i := len(body) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(codeAlphabet, body[i])
		if factor == 2 {
			factor = 1
		} else {
			factor = 2
		}
		sum += addend/n + addend%n
	}
	return codeAlphabet[(n-sum%n)%n]
}

// NormalizeTrackingCode returns code in its canonical form (upper case,
// without spaces and dashes) and whether it is a well-formed code with a
// correct check symbol.
func NormalizeTrackingCode(code string) (string, bool) {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(code)))
	if len(c) != codeBody+1 {
		return c, false
	}
	for i := 0; i < len(c); i++ {
		if strings.IndexByte(codeAlphabet, c[i]) < 0 {
			return c, false
		}
	}
	return c, checkSymbol(c[:codeBody]) == c[codeBody]
}

// FormatTrackingCode groups a code for reading: ABC-DEF-GHK.
func FormatTrackingCode(code string) string {
	if len(code) != codeBody+1 {
		return code
	}
	return code[:3] + "-" + code[3:6] + "-" + code[6:]
}
