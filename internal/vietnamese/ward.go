package vietnamese

import (
	"unicode"
	"unicode/utf8"
)

// WardLabel is how people are shown a ward inside a sentence: its name
// (as the SQL function ward_name finds it), or, for a code no table names,
// "phường mã 26740". The pages, papers and consoles all name a ward
// through it; UpperFirst turns it into the start of a line.
func WardLabel(code, name string) string {
	if name != "" {
		return name
	}
	return "phường mã " + code
}

// UpperFirst returns s with its first letter capitalised, for a phrase
// that begins a line or a table cell ("Phường mã 26740").
func UpperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
