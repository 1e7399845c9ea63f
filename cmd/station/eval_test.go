package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/evals"
)

// TestEvalCommands runs station eval run on a fresh database (it migrates
// and imports the shipped catalogue itself), then compares two runs, as an
// evaluator would after changing something.
func TestEvalCommands(t *testing.T) {
	freshEnvironment(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "threshold: 1"+residenceCases)
	// The same cases with a stricter expectation that the guide misses.
	worse := write("worse.yaml", strings.Replace(mustRead(t, good), `value: ["p:idcard.reissue"]`, `value: ["p:passport.issue"]`, 1))

	oldJSON, newJSON := filepath.Join(dir, "old.json"), filepath.Join(dir, "new.json")
	junit, html := filepath.Join(dir, "eval.junit.xml"), filepath.Join(dir, "eval.html")

	out, err := station("eval", "run", good, "--repeat", "2", "--json", oldJSON, "--label", "baseline")
	if err != nil || !strings.Contains(out, "PASSED: 1 suites, 2 cases") || !strings.Contains(out, "stored as run") {
		t.Fatalf("run good: %v\n%s", err, out)
	}
	out, err = station("eval", "run", worse, "--json", newJSON, "--junit", junit, "--html", html, "--provider", "guide")
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
	out, err = station("eval", "compare", oldJSON, newJSON)
	if err == nil || !strings.Contains(out, "REGRESSIONS (1)") || !strings.Contains(out, "good [guide] căn cước: 100% → 0%") {
		t.Fatalf("compare: %v\n%s", err, out)
	}
	if out, err = station("eval", "compare", oldJSON, oldJSON); err != nil || !strings.Contains(out, "0 regressions") {
		t.Fatalf("compare with itself: %v\n%s", err, out)
	}
	if _, err := station("eval", "run"); err == nil {
		t.Error("run without paths must fail")
	}
	out, err = station("eval", "promptfoo", good)
	if err != nil || !strings.Contains(out, "station-provider.js") {
		t.Errorf("promptfoo: %v\n%s", err, out)
	}
}

