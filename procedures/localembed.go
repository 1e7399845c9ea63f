package procedures

import (
	"context"
	"hash/fnv"
	"math"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// LocalEmbedder turns text into a vector without a model or a network: the
// folded words, word pairs and character trigrams of the text are hashed
// into a fixed number of dimensions (the "hashing trick"). Word pairs carry
// Vietnamese compounds (căn cước, tạm trú), trigrams carry typos and
// partial words. It is deterministic and takes microseconds per text.
type LocalEmbedder struct {
	dim int
}

// LocalDimension is the local embedder's vector size, the size the
// catalogue's table is created with.
const LocalDimension = 384

// NewLocalEmbedder returns the default embedder.
func NewLocalEmbedder() *LocalEmbedder { return &LocalEmbedder{dim: LocalDimension} }

// Name identifies the algorithm and its version: vectors made by another
// version must not be compared with these.
func (l *LocalEmbedder) Name() string { return "local:v1" }

// EmbedDocuments embeds each text.
func (l *LocalEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = l.embed(t)
	}
	return out, nil
}

// EmbedQuery embeds one text.
func (l *LocalEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return l.embed(text), nil
}

// Feature weights: whole words count most, pairs confirm compounds, and the
// trigrams of a word share one word's weight between them.
const (
	wordWeight    = 1.0
	pairWeight    = 0.8
	trigramWeight = 0.9 // shared by all trigrams of one word
	stopWeight    = 0.15
)

// stopWords are function words that say little about which procedure is
// meant; they keep a small weight rather than none.
var stopWords = map[string]bool{
	"toi": true, "cho": true, "cua": true, "va": true, "thi": true, "la": true, "co": true,
	"khong": true, "muon": true, "can": true, "o": true, "tai": true, "de": true, "duoc": true,
	"nhu": true, "the": true, "nao": true, "gi": true, "ai": true, "em": true, "anh": true,
	"chi": true, "oi": true, "a": true, "voi": true, "nay": true, "do": true, "mot": true,
	"nhung": true, "cac": true, "bao": true, "nhieu": true, "khi": true, "neu": true, "ve": true,
	"i": true, "want": true, "to": true, "my": true, "how": true, "for": true, "get": true,
	"di": true, "phai": true, "roi": true, "minh": true, "ban": true, "giup": true, "xin": true,
}

func (l *LocalEmbedder) embed(text string) []float32 {
	v := make([]float32, l.dim)
	words := vietnamese.Words(text)
	for i, w := range words {
		weight := wordWeight
		if stopWords[w] {
			weight = stopWeight
		}
		l.add(v, "w:"+w, weight)
		if i+1 < len(words) {
			pw := pairWeight
			if stopWords[w] || stopWords[words[i+1]] {
				pw = stopWeight
			}
			l.add(v, "p:"+w+" "+words[i+1], pw)
		}
		if stopWords[w] {
			continue
		}
		padded := "<" + w + ">"
		rs := []rune(padded)
		n := len(rs) - 2
		if n < 1 {
			continue
		}
		tw := trigramWeight / math.Sqrt(float64(n))
		for j := 0; j+3 <= len(rs); j++ {
			l.add(v, "t:"+string(rs[j:j+3]), tw)
		}
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm == 0 {
		// A zero vector has no cosine distance; give empty text one
		// fixed direction instead.
		v[0] = 1
		return v
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// add hashes feature into one dimension with a sign taken from the hash, so
// that collisions cancel out on average instead of piling up.
func (l *LocalEmbedder) add(v []float32, feature string, weight float64) {
	h := fnv.New64a()
	h.Write([]byte(feature))
	sum := h.Sum64()
	i := int(sum % uint64(l.dim))
	if sum>>63 == 1 {
		weight = -weight
	}
	v[i] += float32(weight)
}
