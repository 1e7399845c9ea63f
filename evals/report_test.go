package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runFixed plays suite against a target that answers "ok" to every text
// except those listed in wrong.
func runFixed(t *testing.T, suite string, wrong ...string) *Report {
	t.Helper()
	target := &scripted{answer: func(_ context.Context, _ int, in Input) (Reply, error) {
		for _, w := range wrong {
			if in.Text == w {
				return Reply{Reply: "<b>sai</b> & lạc đề", Stage: "identify", Status: "clarify"}, nil
			}
		}
		return Reply{Reply: "ok", Stage: "explain", Status: "answered"}, nil
	}}
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": target})}
	report, err := r.Run(context.Background(), []*Suite{mustParse(t, suite)})
	if err != nil {
		t.Fatal(err)
	}
	return report
}

const fourCases = `
name: residence
threshold: 0.75
tests:
  - {description: a, vars: {text: a}, assert: [{type: equals, value: ok}]}
  - {description: b, vars: {text: b}, assert: [{type: equals, value: ok}]}
  - {description: c, vars: {text: c}, assert: [{type: equals, value: ok}]}
  - {description: d, vars: {text: d}, assert: [{type: equals, value: ok}]}
`

func TestCompareListsRegressionsAndImprovementsCaseByCase(t *testing.T) {
	old := runFixed(t, fourCases, "a")
	newer := runFixed(t, strings.Replace(fourCases, "description: d", "description: e", 1), "b", "c")
	// Round-trip through JSON, as compare reads files.
	old, newer = roundTrip(t, old), roundTrip(t, newer)
	cmp := Compare(old, newer)
	names := func(list []Change) string {
		var s []string
		for _, c := range list {
			s = append(s, c.Case)
		}
		return strings.Join(s, ",")
	}
	if got := names(cmp.Regressions); got != "b,c" {
		t.Errorf("regressions = %s", got)
	}
	if got := names(cmp.Improvements); got != "a" {
		t.Errorf("improvements = %s", got)
	}
	if names(cmp.Added) != "e" || names(cmp.Removed) != "d" {
		t.Errorf("added %s removed %s", names(cmp.Added), names(cmp.Removed))
	}
	if len(cmp.SuitesBroken) != 1 || !cmp.Regressed() {
		t.Errorf("suites broken = %v", cmp.SuitesBroken)
	}
	if !strings.Contains(cmp.Regressions[0].Why, "equals") {
		t.Errorf("a regression says why: %q", cmp.Regressions[0].Why)
	}
	var out bytes.Buffer
	cmp.Write(&out)
	if !strings.Contains(out.String(), "REGRESSIONS (2)") || !strings.Contains(out.String(), "residence [guide] b: 100% → 0%") {
		t.Errorf("output:\n%s", out.String())
	}
	if same := Compare(old, old); same.Regressed() || len(same.Improvements) > 0 {
		t.Errorf("a run compared with itself: %+v", same)
	}
}

