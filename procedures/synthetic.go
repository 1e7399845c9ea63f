package procedures

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Synthetic returns entries that together make about target chunks: copies of
// base whose words are shuffled and mixed with words from the whole
// catalogue, so that full text and vector search meet many plausible
// distractors. The benchmark searches base's test queries among them. The
// same seed gives the same entries.
func Synthetic(base []Entry, target int, seed uint64) []Entry {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var vocab []string
	perEntry := 0
	for i := range base {
		perEntry += len(chunks(&base[i]))
		for _, ch := range chunks(&base[i]) {
			vocab = append(vocab, strings.Fields(ch.Body)...)
		}
	}
	perEntry = max(1, perEntry/len(base))
	mix := func(text string) string {
		words := strings.Fields(text)
		for i := range words {
			if r.IntN(3) == 0 {
				words[i] = vocab[r.IntN(len(vocab))]
			}
		}
		r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		return strings.Join(words, " ")
	}
	n := target / perEntry
	out := make([]Entry, 0, n)
	for i := 0; i < n; i++ {
		e := base[r.IntN(len(base))] // a shallow copy: the slices changed below are new ones
		e.Slug = fmt.Sprintf("synthetic.entry-%d", i+1)
		e.Group = "synthetic"
		e.Name = mix(e.Name)
		e.Summary = mix(e.Summary)
		aliases := make([]string, len(e.Aliases))
		for j, a := range e.Aliases {
			aliases[j] = mix(a)
		}
		e.Aliases = aliases
		steps := make([]Step, len(e.Steps))
		for j, s := range e.Steps {
			steps[j] = Step{Title: mix(s.Title), Text: mix(s.Text)}
		}
		e.Steps = steps
		out = append(out, e)
	}
	return out
}
