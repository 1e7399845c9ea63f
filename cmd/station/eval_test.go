package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/evals"
)

// TestEvalCommands runs station eval run on a fresh database (it migrates
// and imports the shipped catalogue itself), then compares two runs, as an
// evaluator would after changing something.
func TestEvalCommands(t *testing.T) {
	ctx := context.Background()
	freshEnvironment(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", `
threshold: 1
tests:
  - description: tạm trú
    vars: {text: "tôi muốn đăng ký tạm trú"}
    assert: [{type: choices, value: ["p:residence.temporary-register"]}]
  - description: căn cước
    vars: {text: "làm lại căn cước bị mất"}
    assert: [{type: choices, value: ["p:idcard.reissue"]}]
`)
	// The same cases with a stricter expectation that the guide misses.
	worse := write("worse.yaml", strings.Replace(mustRead(t, good), `value: ["p:idcard.reissue"]`, `value: ["p:passport.issue"]`, 1))

	station := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := evalCommand(&out, &errOut).ParseAndRun(ctx, args)
		return out.String() + errOut.String(), err
	}
	oldJSON, newJSON := filepath.Join(dir, "old.json"), filepath.Join(dir, "new.json")
	junit, html := filepath.Join(dir, "eval.junit.xml"), filepath.Join(dir, "eval.html")

	out, err := station("run", good, "--repeat", "2", "--json", oldJSON, "--label", "baseline")
	if err != nil || !strings.Contains(out, "PASSED: 1 suites, 2 cases") || !strings.Contains(out, "stored as run") {
		t.Fatalf("run good: %v\n%s", err, out)
	}
	out, err = station("run", worse, "--json", newJSON, "--junit", junit, "--html", html, "--provider", "guide")
	if !errors.Is(err, evals.ErrBelowThreshold) || !strings.Contains(out, "FAIL  worse") {
		t.Fatalf("run worse: %v\n%s", err, out)
	}
	for _, f := range []string{newJSON, junit, html} {
		if info, err := os.Stat(f); err != nil || info.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	var report evals.Report
	if err := json.Unmarshal([]byte(mustRead(t, oldJSON)), &report); err != nil || report.Suites[0].Providers[0].Cases[0].PassRate != 1 || len(report.Suites[0].Providers[0].Cases[0].Attempts) != 2 {
		t.Errorf("old.json: %v %+v", err, report.Suites)
	}

	// Suites are compared by name: give the worse run the good suite's.
	renamed := strings.ReplaceAll(mustRead(t, newJSON), `"name": "worse"`, `"name": "good"`)
	write("new.json", renamed)
	out, err = station("compare", oldJSON, newJSON)
	if err == nil || !strings.Contains(out, "REGRESSIONS (1)") || !strings.Contains(out, "good [guide] căn cước: 100% → 0%") {
		t.Fatalf("compare: %v\n%s", err, out)
	}
	if out, err = station("compare", oldJSON, oldJSON); err != nil || !strings.Contains(out, "0 regressions") {
		t.Fatalf("compare with itself: %v\n%s", err, out)
	}
	if _, err := station("run"); err == nil {
		t.Error("run without paths must fail")
	}
	out, err = station("promptfoo", good)
	if err != nil || !strings.Contains(out, "station-provider.js") {
		t.Errorf("promptfoo: %v\n%s", err, out)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
