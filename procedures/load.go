package procedures

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The shipped catalogue: reviewed data files, one per entry, and the schema
// every file must satisfy.
//
//go:embed catalogue/*.yaml
var shipped embed.FS

//go:embed entry.schema.json
var entrySchema []byte

// Shipped returns the catalogue files built into the binary, as a file
// system whose root holds the *.yaml entries.
func Shipped() fs.FS {
	sub, err := fs.Sub(shipped, "catalogue")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return sub
}

// LoadError lists every problem found in a catalogue's files, each naming
// the file and the place inside it, so that an author fixes them all at once.
type LoadError struct {
	Problems []string
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("catalogue has %d problem(s):\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Load reads every *.yaml file at the root of fsys, validates each against
// the entry schema and the rules a schema cannot say (unique slugs, a slug
// that starts with its group, unique field names, Go regexps), and returns
// the entries sorted by slug with all text in NFC.
func Load(fsys fs.FS) ([]Entry, error) {
	schema, err := compileSchema()
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, &LoadError{Problems: []string{"no *.yaml entry files found"}}
	}
	var (
		entries  []Entry
		problems []string
		bySlug   = map[string]string{}
	)
	for _, name := range names {
		e, errs := loadFile(fsys, name, schema)
		if len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		if other, dup := bySlug[e.Slug]; dup {
			problems = append(problems, fmt.Sprintf("%s: /slug: %q is also the slug of %s", name, e.Slug, other))
			continue
		}
		bySlug[e.Slug] = name
		entries = append(entries, e)
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Slug < entries[j].Slug })
	return entries, nil
}

func loadFile(fsys fs.FS, name string, schema *jsonschema.Schema) (Entry, []string) {
	fail := func(format string, args ...any) (Entry, []string) {
		return Entry{}, []string{name + ": " + fmt.Sprintf(format, args...)}
	}
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fail("%v", err)
	}
	raw = []byte(vietnamese.NFC(string(raw)))
	// Validate the document as JSON sees it, so the schema judges exactly
	// what will be decoded.
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fail("not valid YAML: %v", err)
	}
	asJSON, err := json.Marshal(doc)
	if err != nil {
		return fail("cannot be read as JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(asJSON))
	if err != nil {
		return fail("cannot be read as JSON: %v", err)
	}
	if err := schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return fail("%v", err)
		}
		// The error's text lists one problem a line, each "- at '/path': why",
		// after a first line naming the schema.
		var problems []string
		lines := strings.Split(ve.Error(), "\n")
		for _, l := range lines[1:] {
			if l = strings.TrimPrefix(strings.TrimSpace(l), "- "); l != "" {
				problems = append(problems, name+": "+l)
			}
		}
		if len(problems) == 0 {
			problems = append(problems, name+": "+ve.Error())
		}
		return Entry{}, problems
	}
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(asJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return fail("%v", err)
	}
	return e, checkEntry(name, &e)
}

// checkEntry applies the rules the schema cannot express.
func checkEntry(name string, e *Entry) []string {
	var problems []string
	add := func(loc, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s: %s", name, loc, fmt.Sprintf(format, args...)))
	}
	if g, _, _ := strings.Cut(e.Slug, "."); g != e.Group {
		add("/slug", "slug %q must start with its group %q", e.Slug, e.Group)
	}
	if want := e.Slug + ".yaml"; path.Base(name) != want {
		add("/slug", "the file of slug %q must be named %s", e.Slug, want)
	}
	if _, err := e.Source.Checked(); err != nil {
		add("/source/checked_on", "%q is not a date (YYYY-MM-DD)", e.Source.CheckedOn)
	}
	seen := map[string]bool{}
	for i, f := range e.Form.Fields {
		loc := fmt.Sprintf("/form/fields/%d", i)
		if seen[f.Name] {
			add(loc+"/name", "field %q appears twice", f.Name)
		}
		seen[f.Name] = true
		if f.Pattern != "" {
			if _, err := regexp.Compile(f.Pattern); err != nil {
				add(loc+"/pattern", "not a Go regexp: %v", err)
			}
		}
	}
	for i, fee := range e.Fees {
		if fee.OnlineAmount != nil && *fee.OnlineAmount > fee.Amount {
			add(fmt.Sprintf("/fees/%d/online_amount", i), "online amount %d is above the amount %d", *fee.OnlineAmount, fee.Amount)
		}
	}
	checkFacts(e, add)
	return problems
}

func compileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(entrySchema))
	if err != nil {
		return nil, fmt.Errorf("entry schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "entry.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("entry schema: %w", err)
	}
	return c.Compile(url)
}
