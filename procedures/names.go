package procedures

import (
	"slices"
)

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
