package evals

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Suite is one YAML file of cases. Its keys follow promptfoo
// (description, providers, defaultTest, tests with vars and assert), so a
// promptfoo user reads it at once; turns, threshold and the assertion types
// that look inside the assistant's state are ours.
type Suite struct {
	Name        string `yaml:"name,omitempty"`
	Description string `yaml:"description,omitempty"`
	// Threshold is the share of cases (0–1) that must pass, for each
	// provider, for the suite to pass. Default 1.
	Threshold *float64 `yaml:"threshold,omitempty"`
	// Prompts lists prompt sets (a shipped set's name, or a directory
	// relative to the suite file). With more than none, the run plays the
	// cross product of prompt sets and providers, as promptfoo does; a
	// running service (http) owns its prompts and takes none.
	Prompts   []string   `yaml:"prompts,omitempty"`
	Providers []Provider `yaml:"providers,omitempty"`
	// Serial says the cases share what they change at a service (the
	// same demo bills): against a running service they play one at a
	// time. In-process runs give every attempt a lane of its own.
	Serial      bool     `yaml:"serial,omitempty"`
	DefaultTest Defaults `yaml:"defaultTest,omitempty"`
	Tests       []Case   `yaml:"tests,omitempty"`

	// Path is the file the suite came from.
	Path string `yaml:"-"`
	// Warnings are what the file holds that the format does not read
	// (unknown keys), said before the run.
	Warnings []string `yaml:"-"`
}

// Provider is one column of the provider matrix: the deterministic guide
// (id "guide"), a model the assistant calls through langchaingo ("openai",
// "ollama"), or a running service ("http").
type Provider struct {
	ID     string         `yaml:"id,omitempty" json:"id"`
	Label  string         `yaml:"label,omitempty" json:"label,omitempty"`
	Config ProviderConfig `yaml:"config,omitempty" json:"config"`
	// Prompts is the prompt set the in-process assistant uses (default:
	// the run's --assistant-prompts). The suite's prompts list fills it.
	Prompts string `yaml:"prompts,omitempty" json:"prompts,omitempty"`
}

// ProviderConfig holds a provider's settings.
type ProviderConfig struct {
	URL         string   `yaml:"url,omitempty" json:"url,omitempty"`
	Model       string   `yaml:"model,omitempty" json:"model,omitempty"`
	Temperature *float64 `yaml:"temperature,omitempty" json:"temperature,omitempty"`
	// APIKeyEnv names the environment variable that holds the API key, so
	// keys never sit in suite files.
	APIKeyEnv string `yaml:"api_key_env,omitempty" json:"api_key_env,omitempty"`
	// Cache turns the answer cache off for this provider when false. The
	// deterministic guide is never cached: it is code, not model answers.
	Cache *bool `yaml:"cache,omitempty" json:"cache,omitempty"`
}

// Name is how reports and --provider refer to a provider.
func (p Provider) Name() string {
	if p.Label != "" {
		return p.Label
	}
	return p.ID
}

// Provider kinds.
const (
	ProviderGuide  = "guide"
	ProviderOpenAI = "openai"
	ProviderOllama = "ollama"
	ProviderHTTP   = "http"
)

// Defaults apply to every case of a suite (promptfoo's defaultTest).
type Defaults struct {
	Vars    map[string]string `yaml:"vars,omitempty"`
	Assert  []Assertion       `yaml:"assert,omitempty"`
	Options Options           `yaml:"options,omitempty"`
}

// Options tune how a case runs.
type Options struct {
	Repeat    int `yaml:"repeat,omitempty"`
	TimeoutMS int `yaml:"timeout_ms,omitempty"`
}

// Case is one conversation: resident turns, with assertions on each reply
// and on the end. A promptfoo-style single-turn case gives vars.text (or
// vars.choice, vars.image) instead of turns.
type Case struct {
	Description string            `yaml:"description,omitempty"`
	Vars        map[string]string `yaml:"vars,omitempty"`
	Turns       []CaseTurn        `yaml:"turns,omitempty"`
	// Assert checks the last reply and the end state.
	Assert []Assertion `yaml:"assert,omitempty"`
	// Threshold, when set, lets a case pass on its weighted score instead
	// of requiring every assertion to pass (as in promptfoo).
	Threshold *float64 `yaml:"threshold,omitempty"`
	Options   Options  `yaml:"options,omitempty"`
}

// CaseTurn is one resident turn and the assertions on its reply.
type CaseTurn struct {
	Text   string      `yaml:"text,omitempty"`
	Choice string      `yaml:"choice,omitempty"`
	Image  string      `yaml:"image,omitempty"`
	Assert []Assertion `yaml:"assert,omitempty"`
}

// LoadSuites reads every suite named by paths: files, or directories whose
// *.yaml and *.yml files are read (not recursively), in name order.
func LoadSuites(paths ...string) ([]*Suite, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, filepath.Join(p, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no suite files in %s", strings.Join(paths, ", "))
	}
	sort.Strings(files)
	// Every file is read and every mistake listed, so that an evaluator
	// mends them all before one run, not one per run.
	var suites []*Suite
	var errs []error
	names := map[string]string{}
	for _, f := range files {
		s, err := LoadSuite(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := names[s.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: suite name %q is also used by %s", f, s.Name, other))
			continue
		}
		names[s.Name] = f
		suites = append(suites, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return suites, nil
}

// LoadSuite reads and checks one suite file. Every mistake (an unknown key,
// an unknown assertion type, a regex that does not compile, a value of the
// wrong shape) is reported with the file and the case, before anything runs.
func LoadSuite(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSuite(path, data)
}

// ParseSuite parses a suite from data; path names it in errors and anchors
// relative file references (schemas, images).
func ParseSuite(path string, data []byte) (*Suite, error) {
	var s Suite
	if err := yaml.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, true))
	}
	s.Path = path
	for _, k := range unknownKeys(data) {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: unknown key %s is ignored", path, k))
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if err := s.check(); err != nil {
		return nil, inFile(path, err)
	}
	return &s, nil
}

// inFile names the file in each of the errors err joins.
func inFile(path string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	for _, e := range joined.Unwrap() {
		errs = append(errs, fmt.Errorf("%s: %w", path, e))
	}
	return errors.Join(errs...)
}

// PassThreshold is the suite's threshold, 1 when unset.
func (s *Suite) PassThreshold() float64 {
	if s.Threshold == nil {
		return 1
	}
	return *s.Threshold
}

func (s *Suite) check() error {
	if t := s.PassThreshold(); t < 0 || t > 1 {
		return fmt.Errorf("threshold %v: want a share between 0 and 1", t)
	}
	if len(s.Providers) == 0 {
		s.Providers = []Provider{{ID: ProviderGuide}}
	}
	if err := s.crossPrompts(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, p := range s.Providers {
		switch p.ID {
		case ProviderGuide:
		case ProviderOpenAI, ProviderOllama:
			if p.Config.Model == "" {
				return fmt.Errorf("providers[%d] %s: config.model is required", i, p.ID)
			}
		case ProviderHTTP:
			if p.Config.URL == "" {
				return fmt.Errorf("providers[%d] http: config.url is required", i)
			}
		default:
			return fmt.Errorf("providers[%d]: unknown id %q (want guide, openai, ollama or http)", i, p.ID)
		}
		if seen[p.Name()] {
			return fmt.Errorf("providers[%d]: %q appears twice; give each a label", i, p.Name())
		}
		seen[p.Name()] = true
	}
	if len(s.Tests) == 0 {
		return errors.New("no tests")
	}
	var errs []error
	dir := filepath.Dir(s.Path)
	for i := range s.DefaultTest.Assert {
		if err := s.DefaultTest.Assert[i].compile(dir); err != nil {
			errs = append(errs, fmt.Errorf("defaultTest.assert[%d]: %w", i, err))
		}
	}
	descriptions := map[string]int{}
	for i := range s.Tests {
		c := &s.Tests[i]
		if c.Description == "" {
			c.Description = fmt.Sprintf("case %d", i+1)
		}
		if j, dup := descriptions[c.Description]; dup {
			errs = append(errs, fmt.Errorf("tests[%d]: description %q is also tests[%d]'s; reports compare cases by description", i, c.Description, j))
		}
		descriptions[c.Description] = i
		if err := c.prepare(dir, s.DefaultTest.Vars); err != nil {
			errs = append(errs, fmt.Errorf("tests[%d] %q: %w", i, c.Description, err))
		}
	}
	return errors.Join(errs...)
}

// crossPrompts replaces the providers by their cross product with the
// suite's prompt sets: "guide" with prompts [v1, ./v2] becomes "guide · v1"
// and "guide · v2".
func (s *Suite) crossPrompts() error {
	if len(s.Prompts) == 0 {
		return nil
	}
	dir := filepath.Dir(s.Path)
	var cells []Provider
	for _, p := range s.Providers {
		if p.ID == ProviderHTTP {
			return fmt.Errorf("providers: http plays a running service, which owns its prompts; remove it or the prompts list")
		}
		for _, set := range s.Prompts {
			cell := p
			cell.Prompts = set
			if strings.ContainsRune(set, '/') && !filepath.IsAbs(set) {
				// A directory next to the suite file; the slash keeps it
				// a path for assistant.LoadPrompts.
				if cell.Prompts = filepath.Join(dir, set); !strings.ContainsRune(cell.Prompts, '/') {
					cell.Prompts = "./" + cell.Prompts
				}
			}
			cell.Label = p.Name() + " · " + set
			cells = append(cells, cell)
		}
	}
	s.Providers = cells
	return nil
}

var varPattern = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// prepare turns a single-turn case into turns, fills {{vars}} into the
// turns, and compiles every assertion.
func (c *Case) prepare(dir string, defaults map[string]string) error {
	vars := map[string]string{}
	for k, v := range defaults {
		vars[k] = v
	}
	for k, v := range c.Vars {
		vars[k] = v
	}
	if len(c.Turns) == 0 {
		if vars["text"] == "" && vars["choice"] == "" && vars["image"] == "" {
			return errors.New("no turns and no vars.text, vars.choice or vars.image")
		}
		c.Turns = []CaseTurn{{Text: vars["text"], Choice: vars["choice"], Image: vars["image"]}}
	}
	var missing []string
	fill := func(s string) string {
		return varPattern.ReplaceAllStringFunc(s, func(m string) string {
			name := varPattern.FindStringSubmatch(m)[1]
			v, ok := vars[name]
			if !ok {
				missing = append(missing, name)
			}
			return v
		})
	}
	for i := range c.Turns {
		t := &c.Turns[i]
		t.Text = vietnamese.NFC(fill(t.Text))
		t.Choice = fill(t.Choice)
		if t.Image != "" && !filepath.IsAbs(t.Image) {
			t.Image = filepath.Join(dir, t.Image)
		}
		n := 0
		for _, s := range []string{t.Text, t.Choice, t.Image} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("turns[%d]: give exactly one of text, choice or image", i)
		}
		for j := range t.Assert {
			if err := t.Assert[j].compile(dir); err != nil {
				return fmt.Errorf("turns[%d].assert[%d]: %w", i, j, err)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("unknown vars %s", strings.Join(missing, ", "))
	}
	if c.Threshold != nil && (*c.Threshold < 0 || *c.Threshold > 1) {
		return fmt.Errorf("threshold %v: want a score between 0 and 1", *c.Threshold)
	}
	for j := range c.Assert {
		if err := c.Assert[j].compile(dir); err != nil {
			return fmt.Errorf("assert[%d]: %w", j, err)
		}
	}
	return nil
}

// Inputs lists the case's turns as inputs, in order.
func (c *Case) Inputs() []Input {
	in := make([]Input, len(c.Turns))
	for i, t := range c.Turns {
		in[i] = Input{Text: t.Text, Choice: t.Choice, Image: t.Image}
	}
	return in
}
