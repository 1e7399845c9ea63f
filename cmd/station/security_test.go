package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/imagelimit/imagelimittest"
	"github.com/citizenstation/citizenstation/internal/stationtest"
)

// The security review's findings that only show on the real process,
// replayed against the station binary run as an operator runs it.

// replica is a station serve process on loopback with its own database,
// and a station registered on it.
type replica struct {
	base  string
	token string
	bin   *stationtest.Binary
	serve *stationtest.Process
}

// startReplica builds the binary, prepares a fresh database, registers a
// station and starts station serve with env added.
func startReplica(t *testing.T, env ...string) *replica {
	t.Helper()
	bin := stationtest.Build(t)
	url, drop, err := dbtest.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	addr := stationtest.FreeAddr(t)
	bin.Env = []string{"STATION_DATABASE_URL=" + url, "STATION_DATA_DIR=" + t.TempDir(),
		"STATION_LOG_LEVEL=warn", "STATION_LOG_FORMAT=text", "STATION_DEV_DATA_KEY=true", "STATION_ADDR=" + addr}
	out := bin.MustRun(t, "", "stations", "add", "-name", "Trạm thử", "-ward", "26740", "-lat", "10.7765", "-lng", "106.7050")
	token := regexp.MustCompile(`(?m)^(cst_\S+)\s*$`).FindStringSubmatch(out)
	if token == nil {
		t.Fatalf("no device token in %q", out)
	}
	r := &replica{base: "http://" + addr, token: token[1], bin: bin, serve: bin.Start(t, env, "serve")}
	r.serve.WaitReady(t, r.base+"/readyz", readyButCatalogue)
	return r
}

// readyButCatalogue says whether a /readyz answer passes every check but
// the catalogue's, which these tests do not import.
func readyButCatalogue(_ int, body []byte) bool {
	var ready struct {
		Checks []struct {
			Name string
			OK   bool
		}
	}
	if json.Unmarshal(body, &ready) != nil || len(ready.Checks) == 0 {
		return false
	}
	for _, c := range ready.Checks {
		if !c.OK && c.Name != "catalogue" {
			return false
		}
	}
	return true
}

// memory returns the process's resident set now and at its peak, in MB,
// from /proc/PID/status.
func (r *replica) memory(t *testing.T) (rss, peak float64) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", r.serve.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	kb := func(key string) float64 {
		m := regexp.MustCompile(`(?m)^` + key + `:\s+(\d+) kB`).FindSubmatch(data)
		if m == nil {
			t.Fatalf("no %s in /proc status", key)
		}
		n, _ := strconv.ParseFloat(string(m[1]), 64)
		return n / 1024
	}
	return kb("VmRSS"), kb("VmHWM")
}

// upload sends one file as a multipart form with fields to path as the
// station, and returns the status and error code.
func (r *replica) upload(path, field string, file []byte, fields map[string]string) (int, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile(field, "anh")
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest("POST", r.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error.Code, nil
}

// High 2: twenty image bombs arriving at once (40-megapixel PNGs whose
// pixels are all there, and 16k × 16k JPEGs turned by EXIF) at the OCR
// scans and the reports of one replica: each is refused with 413
// image_too_large, and the replica's memory stays under 300 MB. On the old
// code a turned JPEG alone made a report decode 400 MB.
func TestSecurityImageBombsKeepMemory(t *testing.T) {
	r := startReplica(t)
	bombs := [][]byte{imagelimittest.PNG(8000, 5000), imagelimittest.JPEG(16384, 16384, 6)}
	report := map[string]string{"category": "theft", "description": "Mất xe đạp"}
	_, before := r.memory(t)
	var wg sync.WaitGroup
	results := make([]string, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, field, fields := "/api/v1/ocr", "file", map[string]string(nil)
			if i%2 == 1 {
				path, field, fields = "/api/v1/reports", "files", report
			}
			status, code, err := r.upload(path, field, bombs[i/2%2], fields)
			results[i] = fmt.Sprintf("%s #%d: %d %s %v", path, i, status, code, err)
			if err != nil || status != http.StatusRequestEntityTooLarge || code != "image_too_large" {
				t.Errorf("%s, want 413 image_too_large", results[i])
			}
		}()
	}
	wg.Wait()
	rss, peak := r.memory(t)
	t.Logf("RSS before %.0f MB (peak so far), after %.0f MB, peak %.0f MB", before, rss, peak)
	if peak >= 300 {
		t.Errorf("peak RSS %.0f MB with 20 bombs at once, want < 300 MB", peak)
	}
}

// signIn adds a staff account of role in the sample ward and returns its
// session cookie.
func (r *replica) signIn(t *testing.T, username, role string) string {
	t.Helper()
	const password = "mat-khau-thu-nghiem-2026"
	r.bin.MustRun(t, password+"\n", "user", "add", "--username", username, "--role", role, "--ward", "26740", "--password-stdin")
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(r.base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		return c.Name + "=" + c.Value
	}
	t.Fatalf("login: %s, no cookie", resp.Status)
	return ""
}

// Low: on SIGTERM the service used to wait the whole shutdown timeout
// (30 s) for the open live streams. The streams now end first, then the
// other requests drain: with a duty officer's feed open, the feed ends and
// the process is gone within seconds.
func TestSecuritySIGTERMEndsStreamsFirst(t *testing.T) {
	r := startReplica(t, "STATION_SHUTDOWN_TIMEOUT=30s")
	cookie := r.signIn(t, "truc.ban", "duty_officer")
	req, _ := http.NewRequest("GET", r.base+"/api/v1/duty/feed", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "data:") {
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("feed: %s", resp.Status)
	}
	start := time.Now()
	exited := r.serve.Signal(t, syscall.SIGTERM)
	ended := make(chan time.Duration, 1)
	go func() {
		for sc.Scan() {
		}
		ended <- time.Since(start)
	}()
	select {
	case d := <-ended:
		t.Logf("feed ended %s after SIGTERM", d)
	case <-time.After(10 * time.Second):
		t.Fatal("the feed is still open 10 s after SIGTERM")
	}
	select {
	case <-exited:
		t.Logf("station serve exited %s after SIGTERM", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("station serve still running 10 s after SIGTERM (its shutdown timeout is 30 s)")
	}
}