func roundTrip(t *testing.T, r *Report) *Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.json")
	f, _ := os.Create(path)
	if err := r.WriteJSON(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// TestJUnitHasTheSchemasRequiredElements checks the output against what the
// Ant JUnit schema (junit.xsd) requires: testsuites of testsuite elements
// with name, tests, failures, errors, time, timestamp, hostname, id and
// package, a properties element, testcase elements with name, classname and
// time, failure/error with message and type, and system-out/system-err.
func TestJUnitHasTheSchemasRequiredElements(t *testing.T) {
	report := runFixed(t, fourCases, "b")
	report.Suites[0].Providers[0].Cases[2].Attempts[0].Error = "turn 1: timed out"
	var buf bytes.Buffer
	if err := report.WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	type problem struct {
		Message *string `xml:"message,attr"`
		Type    *string `xml:"type,attr"`
	}
	var doc struct {
		XMLName xml.Name
		Tests   *int `xml:"tests,attr"`
		Suites  []struct {
			Attrs      []xml.Attr `xml:",any,attr"`
			Properties *struct {
				Property []struct {
					Name  *string `xml:"name,attr"`
					Value *string `xml:"value,attr"`
				} `xml:"property"`
			} `xml:"properties"`
			Cases []struct {
				Name      *string  `xml:"name,attr"`
				Classname *string  `xml:"classname,attr"`
				Time      *string  `xml:"time,attr"`
				Failure   *problem `xml:"failure"`
				Error     *problem `xml:"error"`
			} `xml:"testcase"`
			SystemOut *string `xml:"system-out"`
			SystemErr *string `xml:"system-err"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if doc.XMLName.Local != "testsuites" || doc.Tests == nil || *doc.Tests != 4 || len(doc.Suites) != 1 {
		t.Fatalf("root = %s tests %v suites %d", doc.XMLName.Local, doc.Tests, len(doc.Suites))
	}
	s := doc.Suites[0]
	attrs := map[string]string{}
	for _, a := range s.Attrs {
		attrs[a.Name.Local] = a.Value
	}
	for _, name := range []string{"name", "tests", "failures", "errors", "time", "timestamp", "hostname", "id", "package"} {
		if _, ok := attrs[name]; !ok {
			t.Errorf("testsuite lacks required attribute %s", name)
		}
	}
	if attrs["tests"] != "4" || attrs["failures"] != "1" || attrs["errors"] != "1" {
		t.Errorf("counts = %v", attrs)
	}
	if len(attrs["timestamp"]) != len("2006-01-02T15:04:05") {
		t.Errorf("timestamp %q is not ISO 8601 without zone", attrs["timestamp"])
	}
	if s.Properties == nil || len(s.Properties.Property) == 0 || s.SystemOut == nil || s.SystemErr == nil {
		t.Error("testsuite lacks properties, system-out or system-err")
	}
	failures, errs := 0, 0
	for _, c := range s.Cases {
		if c.Name == nil || c.Classname == nil || c.Time == nil {
			t.Errorf("testcase lacks name, classname or time")
		}
		for _, p := range []*problem{c.Failure, c.Error} {
			if p != nil && (p.Message == nil || p.Type == nil) {
				t.Error("failure/error lacks message or type")
			}
		}
		if c.Failure != nil {
			failures++
		}
		if c.Error != nil {
			errs++
		}
	}
	if failures != 1 || errs != 1 {
		t.Errorf("failures %d errors %d", failures, errs)
	}
}

func TestHTMLReportShowsConversationsAndMarksFailures(t *testing.T) {
	report := runFixed(t, fourCases, "b")
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<li class="failed">equals ok`, // the failed assertion is marked
		`<li class="ok">equals ok`,
		"&lt;b&gt;sai&lt;/b&gt; &amp; lạc đề",                                    // replies are escaped
		`data-status="fail" data-suite="residence" data-changed="" data-text="b`, // failed cases are open
		"ĐẠT",
		`<select name="status">`, // the filters work offline
		"form.addEventListener('input', apply)",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, external := range []string{"<link", "<script src", "http://", "https://"} {
		if strings.Contains(html, external) {
			t.Errorf("HTML is not self-contained: %q", external)
		}
	}
}

// TestRunViewFilters picks cases as the console's filter form asks: the
// failed ones, those matching a search without diacritics, and those whose
// pass rate moved against another run.
func TestRunViewFilters(t *testing.T) {
	report := runFixed(t, fourCases, "b")
	if v := NewRunView(report, Filter{}); len(v.Rows) != 4 || v.Total != 4 {
		t.Fatalf("unfiltered: %d of %d", len(v.Rows), v.Total)
	}
	failed := NewRunView(report, Filter{Status: "failed"})
	if len(failed.Rows) != 1 || failed.Rows[0].Case.Description != "b" {
		t.Errorf("failed: %+v", failed.Rows)
	}
	if v := NewRunView(report, Filter{Query: "LAC DE"}); len(v.Rows) != 1 {
		t.Errorf("a search for a reply's words without marks: %d rows", len(v.Rows))
	}
	better := runFixed(t, fourCases)
	changed := NewRunView(report, Filter{Status: "changed", Against: better})
	if len(changed.Rows) != 1 || changed.Rows[0].Change == nil || changed.Rows[0].Change.Old != 1 {
		t.Errorf("changed against a run where b passed: %+v", changed.Rows)
	}
}

func TestSummaryNamesSuitesTypesAndProviders(t *testing.T) {
	report := runFixed(t, fourCases, "b")
	var buf bytes.Buffer
	report.WriteSummary(&buf)
	out := buf.String()
	for _, want := range []string{"PASS  residence", "75.0%", "fail  b (0%): end equals ok", "equals", "guide", "PASSED: 1 suites, 4 cases"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	var back Report
	var js bytes.Buffer
	report.WriteJSON(&js)
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Cases() != 4 {
		t.Errorf("JSON round trip: %v", err)
	}
}
