package evals

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
)

// JUnit XML, as CI systems read it: the attributes the Ant JUnit schema
// (junit.xsd, also used by Jenkins and GitLab) requires on testsuite and
// testcase, one testsuite per suite and provider, one testcase per case.
type junitTestSuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []junitTestSuite `xml:"testsuite"`
}

type junitTestSuite struct {
	ID         int             `xml:"id,attr"`
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitTestCase `xml:"testcase"`
	SystemOut  string          `xml:"system-out"`
	SystemErr  string          `xml:"system-err"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	doc := junitTestSuites{Name: "station eval", Time: seconds(r.FinishedAt.Sub(r.StartedAt).Seconds() * 1000)}
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			js := junitTestSuite{
				ID:        len(doc.Suites),
				Name:      s.Name + " [" + p.Provider + "]",
				Package:   "evals." + s.Name,
				Timestamp: r.StartedAt.Format("2006-01-02T15:04:05"),
				Hostname:  host,
				Properties: []junitProperty{
					{Name: "provider", Value: p.Provider},
					{Name: "model", Value: p.Identity.Model},
					{Name: "prompt_version", Value: p.Identity.PromptVersion},
					{Name: "threshold", Value: fmt.Sprintf("%.3f", s.Threshold)},
					{Name: "pass_rate", Value: fmt.Sprintf("%.3f", p.PassRate)},
				},
			}
			var total float64
			for _, c := range p.Cases {
				tc := junitTestCase{Name: c.Description, Classname: "evals." + s.Name + "." + p.Provider}
				var ms float64
				for _, a := range c.Attempts {
					ms += a.DurationMS
				}
				total += ms
				tc.Time = seconds(ms)
				switch {
				case caseError(c) != "":
					tc.Error = &junitProblem{Message: caseError(c), Type: "error", Text: caseDetails(c)}
					js.Errors++
				case c.Status != StatusPass:
					tc.Failure = &junitProblem{
						Message: fmt.Sprintf("%s: passed %.0f%% of %d attempts", c.Status, 100*c.PassRate, len(c.Attempts)),
						Type:    "assertion", Text: caseDetails(c),
					}
					js.Failures++
				}
				js.Cases = append(js.Cases, tc)
			}
			js.Tests = len(js.Cases)
			js.Time = seconds(total)
			if p.Error != "" {
				js.SystemErr = p.Error
			}
			doc.Tests += js.Tests
			doc.Failures += js.Failures
			doc.Errors += js.Errors
			doc.Suites = append(doc.Suites, js)
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// caseError is the error of a case whose every attempt errored.
func caseError(c CaseResult) string {
	if len(c.Attempts) == 0 {
		return ""
	}
	for _, a := range c.Attempts {
		if a.Error == "" {
			return ""
		}
	}
	return c.Attempts[0].Error
}

// caseDetails lists the failed assertions of each failed attempt.
func caseDetails(c CaseResult) string {
	var b strings.Builder
	for i, a := range c.Attempts {
		if a.Pass {
			continue
		}
		fmt.Fprintf(&b, "attempt %d:\n", i+1)
		if a.Error != "" {
			fmt.Fprintf(&b, "  error: %s\n", a.Error)
		}
		for _, o := range a.Failed() {
			where := "end"
			if o.Turn > 0 {
				where = fmt.Sprintf("turn %d", o.Turn)
			}
			fmt.Fprintf(&b, "  %s %s %q: %s\n", where, o.Type, o.Value, o.Reason)
		}
	}
	return b.String()
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }
