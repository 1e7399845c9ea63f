package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tmc/langchaingo/embeddings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Assertion is one check, written as in promptfoo: a type, a value, an
// optional threshold and a weight.
type Assertion struct {
	Type      string   `yaml:"type,omitempty" json:"type"`
	Value     any      `yaml:"value,omitempty" json:"value,omitempty"`
	Threshold *float64 `yaml:"threshold,omitempty" json:"threshold,omitempty"`
	Weight    *float64 `yaml:"weight,omitempty" json:"weight,omitempty"`
	// Fold makes text comparisons ignore case and diacritics, so "le phi"
	// matches "Lệ phí" (contains, not_contains, equals, regex).
	Fold bool `yaml:"fold,omitempty" json:"fold,omitempty"`

	// What compile made of Value.
	texts  []string
	fields map[string]string
	cite   Citation
	re     *regexp.Regexp
	schema *jsonschema.Schema
	// schemaDoc is the schema as a document, for the promptfoo export.
	schemaDoc any
	number    float64
}

// The assertion types. promptfoo's spellings of the same checks are
// accepted as aliases (see aliases).
const (
	AssertEquals      = "equals"
	AssertContains    = "contains"
	AssertNotContains = "not_contains"
	AssertRegex       = "regex"
	AssertNotRegex    = "not_regex"
	AssertProcedure   = "procedure"
	AssertStage       = "stage"
	AssertStatus      = "status"
	AssertRoute       = "route"
	AssertChoices     = "choices"
	AssertFields      = "fields"
	AssertJSONSchema  = "json_schema"
	AssertCites       = "cites"
	AssertFacts       = "facts_from_catalogue"
	AssertLatency     = "max_latency_ms"
	AssertSimilar     = "similar"
	AssertRubric      = "rubric"
)

// aliases maps promptfoo's type names onto ours; fold says whether the
// alias implies case-insensitivity (icontains).
var aliases = map[string]struct {
	typ  string
	fold bool
}{
	"not-contains":  {AssertNotContains, false},
	"icontains":     {AssertContains, true},
	"not-icontains": {AssertNotContains, true},
	"is-json":       {AssertJSONSchema, false},
	"latency":       {AssertLatency, false},
	"llm-rubric":    {AssertRubric, false},
	"not-regex":     {AssertNotRegex, false},
}

// AssertionTypes lists every type, for documentation and reports.
var AssertionTypes = []string{
	AssertEquals, AssertContains, AssertNotContains, AssertRegex, AssertNotRegex, AssertProcedure,
	AssertStage, AssertStatus, AssertRoute, AssertChoices, AssertFields, AssertJSONSchema, AssertCites,
	AssertFacts, AssertLatency, AssertSimilar, AssertRubric, AssertFaithful,
}

// Default thresholds of the scored types.
const (
	defaultSimilarThreshold = 0.75
	defaultRubricThreshold  = 0.7
)

// weight is the assertion's weight in the case score, 1 by default. A
// weight of 0 reports without counting.
func (a *Assertion) weight() float64 {
	if a.Weight == nil {
		return 1
	}
	return *a.Weight
}

