package evals

import (
	"embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed templates/run.html.tmpl
var templates embed.FS

// pages are the run, the list of runs and a comparison, for the offline
// report and the staff console alike.
var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	"pct":     pct,
	"rate":    rate,
	"points":  points,
	"where":   where,
	"verdict": verdict,
	"inc":     func(i int) int { return i + 1 },
	"changeSections": func(c *Comparison) map[string][]Change {
		return map[string][]Change{"1. Kém đi": c.Regressions, "2. Tốt lên": c.Improvements}
	},
}).ParseFS(templates, "templates/run.html.tmpl"))

// WriteHTML writes a self-contained HTML report (no external files): the
// settings, a table of suites, then every conversation with each turn's
// route, procedure, retrieved passages and guard verdict, failed
// assertions marked; failed cases open, passed ones folded; filters by
// status, suite and text work in the page.
func (r *Report) WriteHTML(w io.Writer) error {
	v := NewRunView(r, Filter{})
	v.Offline = true
	if err := pages.ExecuteTemplate(w, "run", v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}
