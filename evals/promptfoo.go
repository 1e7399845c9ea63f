package evals

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/goccy/go-yaml"
)

// promptfoo's config, as much of it as the export writes.
type pfConfig struct {
	Description     string       `yaml:"description"`
	Prompts         []string     `yaml:"prompts"`
	Providers       []pfProvider `yaml:"providers"`
	EvaluateOptions struct {
		MaxConcurrency int `yaml:"maxConcurrency"`
	} `yaml:"evaluateOptions"`
	Tests []pfTest `yaml:"tests"`
}

type pfProvider struct {
	ID     string         `yaml:"id"`
	Label  string         `yaml:"label"`
	Config map[string]any `yaml:"config,omitempty"`
}

type pfTest struct {
	Description string            `yaml:"description"`
	Vars        map[string]quoted `yaml:"vars"`
	Metadata    map[string]any    `yaml:"metadata"`
	Assert      []pfAssert        `yaml:"assert,omitempty"`
	Threshold   *float64          `yaml:"threshold,omitempty"`
}

type pfAssert struct {
	Type      string   `yaml:"type"`
	Value     any      `yaml:"value,omitempty"`
	Threshold *float64 `yaml:"threshold,omitempty"`
	Weight    *float64 `yaml:"weight,omitempty"`
	Transform string   `yaml:"transform,omitempty"`
}

// quoted is a string written in double quotes, so that an ID number like
// 079160004321 stays text for promptfoo's YAML reader.
type quoted string

// MarshalYAML writes q as a JSON string, which is valid double-quoted YAML.
func (q quoted) MarshalYAML() ([]byte, error) { return json.Marshal(string(q)) }

// foldJS is vietnamese.Fold in JavaScript, for folded text assertions. It
// ends in a newline: promptfoo runs a one-line javascript value as an
// expression and a multi-line one as a function body.
const foldJS = "const fold = s => String(s).normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\\s+/g, ' ').trim();\n"

// WritePromptfoo writes suites as one promptfoo config that plays them
// through the shipped provider (evals/promptfoo/station-provider.js)
// against url: each turn is a test, and the turns of a case share a
// conversationId so they play in one session. Assertions promptfoo has keep
// its type; ours become javascript over the reply's JSON. Those that need
// the catalogue are left out and listed in a comment.
func WritePromptfoo(w io.Writer, suites []*Suite, url string) error {
	cfg := pfConfig{
		Description: "citizenstation assistant suites (exported by station eval promptfoo)",
		Prompts:     []string{"{{text}}"},
		Providers: []pfProvider{{ID: "file://evals/promptfoo/station-provider.js", Label: "station",
			Config: map[string]any{"url": url}}},
	}
	cfg.EvaluateOptions.MaxConcurrency = 1 // the turns of a conversation run in order
	var skipped []string
	for _, s := range suites {
		for ci := range s.Tests {
			c := &s.Tests[ci]
			conversation := s.Name + "/" + c.Description
			for ti, t := range c.Turns {
				last := ti == len(c.Turns)-1
				test := pfTest{
					Description: fmt.Sprintf("%s — turn %d/%d", conversation, ti+1, len(c.Turns)),
					Vars:        map[string]quoted{"text": quoted(t.Text)},
					Metadata:    map[string]any{"conversationId": conversation, "suite": s.Name, "turn": ti + 1, "last": last},
				}
				if t.Choice != "" {
					test.Vars["choice"] = quoted(t.Choice)
				}
				if t.Image != "" {
					test.Vars["image"] = quoted(t.Image)
				}
				list := t.Assert
				if last {
					list = append(append(append([]Assertion{}, t.Assert...), s.DefaultTest.Assert...), c.Assert...)
					test.Threshold = c.Threshold
				}
				for i := range list {
					pa, ok := promptfooAssertion(&list[i], last)
					if !ok {
						skipped = append(skipped, fmt.Sprintf("%s: %s", conversation, list[i].Type))
						continue
					}
					test.Assert = append(test.Assert, pa)
				}
				cfg.Tests = append(cfg.Tests, test)
			}
		}
	}
	out, err := yaml.MarshalWithOptions(cfg, yaml.Indent(2), yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "# yaml-language-server: $schema=https://promptfoo.dev/config-schema.json")
	fmt.Fprintln(w, "# Run: STATION_URL=http://127.0.0.1:8080 npx promptfoo eval -c promptfooconfig.yaml -j 1")
	if len(skipped) > 0 {
		fmt.Fprintf(w, "# Left out (they need the catalogue; station eval run checks them): %d assertions\n", len(skipped))
		for _, s := range skipped {
			fmt.Fprintf(w, "#   %s\n", s)
		}
	}
	_, err = w.Write(out)
	return err
}

