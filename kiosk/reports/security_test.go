package reports

import (
	"net/url"
	"testing"

	"github.com/citizenstation/citizenstation/internal/imagelimit/imagelimittest"
)

// The security review's findings about reports, replayed over HTTP against
// the real stack.

// High 2: a photo turned by its EXIF orientation used to be decoded and
// turned without the pixel limit, so one small crafted photo cost about a
// gigabyte. Every photo's size is now read from its header first, as
// stored and as turned, and a bomb is refused before anything decodes it.
func TestSecurityImageBombs(t *testing.T) {
	s := newTestServer(t, nil)
	fields := map[string]string{"category": "theft", "description": "Mất xe đạp", "address": "Bến Thành"}
	s.run(t, []step{
		{name: "a 40-megapixel PNG bomb", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields, files: [][]byte{imagelimittest.PNG(8000, 5000)}}, status: 413, code: "image_too_large"},
		{name: "a 16k × 16k JPEG turned by EXIF", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields, files: [][]byte{imagelimittest.JPEG(16384, 16384, 6)}}, status: 413, code: "image_too_large"},
		{name: "the same, not turned", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields, files: [][]byte{imagelimittest.JPEG(16384, 16384, 0)}}, status: 413, code: "image_too_large"},
		{name: "a bomb after a good photo", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields, files: [][]byte{testJPEG(t, nil), imagelimittest.JPEG(9000, 9000, 8)}}, status: 413, code: "image_too_large"},
		{name: "a turned phone photo of an honest size", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields, files: [][]byte{imagelimittest.WithOrientation(testJPEG(t, nil), 6)}}, status: 201},
	})
}

// Low: a NUL byte or bytes that are not UTF-8 in a form's field made
// PostgreSQL refuse the text, and the reporter got a 500. The form's text
// is checked first now: a clear 400.
func TestSecurityFormText(t *testing.T) {
	s := newTestServer(t, nil)
	fields := func(k, v string) map[string]string {
		f := map[string]string{"category": "theft", "description": "Mất xe đạp", "address": "Bến Thành"}
		f[k] = v
		return f
	}
	s.run(t, []step{
		{name: "a NUL in the description", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields("description", "Mất xe\x00 đạp")}, status: 400, code: "text_invalid"},
		{name: "Latin-1 in the address", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields("address", "B\xe9n Th\xe0nh")}, status: 400, code: "text_invalid"},
		{name: "a NUL in a field's name", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields("x\x00y", "1")}, status: 400}, // the form reader refuses it
		{name: "Open311, a NUL in the description", method: "POST", path: "/open311/v2/requests.json",
			body: url.Values{"service_code": {"theft"}, "description": {"Mất\x00"}, "address_string": {"Bến Thành"}}, status: 400},
		{name: "the same report, clean", method: "POST", path: "/api/v1/reports",
			body: form{fields: fields("description", "Mất xe đạp")}, status: 201},
	})
}
