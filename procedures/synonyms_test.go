package procedures_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/procedures"
)

func TestSynonyms(t *testing.T) {
	s, err := procedures.ShippedSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query       string
		wantWords   string   // after the rewrites
		wantExtra   []string // among the expansions
		unwantExtra []string
	}{
		{"Đăng kí tạm chú", "dang ky tam tru", []string{"kt3", "thue"}, nil},
		{"làm lại CCCD", "lam lai cccd", []string{"can", "cuoc", "cmnd", "cap"}, nil},
		{"nhập hộ khẩu", "nhap ho khau", []string{"thuong", "tru"}, nil},
		{"bằng lái hết hạn", "bang lai het han", []string{"gplx", "giay", "phep"}, nil},
		{"mua BHYT", "mua bhyt", []string{"bao", "hiem", "y", "te"}, []string{"xa"}},
		{"dk tam tru", "dang ky tam tru", nil, nil},
		// "mất" alone is not a death: losing a card must not pull in khai tử.
		{"mất căn cước", "mat can cuoc", []string{"cccd"}, []string{"tu", "khai"}},
		// Folded words that collide with a synonym's syllable expand nothing.
		{"làm căn cước cho con", "lam can cuoc cho con", nil, []string{"kiem", "vu", "khi", "gam"}},
		{"kiểm tra hồ sơ cuối tháng", "kiem tra ho so cuoi thang", nil, []string{"vu", "khi", "hon", "vo"}},
	}
	for _, tt := range tests {
		words := s.Rewrite(tt.query)
		if got := strings.Join(words, " "); got != tt.wantWords {
			t.Errorf("Rewrite(%q) = %q, want %q", tt.query, got, tt.wantWords)
		}
		extra := s.Expand(words)
		for _, w := range tt.wantExtra {
			if !slices.Contains(extra, w) {
				t.Errorf("Expand(%q) = %v, missing %q", tt.query, extra, w)
			}
		}
		for _, w := range tt.unwantExtra {
			if slices.Contains(extra, w) {
				t.Errorf("Expand(%q) = %v, should not add %q", tt.query, extra, w)
			}
		}
		for _, w := range extra {
			if slices.Contains(words, w) {
				t.Errorf("Expand(%q) repeats the query's word %q", tt.query, w)
			}
		}
	}
}

func TestParseSynonymsRejectsBadLists(t *testing.T) {
	for _, data := range []string{
		"groups:\n  - [một]\n",            // a group of one
		"groups:\n  - [một, '...']\n",     // a phrase with no words
		"groups: []\nrewrites: {'': x}\n", // an empty rewrite
		"grups: []\n",                     // a misspelt key
	} {
		if _, err := procedures.ParseSynonyms([]byte(data)); err == nil {
			t.Errorf("ParseSynonyms(%q) accepted it", data)
		}
	}
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func TestLocalEmbedder(t *testing.T) {
	e := procedures.NewLocalEmbedder()
	ctx := context.Background()
	embed := func(s string) []float32 {
		v, err := e.EmbedQuery(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a := embed("Đăng ký tạm trú")
	if len(a) != procedures.LocalDimension {
		t.Fatalf("dimension %d", len(a))
	}
	if n := cosine(a, a); math.Abs(n-1) > 1e-5 {
		t.Errorf("not unit length: %v", n)
	}
	if b := embed("Đăng ký tạm trú"); !slices.Equal(a, b) {
		t.Error("not deterministic")
	}
	if b := embed("dang ky tam tru"); cosine(a, b) < 0.999 {
		t.Errorf("diacritics change the vector: cos %.3f", cosine(a, b))
	}
	typo, other := cosine(a, embed("dang kys tamj tru")), cosine(a, embed("cấp đổi giấy phép lái xe"))
	if typo <= other+0.2 {
		t.Errorf("a typo (cos %.3f) should stay much closer than another procedure (cos %.3f)", typo, other)
	}
	if z := embed(""); cosine(z, z) == 0 || math.IsNaN(cosine(z, z)) {
		t.Error("empty text has no direction")
	}
	docs, _ := e.EmbedDocuments(ctx, []string{"hộ chiếu", "căn cước"})
	if len(docs) != 2 || !slices.Equal(docs[0], embed("hộ chiếu")) {
		t.Error("EmbedDocuments differs from EmbedQuery")
	}
}
