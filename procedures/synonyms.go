package procedures

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

//go:embed synonyms.yaml
var shippedSynonyms []byte

// Synonyms expands a resident's query with the other words people use for
// the same thing (hộ khẩu ↔ thường trú, CCCD ↔ căn cước) and corrects
// common misspellings. The lists are data (synonyms.yaml), not code.
type Synonyms struct {
	rewrites []rewrite        // longest first
	groups   [][]phrase       // each group's phrases
	index    map[string][]int // first word of a phrase → groups holding it
}

type phrase []string // folded words

type rewrite struct {
	from phrase
	to   []string
}

// ShippedSynonyms returns the synonym lists built into the binary.
func ShippedSynonyms() (*Synonyms, error) { return ParseSynonyms(shippedSynonyms) }

// ParseSynonyms reads a synonyms file (see synonyms.yaml for the format).
func ParseSynonyms(data []byte) (*Synonyms, error) {
	var file struct {
		Groups   [][]string        `yaml:"groups"`
		Rewrites map[string]string `yaml:"rewrites"`
	}
	if err := yaml.UnmarshalWithOptions(data, &file, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	s := &Synonyms{index: map[string][]int{}}
	for i, g := range file.Groups {
		if len(g) < 2 {
			return nil, fmt.Errorf("synonyms: group %d has fewer than two phrases", i+1)
		}
		var ps []phrase
		for _, text := range g {
			p := phrase(vietnamese.Words(text))
			if len(p) == 0 {
				return nil, fmt.Errorf("synonyms: group %d has an empty phrase", i+1)
			}
			ps = append(ps, p)
			s.index[p[0]] = append(s.index[p[0]], len(s.groups))
		}
		s.groups = append(s.groups, ps)
	}
	for from, to := range file.Rewrites {
		f := phrase(vietnamese.Words(from))
		if len(f) == 0 {
			return nil, fmt.Errorf("synonyms: empty rewrite %q", from)
		}
		s.rewrites = append(s.rewrites, rewrite{from: f, to: vietnamese.Words(to)})
	}
	sort.Slice(s.rewrites, func(i, j int) bool {
		if len(s.rewrites[i].from) != len(s.rewrites[j].from) {
			return len(s.rewrites[i].from) > len(s.rewrites[j].from)
		}
		return strings.Join(s.rewrites[i].from, " ") < strings.Join(s.rewrites[j].from, " ")
	})
	return s, nil
}

// Expand returns the words of every synonym of a phrase that words
// contains, without repeats and without words already there. words are
// folded, as Rewrite returns them.
func (s *Synonyms) Expand(words []string) (extra []string) {
	have := map[string]bool{}
	for _, w := range words {
		have[w] = true
	}
	matched := map[int]bool{}
	for i, w := range words {
		for _, g := range s.index[w] {
			if matched[g] {
				continue
			}
			for _, p := range s.groups[g] {
				if hasPhraseAt(words, i, p) {
					matched[g] = true
					break
				}
			}
		}
	}
	groups := make([]int, 0, len(matched))
	for g := range matched {
		groups = append(groups, g)
	}
	sort.Ints(groups) // deterministic order, for stable vectors
	for _, g := range groups {
		for _, p := range s.groups[g] {
			for _, w := range p {
				if !have[w] {
					have[w] = true
					extra = append(extra, w)
				}
			}
		}
	}
	return extra
}

// Rewrite returns the folded words of query with misspellings and dialect
// spellings corrected.
func (s *Synonyms) Rewrite(query string) []string { return s.rewrite(vietnamese.Words(query)) }

func (s *Synonyms) rewrite(words []string) []string {
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); {
		replaced := false
		for _, r := range s.rewrites {
			if hasPhraseAt(words, i, r.from) {
				out = append(out, r.to...)
				i += len(r.from)
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, words[i])
			i++
		}
	}
	return out
}

func hasPhraseAt(words []string, i int, p phrase) bool {
	if i+len(p) > len(words) {
		return false
	}
	for j, w := range p {
		if words[i+j] != w {
			return false
		}
	}
	return true
}