func (a *Assertion) compile(dir string) error {
	if al, ok := aliases[a.Type]; ok {
		a.Type, a.Fold = al.typ, a.Fold || al.fold
	}
	if a.Weight != nil && *a.Weight < 0 {
		return fmt.Errorf("%s: weight %v must not be negative", a.Type, *a.Weight)
	}
	var err error
	switch a.Type {
	case AssertEquals, AssertContains, AssertNotContains, AssertProcedure, AssertStage, AssertStatus, AssertRoute, AssertChoices:
		a.texts, err = stringList(a.Value)
		if err == nil && len(a.texts) == 0 {
			err = errors.New("value is empty")
		}
		for i := range a.texts {
			a.texts[i] = vietnamese.NFC(a.texts[i])
		}
	case AssertRegex, AssertNotRegex:
		var s string
		if s, err = stringValue(a.Value); err == nil {
			a.re, err = regexp.Compile(s)
		}
	case AssertFields:
		a.fields, err = stringMap(a.Value)
		if err == nil && len(a.fields) == 0 {
			err = errors.New("value: give field: expected value pairs")
		}
	case AssertJSONSchema:
		a.schema, a.schemaDoc, err = compileSchema(a.Value, dir)
	case AssertCites:
		a.cite, err = citationValue(a.Value)
	case AssertFacts:
		if a.Value != nil {
			var slug string
			slug, err = stringValue(a.Value)
			a.texts = []string{slug}
		}
	case AssertLatency:
		switch {
		case a.Value != nil:
			a.number, err = numberValue(a.Value)
		case a.Threshold != nil:
			a.number = *a.Threshold
		default:
			err = errors.New("value: give the limit in milliseconds")
		}
		if err == nil && a.number <= 0 {
			err = errors.New("the limit must be positive")
		}
	case AssertFaithful:
		if a.Threshold != nil && (*a.Threshold < 0 || *a.Threshold > 1) {
			err = fmt.Errorf("threshold %v: want 0–1", *a.Threshold)
		}
	case AssertSimilar, AssertRubric:
		var s string
		if s, err = stringValue(a.Value); err == nil {
			a.texts = []string{vietnamese.NFC(s)}
		}
		if a.Threshold != nil && (*a.Threshold < 0 || *a.Threshold > 1) {
			err = fmt.Errorf("threshold %v: want 0–1", *a.Threshold)
		}
	case "":
		return errors.New("type is missing")
	default:
		return fmt.Errorf("unknown type %q (known: %s)", a.Type, strings.Join(AssertionTypes, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", a.Type, err)
	}
	return nil
}

// needsState says whether checking a needs the session's stored state.
func (a *Assertion) needsState() bool { return a.Type == AssertFields }

// Outcome is the result of one assertion on one reply.
type Outcome struct {
	Type   string  `json:"type"`
	Value  string  `json:"value,omitempty"`
	Turn   int     `json:"turn"` // 1-based; 0 for the end of the conversation
	Pass   bool    `json:"pass"`
	Score  float64 `json:"score"`
	Weight float64 `json:"weight"`
	// Reason says why it failed (or, for rubric, the judge's reason).
	Reason string `json:"reason,omitempty"`
}

// Checker holds what the model-graded and catalogue-backed assertions need.
// Each may be nil; an assertion that needs a missing one fails and says so.
type Checker struct {
	// Facts knows the catalogue for facts_from_catalogue.
	Facts *Facts
	// Embedder serves similar (the catalogue's local embedder, or any
	// langchaingo embedder).
	Embedder embeddings.Embedder
	// Judge grades rubric assertions.
	Judge Judge
}

// subject is what an assertion looks at: a reply and, when fetched, the
// state after it.
type subject struct {
	reply Reply
	state *State
}

// Check runs one assertion.
func (ck *Checker) Check(ctx context.Context, a *Assertion, s subject) Outcome {
	o := Outcome{Type: a.Type, Value: a.describe(), Weight: a.weight()}
	pass, score, reason := ck.check(ctx, a, s)
	o.Pass, o.Reason = pass, reason
	if score < 0 { // pass/fail types score 0 or 1
		score = 0
		if pass {
			score = 1
		}
	}
	o.Score = score
	return o
}

// check returns whether a holds, its score (-1 for pass/fail types) and
// a reason. It is one case per assertion type, each a few lines, kept
// together over 80 lines so the table of types reads whole.
func (ck *Checker) check(ctx context.Context, a *Assertion, s subject) (bool, float64, string) {
	text := s.reply.Reply
	norm := func(v string) string {
		if a.Fold {
			return vietnamese.Fold(v)
		}
		return vietnamese.NFC(v)
	}
	switch a.Type {
	case AssertEquals:
		got := strings.TrimSpace(norm(text))
		for _, want := range a.texts {
			if got == strings.TrimSpace(norm(want)) {
				return true, -1, ""
			}
		}
		return false, -1, fmt.Sprintf("reply is %q", clip(text))
	case AssertContains:
		got := norm(text)
		var missing []string
		for _, want := range a.texts {
			if !strings.Contains(got, norm(want)) {
				missing = append(missing, want)
			}
		}
		if len(missing) > 0 {
			return false, -1, fmt.Sprintf("reply lacks %q: %q", missing, clip(text))
		}
		return true, -1, ""
	case AssertNotContains:
		got := norm(text)
		for _, bad := range a.texts {
			if strings.Contains(got, norm(bad)) {
				return false, -1, fmt.Sprintf("reply contains %q: %q", bad, clip(text))
			}
		}
		return true, -1, ""
	case AssertRegex:
		if a.re.MatchString(norm(text)) {
			return true, -1, ""
		}
		return false, -1, fmt.Sprintf("reply does not match: %q", clip(text))
	case AssertNotRegex:
		if m := a.re.FindString(norm(text)); m != "" {
			return false, -1, fmt.Sprintf("reply has %q: %q", m, clip(text))
		}
		return true, -1, ""
	case AssertProcedure:
		got := "none"
		if p := s.procedure(); p != nil && p.Slug != "" {
			got = p.Slug
		}
		return oneOf(got, a.texts, "procedure")
	case AssertStage:
		return oneOf(s.stage(), a.texts, "stage")
	case AssertStatus:
		return oneOf(s.reply.Status, a.texts, "status")
	case AssertRoute:
		if s.reply.Eval == nil {
			return false, -1, "no eval information in the reply (is the eval token set?)"
		}
		return oneOf(string(s.reply.Eval.Route), a.texts, "route")
	case AssertChoices:
		return checkChoices(a.texts, s.reply.Choices)
	case AssertFields:
		return checkFields(a.fields, s.state)
	case AssertJSONSchema:
		return checkSchema(a.schema, s.reply)
	case AssertCites:
		for _, c := range s.reply.Citations {
			if c.Slug == a.cite.Slug && (a.cite.Section == "" || c.Section == a.cite.Section) {
				return true, -1, ""
			}
		}
		return false, -1, fmt.Sprintf("citations are %s", describeCitations(s.reply.Citations))
	case AssertFacts:
		if ck.Facts == nil {
			return false, -1, "no catalogue to check facts against"
		}
		slug := ""
		if len(a.texts) > 0 {
			slug = a.texts[0]
		} else if p := s.procedure(); p != nil {
			slug = p.Slug
		}
		if bad := ck.Facts.Unsupported(slug, s.reply.withoutServiceCodes(text), s.reply.serviceAmounts()...); len(bad) > 0 {
			return false, -1, "not in the catalogue entry " + orNone(slug) + ": " + strings.Join(bad, "; ")
		}
		return true, -1, ""
	case AssertLatency:
		if s.reply.LatencyMS <= a.number {
			return true, -1, ""
		}
		return false, -1, fmt.Sprintf("took %.0f ms, limit %.0f ms", s.reply.LatencyMS, a.number)
	case AssertSimilar:
		return ck.similar(ctx, a, text)
	case AssertRubric:
		return ck.rubric(ctx, a, text)
	case AssertFaithful:
		return ck.faithful(ctx, a, s, text)
	}
	return false, -1, "unknown assertion type " + a.Type
}

func (ck *Checker) similar(ctx context.Context, a *Assertion, text string) (bool, float64, string) {
	if ck.Embedder == nil {
		return false, 0, "no embedder configured for similar"
	}
	vecs, err := ck.Embedder.EmbedDocuments(ctx, []string{vietnamese.NFC(text), a.texts[0]})
	if err != nil || len(vecs) != 2 {
		return false, 0, fmt.Sprintf("embedding failed: %v", err)
	}
	score := cosine(vecs[0], vecs[1])
	threshold := defaultSimilarThreshold
	if a.Threshold != nil {
		threshold = *a.Threshold
	}
	if score >= threshold {
		return true, score, ""
	}
	return false, score, fmt.Sprintf("cosine %.3f below %.2f", score, threshold)
}

func (ck *Checker) rubric(ctx context.Context, a *Assertion, text string) (bool, float64, string) {
	if ck.Judge == nil {
		return false, 0, "no judge model configured for rubric"
	}
	g, err := ck.Judge.Grade(ctx, a.texts[0], text)
	if err != nil {
		return false, 0, "judge failed: " + err.Error()
	}
	threshold := defaultRubricThreshold
	if a.Threshold != nil {
		threshold = *a.Threshold
	}
	return g.Score >= threshold, g.Score, g.Reason
}

func (s subject) procedure() *Procedure {
	if s.reply.Procedure != nil {
		return s.reply.Procedure
	}
	if s.state != nil {
		return s.state.Procedure
	}
	return nil
}

func (s subject) stage() string {
	if s.reply.Stage != "" {
		return s.reply.Stage
	}
	if s.state != nil {
		return s.state.Stage
	}
	return ""
}

func oneOf(got string, want []string, what string) (bool, float64, string) {
	for _, w := range want {
		if got == w {
			return true, -1, ""
		}
	}
	return false, -1, fmt.Sprintf("%s is %q", what, got)
}

// checkChoices says whether every wanted choice is offered, matched by id
// or by label (ignoring case and diacritics).
func checkChoices(want []string, offered []Choice) (bool, float64, string) {
	var missing []string
	for _, w := range want {
		found := false
		for _, c := range offered {
			if c.ID == w || vietnamese.Fold(c.Label) == vietnamese.Fold(w) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		return true, -1, ""
	}
	ids := make([]string, len(offered))
	for i, c := range offered {
		ids[i] = c.ID
	}
	return false, -1, fmt.Sprintf("no choice %q among %s", missing, strings.Join(ids, ", "))
}

func checkFields(want map[string]string, st *State) (bool, float64, string) {
	if st == nil {
		return false, -1, "the session state could not be read"
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	var wrong []string
	for _, n := range names {
		got, ok := st.Fields[n]
		switch {
		case !ok:
			wrong = append(wrong, n+" missing")
		case vietnamese.NFC(got.Value) != vietnamese.NFC(want[n]):
			wrong = append(wrong, fmt.Sprintf("%s = %q, want %q", n, got.Value, want[n]))
		}
	}
	if len(wrong) > 0 {
		return false, -1, strings.Join(wrong, "; ")
	}
	return true, -1, ""
}

func checkSchema(schema *jsonschema.Schema, r Reply) (bool, float64, string) {
	raw := r.Raw
	if len(raw) == 0 {
		var err error
		if raw, err = json.Marshal(r); err != nil {
			return false, -1, err.Error()
		}
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		return false, -1, "reply is not JSON: " + err.Error()
	}
	if err := schema.Validate(doc); err != nil {
		return false, -1, strings.ReplaceAll(err.Error(), "\n", " ")
	}
	return true, -1, ""
}

// compileSchema compiles an inline schema (a YAML mapping) or a schema file
// named relative to the suite, and returns the schema document too.
func compileSchema(v any, dir string) (*jsonschema.Schema, any, error) {
	var data []byte
	switch s := v.(type) {
	case string:
		path := s
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		data = b
	case map[string]any:
		b, err := json.Marshal(s)
		if err != nil {
			return nil, nil, err
		}
		data = b
	default:
		return nil, nil, errors.New("value: give a schema (a mapping) or a schema file")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("schema: %w", err)
	}
	const name = "schema.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		return nil, nil, err
	}
	schema, err := c.Compile(name)
	if err != nil {
		return nil, nil, err
	}
	var plain any
	if err := json.Unmarshal(data, &plain); err != nil {
		return nil, nil, err
	}
	return schema, plain, nil
}

func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / (math.Sqrt(na) * math.Sqrt(nb))
}

// describe renders the assertion's value for reports.
func (a *Assertion) describe() string {
	switch {
	case a.re != nil:
		return a.re.String()
	case a.fields != nil:
		b, _ := json.Marshal(a.fields)
		return string(b)
	case a.cite.Slug != "":
		if a.cite.Section != "" {
			return a.cite.Slug + "#" + a.cite.Section
		}
		return a.cite.Slug
	case a.Type == AssertLatency:
		return fmt.Sprintf("%.0f", a.number)
	case a.Type == AssertJSONSchema:
		return "schema"
	case len(a.texts) == 1:
		return a.texts[0]
	case len(a.texts) > 1:
		return strings.Join(a.texts, " | ")
	}
	return ""
}

func stringValue(v any) (string, error) {
	switch s := v.(type) {
	case string:
		if s == "" {
			return "", errors.New("value is empty")
		}
		return s, nil
	case nil:
		return "", errors.New("value is missing")
	}
	return "", fmt.Errorf("value %v: want a string", v)
}

func stringList(v any) ([]string, error) {
	switch s := v.(type) {
	case string:
		return []string{s}, nil
	case []any:
		out := make([]string, 0, len(s))
		for _, e := range s {
			str, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("value %v: want strings", e)
			}
			out = append(out, str)
		}
		return out, nil
	case nil:
		return nil, errors.New("value is missing")
	}
	return nil, fmt.Errorf("value %v: want a string or a list of strings", v)
}

func stringMap(v any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("value %v: want a mapping of field names to values", v)
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		out[k] = vietnamese.NFC(fmt.Sprint(e))
	}
	return out, nil
}

func numberValue(v any) (float64, error) {
	switch n := v.(type) {
	case int:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	case float64:
		return n, nil
	}
	return 0, fmt.Errorf("value %v: want a number", v)
}

// citationValue reads "slug", "slug#section" or {slug, section}.
func citationValue(v any) (Citation, error) {
	switch c := v.(type) {
	case string:
		slug, section, _ := strings.Cut(c, "#")
		if slug == "" {
			return Citation{}, errors.New("value: give a slug")
		}
		return Citation{Slug: slug, Section: section}, nil
	case map[string]any:
		slug, _ := c["slug"].(string)
		section, _ := c["section"].(string)
		if slug == "" {
			return Citation{}, errors.New("value.slug is missing")
		}
		return Citation{Slug: slug, Section: section}, nil
	}
	return Citation{}, fmt.Errorf("value %v: want slug, slug#section or {slug, section}", v)
}

func describeCitations(cs []Citation) string {
	if len(cs) == 0 {
		return "none"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Slug + "#" + c.Section
	}
	return strings.Join(parts, ", ")
}

func clip(s string) string {
	const max = 240
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none chosen)"
	}
	return s
}
