package database

// IsUUID reports whether s is a UUID as PostgreSQL writes one: 36
// characters, hex digits of either case in groups of 8-4-4-4-12 joined by
// hyphens. An id from a request is checked with it before it reaches a
// query, so that one that is no UUID is "not found", not a cast error.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F'):
			return false
		}
	}
	return true
}
