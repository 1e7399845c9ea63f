package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
)

func testConfig() Config {
	return Config{KioskIdle: 90 * time.Second, KioskIdleWarning: 20 * time.Second, SpeechConcurrency: 2, SpeechMaxChars: 200, Espeak: "espeak-ng", Hotline: "1022"}
}

func newTestServer(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	// Without a cookie no page asks the database who is signed in.
	s, err := New(cfg, staff.NewService(nil, staff.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	return httpserver.New(httpserver.Options{}, s).Handler()
}

func do(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPages(t *testing.T) {
	h := newTestServer(t, testConfig())
	tests := []struct {
		path string
		want []string
	}{
		{"/", []string{`lang="vi"`, "Thủ tục hành chính", "Tra cứu hồ sơ", "Thanh toán phí và hóa đơn", "Phản ánh an ninh trật tự", "Dịch vụ y tế", "Quay lại", "Gọi cán bộ", `data-idle-ms="90000"`, `data-warn-ms="20000"`, "1022"}},
		{"/staff/login", []string{"Đăng nhập cán bộ", `autocomplete="current-password"`, `method="post"`, `action="/api/v1/auth/login"`}},
		{"/staff/login?next=%2Fduty&error=bad_login", []string{`name="next" value="/duty"`, "Tên đăng nhập hoặc mật khẩu không đúng."}},
		{"/staff/login?error=%3Cb%3Eanything", []string{"Tên đăng nhập hoặc mật khẩu không đúng."}},
		{"/staff/login?next=%22%3E%3Cscript%3E", []string{`value="&#34;&gt;&lt;script&gt;"`}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := do(h, "GET", tt.path, "")
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	h := newTestServer(t, testConfig())
	for path, ctype := range map[string]string{"/static/site.css": "text/css", "/static/kiosk.js": "javascript",
		"/static/live.js": "javascript", "/static/vendor/htmx.min.js": "javascript", "/static/vendor/htmx-ext-sse.min.js": "javascript",
		"/static/arrival.wav": "audio/"} {
		rec := do(h, "GET", path, "")
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), ctype) {
			t.Errorf("%s: status %d, type %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := do(h, "GET", "/static/nope.js", ""); rec.Code != 404 {
		t.Errorf("missing asset: status %d", rec.Code)
	}
}

// TestKioskScriptKeepsNothing guards the privacy rule on a shared device:
// the kiosk script never touches browser storage. The browser test checks
// the storage itself after a visit.
func TestKioskScriptKeepsNothing(t *testing.T) {
	for _, name := range []string{"static/kiosk.js", "static/live.js"} {
		b, err := staticFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		code := stripComments(string(b))
		for _, api := range []string{"localStorage", "sessionStorage", "indexedDB", "document.cookie", "caches."} {
			if strings.Contains(code, api) {
				t.Errorf("%s uses %s", name, api)
			}
		}
	}
}

func stripComments(js string) string {
	var out []string
	for _, line := range strings.Split(js, "\n") {
		if i := strings.Index(strings.TrimSpace(line), "//"); i == 0 {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestSpeech(t *testing.T) {
	h := newTestServer(t, testConfig())
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"vietnamese reply", `{"text":"Xin chào bác. Lệ phí là 8.000 đồng."}`, 200, ""},
		{"empty", `{"text":"   "}`, 400, "speech_empty"},
		{"too long", `{"text":"` + strings.Repeat("a", 201) + `"}`, 413, "speech_too_long"},
		{"not json", `text=hello`, 400, "body_invalid"},
		{"looks like an option", `{"text":"--help -w /tmp/x"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, "POST", "/api/v1/speech", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body.String())
			}
			if tt.code != "" {
				if !strings.Contains(rec.Body.String(), `"code":"`+tt.code+`"`) {
					t.Errorf("body %s lacks code %s", rec.Body.String(), tt.code)
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "audio/wav" {
				t.Errorf("Content-Type %q", ct)
			}
			b := rec.Body.Bytes()
			if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
				t.Fatalf("not a WAV stream: % x", b[:min(len(b), 16)])
			}
			// Mono 16-bit PCM; a real utterance is at least a few tenths of
			// a second of samples.
			if ch := binary.LittleEndian.Uint16(b[22:24]); ch != 1 {
				t.Errorf("channels %d", ch)
			}
			rate := binary.LittleEndian.Uint32(b[24:28])
			if secs := float64(len(b)-44) / float64(rate*2); secs < 0.3 {
				t.Errorf("only %.2fs of audio", secs)
			}
		})
	}
}

// TestSpeechLanguage: English text asked in English is read with
// espeak-ng's English voice, byte for byte what that voice says, not the
// Vietnamese one; a language the station does not speak is refused.
func TestSpeechLanguage(t *testing.T) {
	h := newTestServer(t, testConfig())
	const text = "Ho Chi Minh City Museum, about 300 m north of this station."
	espeak := func(voice string) []byte {
		cmd := exec.Command("espeak-ng", "-v", voice, "-s", "140", "--stdout")
		cmd.Stdin = strings.NewReader(text)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	english, vietnamese := espeak("en-us"), espeak("vi")
	if bytes.Equal(english, vietnamese) {
		t.Fatal("the two voices read alike; the test could not tell them apart")
	}
	for _, tt := range []struct {
		name, lang string
		want       []byte
	}{
		{"english", "en", english},
		{"vietnamese", "vi", vietnamese},
		{"no language", "", vietnamese},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, "POST", "/api/v1/speech", `{"text":"`+text+`","lang":"`+tt.lang+`"}`)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			if !bytes.Equal(rec.Body.Bytes(), tt.want) {
				t.Errorf("lang %q: %d bytes of audio, not the %d the expected voice reads", tt.lang, rec.Body.Len(), len(tt.want))
			}
		})
	}
	rec := do(h, "POST", "/api/v1/speech", `{"text":"Bonjour","lang":"fr"}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"code":"speech_invalid_lang"`) {
		t.Errorf("french: status %d %s, want 400 speech_invalid_lang", rec.Code, rec.Body.String())
	}
}

// TestSpeechBusy fills every slot and checks that the next request is told
// to retry rather than queued without bound.
func TestSpeechBusy(t *testing.T) {
	sp := NewSpeaker("espeak-ng", 1, 100)
	sp.wait = 50 * time.Millisecond
	sp.slots <- struct{}{} // the one slot is taken
	var buf bytes.Buffer
	err := sp.Speak(context.Background(), "xin chào", "vi", func() {}, &buf)
	if err == nil || httpserver.Status(err) != http.StatusTooManyRequests {
		t.Fatalf("err %v, want 429", err)
	}
	<-sp.slots
	if err := sp.Speak(context.Background(), "xin chào", "vi", func() {}, &buf); err != nil || buf.Len() < 1000 {
		t.Fatalf("after the slot freed: err %v, %d bytes", err, buf.Len())
	}
}

func TestSpeechMissingProgram(t *testing.T) {
	sp := NewSpeaker("/nonexistent/espeak-ng", 1, 100)
	err := sp.Speak(context.Background(), "xin chào", "vi", func() { t.Error("started") }, &bytes.Buffer{})
	if httpserver.Status(err) != http.StatusServiceUnavailable {
		t.Fatalf("err %v, want 503", err)
	}
}

func TestConfigValidate(t *testing.T) {
	c := testConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"warning as long as the idle time", func(c *Config) { c.KioskIdleWarning = c.KioskIdle }, "STATION_KIOSK_IDLE_WARNING"},
		{"warning under WCAG's 20 s", func(c *Config) { c.KioskIdleWarning = 19 * time.Second }, "STATION_KIOSK_IDLE_WARNING"},
		{"agent with a path", func(c *Config) { c.KioskAgent = "http://127.0.0.1:8765/x" }, "STATION_KIOSK_AGENT"},
		{"agent not http", func(c *Config) { c.KioskAgent = "file:///tmp" }, "STATION_KIOSK_AGENT"},
	} {
		c := testConfig()
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}
