package procedures

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

//go:embed seeds.yaml
var seedsYAML []byte

// Seed is a service the news the project started from names, and where
// the catalogue offers it (see seeds.yaml).
type Seed struct {
	Name   string   `yaml:"name"`
	Source string   `yaml:"source"`
	Group  string   `yaml:"group"`
	Slugs  []string `yaml:"slugs"`
	Words  []string `yaml:"words"`
}

// Seeds are the shipped seeds.
func Seeds() ([]Seed, error) {
	var seeds []Seed
	if err := yaml.UnmarshalWithOptions(seedsYAML, &seeds, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("seeds.yaml: %w", err)
	}
	for _, s := range seeds {
		if s.Name == "" || (s.Group == "") == (len(s.Slugs) == 0) {
			return nil, fmt.Errorf("seeds.yaml: %q: give a name and either a group or slugs", s.Name)
		}
	}
	return seeds, nil
}

// Coverage is a seed and the entries that offer it; Missing lists the
// slugs it names that the catalogue lacks.
type Coverage struct {
	Seed
	Entries []string
	Missing []string
}

// Offered says whether the catalogue offers the seed.
func (c Coverage) Offered() bool { return len(c.Entries) > 0 && len(c.Missing) == 0 }

// Cover finds the entries that offer each seed.
func Cover(seeds []Seed, entries []Entry) []Coverage {
	bySlug := map[string]*Entry{}
	for i := range entries {
		bySlug[entries[i].Slug] = &entries[i]
	}
	out := make([]Coverage, 0, len(seeds))
	for _, s := range seeds {
		c := Coverage{Seed: s}
		var candidates []*Entry
		for i := range entries {
			if s.Group != "" && entries[i].Group == s.Group {
				candidates = append(candidates, &entries[i])
			}
		}
		for _, slug := range s.Slugs {
			if e, ok := bySlug[slug]; ok {
				candidates = append(candidates, e)
			} else {
				c.Missing = append(c.Missing, slug)
			}
		}
		for _, e := range candidates {
			if mentions(e, s.Words) && !slices.Contains(c.Entries, e.Slug) {
				c.Entries = append(c.Entries, e.Slug)
			}
		}
		out = append(out, c)
	}
	return out
}

// mentions says whether the entry's name, aliases or summary name one of
// words (folded); no words: yes.
func mentions(e *Entry, words []string) bool {
	if len(words) == 0 {
		return true
	}
	text := " " + vietnamese.Fold(e.Name+" "+strings.Join(e.Aliases, " ")+" "+e.Summary) + " "
	for _, w := range words {
		if strings.Contains(text, vietnamese.Fold(w)) {
			return true
		}
	}
	return false
}
