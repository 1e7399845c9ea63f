package evals

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	"time"
)

//go:embed templates/report.html.tmpl
var templates embed.FS

var reportTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"pct":    func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"inc":    func(i int) int { return i + 1 },
	"anchor": anchor,
}).ParseFS(templates, "templates/report.html.tmpl"))

var nonAnchor = regexp.MustCompile(`[^a-z0-9]+`)

func anchor(parts ...string) string {
	return strings.Trim(nonAnchor.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-"), "-")
}

// WriteHTML writes a self-contained HTML report (no external files): a
// table of suites, then every conversation with its failed assertions
// marked; failed cases are open, passed ones folded.
func (r *Report) WriteHTML(w io.Writer) error {
	return reportTemplate.Execute(w, struct {
		Report   *Report
		Duration time.Duration
		Types    map[string]Tally
	}{r, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond), r.ByAssertionType()})
}