// residenceCases is the tests: list of a suite with two openings the
// shipped guide answers: temporary residence and a lost ID card. A test
// adds assertions to the ID card's case by appending lines.
const residenceCases = `
tests:
  - description: tạm trú
    vars: {text: "tôi muốn đăng ký tạm trú"}
    assert: [{type: choices, value: ["p:residence.temporary-register"]}]
  - description: căn cước
    vars: {text: "làm lại căn cước bị mất"}
    assert:
      - {type: choices, value: ["p:idcard.reissue"]}
`

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEvalSeesCatalogueEdits is the evaluator's loop: a fee changed in a
// copy of the catalogue is seen by an in-process run pointed at the copy
// (--catalogue), and, once imported with station import catalogue, by a
// run with no flag at all, since runs play the service database's
// catalogue; the unchanged catalogue passes the same suite.
func TestEvalSeesCatalogueEdits(t *testing.T) {
	freshEnvironment(t)
	dir := t.TempDir()
	suite := filepath.Join(dir, "fee.yaml")
	if err := os.WriteFile(suite, []byte(`
tests:
  - description: lệ phí làm lại căn cước bị mất
    turns:
      - choice: "p:idcard.reissue"
      - text: "làm lại thẻ hết bao nhiêu tiền?"
    assert:
      - {type: contains, value: "70.000 đồng"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "catalogue")
	copyDir(t, "../../procedures/catalogue", edited)
	entry := filepath.Join(edited, "idcard.reissue.yaml")
	text := mustRead(t, entry)
	fee := regexp.MustCompile(`(amount:\s*)70000\b`)
	if !fee.MatchString(text) {
		t.Fatalf("idcard.reissue.yaml has no 70000 fee to edit:\n%s", text)
	}
	if err := os.WriteFile(entry, []byte(fee.ReplaceAllString(text, "${1}90000")), 0o644); err != nil {
		t.Fatal(err)
	}

	eval := func(args ...string) (string, error) {
		return station(append([]string{"eval", "run", suite, "--no-store"}, args...)...)
	}
	if out, err := eval(); err != nil {
		t.Fatalf("the shipped catalogue must pass: %v\n%s", err, out)
	}
	out, err := eval("--catalogue", edited)
	if !errors.Is(err, evals.ErrBelowThreshold) || !strings.Contains(out, "70.000 đồng") {
		t.Fatalf("--catalogue with the edited fee: %v\n%s", err, out)
	}

	if out, err := station("import", "catalogue", edited); err != nil {
		t.Fatalf("import the edited catalogue: %v\n%s", err, out)
	}
	if out, err := eval(); !errors.Is(err, evals.ErrBelowThreshold) {
		t.Fatalf("a run after station import must play the database's catalogue: %v\n%s", err, out)
	}
	if _, err := eval("--catalogue", filepath.Join(dir, "nosuch")); err == nil || !strings.Contains(err.Error(), "--catalogue") {
		t.Errorf("a missing catalogue directory must be refused before the run: %v", err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// TestEvalCompareStoredRuns compares two stored runs picked by label, the
// second played with an edited prompt set from disk that breaks a case:
// the comparison gives the pass-rate change per suite, what differed and
// the assertion that flipped, and exits non-zero; runs of other providers
// are refused as not comparable.
func TestEvalCompareStoredRuns(t *testing.T) {
	freshEnvironment(t)
	dir := t.TempDir()

	// The evaluator's edit: the guide's words at the list of candidates.
	prompts := filepath.Join(dir, "prompts")
	copyDir(t, "../../assistant/prompts/v1", prompts)
	guide := mustRead(t, filepath.Join(prompts, "guide.yaml"))
	line := regexp.MustCompile(`(?m)^candidates: "(.*)"$`).FindStringSubmatch(guide)
	if line == nil {
		t.Fatal("guide.yaml has no candidates message")
	}
	os.WriteFile(filepath.Join(prompts, "guide.yaml"), []byte(strings.Replace(guide, line[0], `candidates: "Mời chọn."`, 1)), 0o644)

	suite := filepath.Join(dir, "residence.yaml")
	os.WriteFile(suite, []byte("name: residence"+residenceCases+
		`      - {type: contains, value: "`+line[1]+`"}`+"\n"), 0o644)
	if out, err := station("eval", "run", suite, "--label", "before"); err != nil {
		t.Fatalf("run before: %v\n%s", err, out)
	}
	afterJSON := filepath.Join(dir, "after.json")
	if out, err := station("eval", "run", suite, "--label", "after", "--assistant-prompts", prompts, "--json", afterJSON); !errors.Is(err, evals.ErrBelowThreshold) {
		t.Fatalf("run after: %v\n%s", err, out)
	}

	out, err := station("eval", "compare", "before", "after")
	for _, want := range []string{
		"pass rate 100.0% → 50.0% (-50.0 points)",
		"residence                    guide            100.0% →  50.0%  -50.0 points",
		"label: before → after",
		"--assistant-prompts: (unset) → " + prompts,
		"provider guide prompt version: v1.",
		"REGRESSIONS (1)",
		"residence [guide] căn cước: 100% → 0%",
		"end contains " + line[1] + ": pass → FAIL",
		"new reply: Mời chọn.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("compare lacks %q", want)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "1 regressions") {
		t.Errorf("compare must fail on the regression: %v", err)
	}
	if t.Failed() {
		t.Fatalf("compare output:\n%s", out)
	}

	out, err = station("eval", "compare", "before", "after", "--json")
	var cmp evals.Comparison
	if jerr := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &cmp); jerr != nil || err == nil {
		t.Fatalf("compare --json: %v %v\n%s", jerr, err, out)
	}
	if len(cmp.Regressions) != 1 || len(cmp.Regressions[0].Flipped) != 1 || cmp.Suites[0].New != 0.5 {
		t.Errorf("compare --json: %+v", cmp)
	}

	// The same cases from another provider share nothing to compare.
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(strings.ReplaceAll(mustRead(t, afterJSON), `"provider": "guide"`, `"provider": "qwen-local"`)), 0o644)
	out, err = station("eval", "compare", other, afterJSON)
	if err == nil || !strings.Contains(out, "NOT COMPARABLE: they share no case") || !strings.Contains(out, "other providers (old: qwen-local; new: guide)") {
		t.Errorf("runs of other providers must not compare: %v\n%s", err, out)
	}
	if _, err := station("eval", "compare", "before", "nosuch-label"); err == nil || !strings.Contains(err.Error(), "nosuch-label") {
		t.Errorf("an unknown run must be named: %v", err)
	}
}

// TestEvalGenerate writes the red-team variants of a shipped suite into
// another directory: they load, each case comes back once per attack, the
// scan fixture resolves from the new place, and they play.
func TestEvalGenerate(t *testing.T) {
	freshEnvironment(t)
	out := filepath.Join(t.TempDir(), "passport-redteam.yaml")
	if printed, err := station("eval", "generate", "../../evals/suites/passport.yaml", "-o", out); err != nil {
		t.Fatalf("generate: %v\n%s", err, printed)
	}
	source, err := evals.LoadSuite("../../evals/suites/passport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := evals.LoadSuite(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.Tests) != 5*len(source.Tests) || gen.Name != "passport-redteam" {
		t.Fatalf("%d cases from %d, named %s", len(gen.Tests), len(source.Tests), gen.Name)
	}
	scans := 0
	for _, c := range gen.Tests {
		for _, turn := range c.Turns {
			if turn.Image == "" {
				continue
			}
			scans++
			if _, err := os.Stat(turn.Image); err != nil {
				t.Errorf("%s: %v", c.Description, err)
			}
		}
	}
	if scans < len(source.Tests) {
		t.Errorf("%d scan turns, want one per case at least", scans)
	}
	printed, err := station("eval", "run", out, "--no-store")
	if err != nil && !errors.Is(err, evals.ErrBelowThreshold) {
		t.Fatalf("the generated suite must play: %v\n%s", err, printed)
	}
	if !strings.Contains(printed, "not_regex") {
		t.Errorf("the attacks' assertions did not run:\n%s", printed)
	}
}

// TestEvalPromptMatrix plays a suite whose prompts list names the shipped
// set and an edited copy beside the suite: each provider runs with each
// set, reported as its own cell with that set's version.
func TestEvalPromptMatrix(t *testing.T) {
	freshEnvironment(t)
	dir := t.TempDir()
	copyDir(t, "../../assistant/prompts/v1", filepath.Join(dir, "mine"))
	os.WriteFile(filepath.Join(dir, "matrix.yaml"), []byte(`
prompts: [v1, ./mine]
tests:
  - description: tạm trú
    vars: {text: "tôi muốn đăng ký tạm trú"}
    assert: [{type: choices, value: ["p:residence.temporary-register"]}]
`), 0o644)
	report := filepath.Join(dir, "report.json")
	if out, err := station("eval", "run", filepath.Join(dir, "matrix.yaml"), "--no-store", "--json", report); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	var r evals.Report
	if err := json.Unmarshal([]byte(mustRead(t, report)), &r); err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	for _, p := range r.Suites[0].Providers {
		cells[p.Provider] = p.Identity.PromptVersion
	}
	if len(cells) != 2 || !strings.HasPrefix(cells["guide · v1"], "v1.") || !strings.HasPrefix(cells["guide · ./mine"], "mine.") {
		t.Errorf("cells = %v", cells)
	}
}
