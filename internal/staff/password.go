package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, two passes, one
// lane). They are written into every hash, so raising them later still
// verifies old hashes.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password length limits: long enough to resist guessing, short enough that
// hashing cannot be used to burn CPU.
const (
	minPasswordLen = 10
	maxPasswordLen = 256
)

func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < minPasswordLen {
		return apperr.Errorf(apperr.Invalid, "password_too_short", "Mật khẩu phải có ít nhất %d ký tự.", minPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return apperr.Errorf(apperr.Invalid, "password_too_long", "Mật khẩu dài quá %d ký tự.", maxPasswordLen)
	}
	if common(password) {
		return apperr.New(apperr.Invalid, "password_common", "Mật khẩu này quá phổ biến, dễ bị đoán. Xin chọn mật khẩu khác.")
	}
	return nil
}

// commonPasswords are passwords of ten characters or more found at the top
// of the leaked-password lists, and Vietnamese ones of the same kind.
var commonPasswords = map[string]bool{
	"1234567890": true, "0123456789": true, "12345678910": true, "123456789a": true, "a123456789": true,
	"1111111111": true, "0000000000": true, "qwertyuiop": true, "qwerty1234": true, "qwerty12345": true,
	"password12": true, "password123": true, "password1!": true, "1q2w3e4r5t": true, "1qaz2wsx3edc": true,
	"abc1234567": true, "abcd123456": true, "admin12345": true, "administrator": true, "iloveyou12": true,
	"matkhau123": true, "matkhau1234": true, "anhyeuem123": true, "emyeuanh123": true, "vietnam123": true,
	"hochiminh123": true, "saigon1234": true, "khongbiet123": true, "123456789@": true, "passw0rd123": true,
}

// common reports a password on the list, or one character repeated.
func common(password string) bool {
	p := strings.ToLower(strings.TrimSpace(password))
	if commonPasswords[p] {
		return true
	}
	return strings.Count(p, p[:1]) == len(p)
}

// hashPassword returns password's argon2id hash in the PHC string format.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// verifyPassword reports whether password matches the PHC-format hash,
// comparing in constant time.
func verifyPassword(password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil || threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