// promptfooAssertion translates one assertion; false when promptfoo cannot
// check it. It is one case per assertion type, kept together over 80 lines
// so the translation table reads whole.
func promptfooAssertion(a *Assertion, last bool) (pfAssert, bool) {
	pa := pfAssert{Weight: a.Weight}
	text := func(typ string) (pfAssert, bool) {
		pa.Type, pa.Transform = typ, "output.reply"
		if len(a.texts) == 1 {
			pa.Value = a.texts[0]
		} else {
			pa.Value = a.texts
		}
		return pa, true
	}
	js := func(expr string) (pfAssert, bool) {
		pa.Type, pa.Value = "javascript", expr
		return pa, true
	}
	quoted := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	switch a.Type {
	case AssertEquals:
		if a.Fold {
			return js(foldJS + "return " + quoted(a.texts) + ".some(w => fold(w) === fold(output.reply));")
		}
		return text("equals")
	case AssertContains, AssertNotContains:
		if a.Fold {
			expr := foldJS + "const r = fold(output.reply);\nreturn " + quoted(a.texts) + ".every(w => r.includes(fold(w)));"
			if a.Type == AssertNotContains {
				expr = foldJS + "const r = fold(output.reply);\nreturn !" + quoted(a.texts) + ".some(w => r.includes(fold(w)));"
			}
			return js(expr)
		}
		switch {
		case a.Type == AssertContains && len(a.texts) == 1:
			return text("contains")
		case a.Type == AssertContains:
			return text("contains-all")
		case len(a.texts) == 1:
			return text("not-contains")
		}
		return text("not-contains-any")
	case AssertRegex:
		if a.Fold {
			return js(foldJS + "return new RegExp(" + quoted(a.re.String()) + ").test(fold(output.reply));")
		}
		pa.Type, pa.Value, pa.Transform = "regex", a.re.String(), "output.reply"
		return pa, true
	case AssertNotRegex:
		if a.Fold {
			return js(foldJS + "return !new RegExp(" + quoted(a.re.String()) + ").test(fold(output.reply));")
		}
		pa.Type, pa.Value, pa.Transform = "not-regex", a.re.String(), "output.reply"
		return pa, true
	case AssertProcedure:
		return js(quoted(a.texts) + ".includes((output.procedure && output.procedure.slug) || 'none')")
	case AssertStage:
		return js(quoted(a.texts) + ".includes(output.stage)")
	case AssertStatus:
		return js(quoted(a.texts) + ".includes(output.status)")
	case AssertRoute:
		return js(quoted(a.texts) + ".includes(output.eval && output.eval.route)")
	case AssertChoices:
		return js(foldJS + "const c = output.choices || [];\nreturn " + quoted(a.texts) +
			".every(w => c.some(x => x.id === w || fold(x.label) === fold(w)));")
	case AssertCites:
		return js("(output.citations || []).some(c => c.slug === " + quoted(a.cite.Slug) +
			" && (" + quoted(a.cite.Section) + " === '' || c.section === " + quoted(a.cite.Section) + "))")
	case AssertFields:
		if !last {
			return pa, false
		}
		return js("const f = (output.state && output.state.fields) || {};\nreturn Object.entries(" + quoted(a.fields) +
			").every(([k, v]) => f[k] && f[k].value === v);")
	case AssertLatency:
		pa.Type, pa.Threshold = "latency", &a.number
		return pa, true
	case AssertSimilar:
		pa.Type, pa.Value, pa.Threshold, pa.Transform = "similar", a.texts[0], a.Threshold, "output.reply"
		return pa, true
	case AssertRubric:
		pa.Type, pa.Value, pa.Threshold, pa.Transform = "llm-rubric", a.texts[0], a.Threshold, "output.reply"
		return pa, true
	case AssertJSONSchema:
		// promptfoo's validator (Ajv) does not know draft 2020-12 by its
		// $schema URL; the keywords the suites use read the same without it.
		doc := a.schemaDoc
		if m, ok := doc.(map[string]any); ok {
			plain := make(map[string]any, len(m))
			for k, v := range m {
				if k != "$schema" {
					plain[k] = v
				}
			}
			doc = plain
		}
		pa.Type, pa.Value, pa.Transform = "is-json", doc, "JSON.stringify(output)"
		return pa, true
	}
	return pa, false
}
