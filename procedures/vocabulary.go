package procedures

// The vocabulary of the current import: the words full-text search may
// use and how common each is, for typo correction and for bounding the
// full-text query; and each entry's names, for the name signal.

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// vocabulary is every word of one import of the catalogue. The catalogue
// is immutable between imports, so each replica may keep the vocabulary of
// the version it last saw; a new import changes the version and the
// vocabulary is read again.
type vocabulary struct {
	version   int64
	dimension int
	terms     map[string]int        // term → number of chunks holding it
	grams     map[string][]string   // trigram → the terms holding it, for corrections
	names     map[string][][]string // slug → trigrams of each of its names
}

func (c *Catalogue) vocabulary(ctx context.Context, tx pgx.Tx, stored Status) (*vocabulary, error) {
	if v := c.vocab.Load(); v != nil && v.version == stored.Version {
		return v, nil
	}
	rows, err := tx.Query(ctx, `SELECT term, chunks FROM procedure_terms`)
	if err != nil {
		return nil, err
	}
	v := &vocabulary{version: stored.Version, dimension: stored.Dimension,
		terms: map[string]int{}, grams: map[string][]string{}, names: map[string][][]string{}}
	var term string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&term, &n}, func() error {
		v.terms[term] = n
		for _, g := range trigrams([]string{term}) {
			v.grams[g] = append(v.grams[g], term)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rows, err = tx.Query(ctx, `SELECT slug, folded FROM procedure_names`); err != nil {
		return nil, err
	}
	var slug, name string
	_, err = pgx.ForEachRow(rows, []any{&slug, &name}, func() error {
		v.names[slug] = append(v.names[slug], trigrams(strings.Fields(name)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.vocab.Store(v)
	return v, nil
}

// correct returns, for each query word the catalogue does not contain, the
// catalogue words it was probably meant to be: the word without a stray
// telex tone key ("kys" → "ky"), or else the words most similar to it by
// trigrams, as pg_trgm's similarity counts them (at least 0.3).
func (v *vocabulary) correct(words []string) []string {
	var out []string
	for _, w := range searchWords(strings.Join(words, " ")) {
		if v.terms[w] > 0 {
			continue
		}
		if n := len(w); n > 2 && strings.ContainsRune("sfrxj", rune(w[n-1])) && v.terms[w[:n-1]] > 0 {
			out = append(out, w[:n-1])
			continue
		}
		out = append(out, v.nearest(w, 2)...)
	}
	return out
}

// nearest returns up to n terms most similar to w, best first.
func (v *vocabulary) nearest(w string, n int) []string {
	wg := trigrams([]string{w})
	shared := map[string]int{}
	for _, g := range wg {
		for _, t := range v.grams[g] {
			shared[t]++
		}
	}
	type scored struct {
		term string
		sim  float64
	}
	var best []scored
	for t, common := range shared {
		union := len(wg) + len(trigrams([]string{t})) - common
		if sim := float64(common) / float64(union); sim >= 0.3 {
			best = append(best, scored{t, sim})
		}
	}
	sort.Slice(best, func(i, j int) bool {
		if best[i].sim != best[j].sim {
			return best[i].sim > best[j].sim
		}
		return best[i].term < best[j].term
	})
	var out []string
	for i := 0; i < len(best) && i < n; i++ {
		out = append(out, best[i].term)
	}
	return out
}

// textQuery builds a tsquery that matches any of the words (a resident's
// query rarely shares all its words with the right passage) and rewards the
// query's own word pairs, which carry Vietnamese compounds. Ranking costs
// time for every chunk matched, so words are taken rarest first until
// together they match textBudget chunks; the common words left out still
// count when they occur together (w1 & w2 & …) if that stays within the
// budget. On the shipped catalogue every word fits the budget.
func (v *vocabulary) textQuery(words, all []string) string {
	type term struct {
		w      string
		chunks int
	}
	seen := map[string]bool{}
	var terms []term
	for _, w := range searchWords(strings.Join(all, " ")) {
		if n := v.terms[w]; n > 0 && !seen[w] {
			seen[w] = true
			terms = append(terms, term{w, n})
		}
	}
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].chunks < terms[j].chunks })
	var parts []string
	included := map[string]bool{}
	total := 0
	for _, t := range terms {
		if total+t.chunks > textBudget {
			break
		}
		total += t.chunks
		included[t.w] = true
		parts = append(parts, t.w)
	}
	own := searchWords(strings.Join(words, " "))
	var common []string
	rarest := math.MaxInt
	for _, w := range own {
		if n := v.terms[w]; n > 0 && !included[w] && !slices.Contains(common, w) {
			common = append(common, w)
			rarest = min(rarest, n)
		}
	}
	// Together the common words match no more chunks than the rarest of
	// them does; past the budget they are left to the other rankings.
	if len(common) > 1 && rarest <= textBudget {
		parts = append(parts, "("+strings.Join(common, " & ")+")")
	}
	for i := 0; i+1 < len(own); i++ {
		if included[own[i]] && included[own[i+1]] {
			parts = append(parts, "("+own[i]+" <-> "+own[i+1]+")")
		}
	}
	return strings.Join(parts, " | ")
}

// searchWords keeps the folded words made only of ASCII letters and digits,
// the only ones a tsquery is built from, so that no query text can change
// the tsquery's syntax.
func searchWords(folded string) []string {
	var out []string
	for _, w := range strings.Fields(folded) {
		w = strings.Trim(w, ".,;:!?()\"'")
		ok := w != ""
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				ok = false
				break
			}
		}
		if ok && !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// trigrams returns the distinct trigrams of folded words, each word padded
// with two spaces before and one after as pg_trgm does, sorted.
func trigrams(words []string) []string {
	var out []string
	for _, w := range words {
		rs := []rune("  " + w + " ")
		for i := 0; i+3 <= len(rs); i++ {
			out = append(out, string(rs[i:i+3]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nameSimilarity is how closely the query (its trigrams) matches the best
// of an entry's names: the share of the name's trigrams found in the query
// and the share of the query's found in the name, averaged. A query that is
// exactly a name scores 1; one that adds or lacks words scores less, so
// "đăng ký tạm trú" prefers the entry called that over "xóa đăng ký tạm
// trú".
func (v *vocabulary) nameSimilarity(slug string, query []string) float64 {
	best := 0.0
	for _, name := range v.names[slug] {
		common := 0
		for i, j := 0, 0; i < len(query) && j < len(name); {
			switch {
			case query[i] == name[j]:
				common++
				i++
				j++
			case query[i] < name[j]:
				i++
			default:
				j++
			}
		}
		if len(query) == 0 || len(name) == 0 {
			continue
		}
		s := (float64(common)/float64(len(name)) + float64(common)/float64(len(query))) / 2
		best = max(best, s)
	}
	return best
}
