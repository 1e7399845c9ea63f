package ocr

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// The per-kind corpus test reads, for every kind of document, two clean
// pages and five pages of each phone-photo degradation (30 degraded pages,
// 60 ID and birth-date readings: one miss is 98.3%, two fail), and checks
// the exact-match rate of the fields that must be exact. station bench ocr
// reads as many pages as asked, for the README's figures.
var (
	kindClean    = flag.Int("ocr.kind-clean", 2, "clean pages per kind in TestCorpusKinds")
	kindDegraded = flag.Int("ocr.kind-degraded", 5, "pages per kind and phone degradation in TestCorpusKinds")
	kindOnly     = flag.String("ocr.kinds", "", "comma-separated corpus kinds TestCorpusKinds reads (default all)")
)

// keyFields are the fields scored per kind; for a refused paper, the
// refusal's code.
var keyFields = map[string][]string{
	corpus.Front:        {"id_number", "date_of_birth"},
	corpus.Front2016:    {"id_number", "date_of_birth"},
	corpus.Back:         {"id_number", "date_of_birth"},
	corpus.CanCuocFront: {"id_number", "date_of_birth"},
	corpus.CanCuocBack:  {"id_number", "date_of_birth"},
	corpus.Passport:     {"id_number", "date_of_birth"},
	corpus.BirthCert:    {"id_number", "date_of_birth"},
	corpus.Bill:         {"customer_code"},
	corpus.Form:         {"id_number", "date_of_birth"},
	corpus.CMND:         {"refused"},
	corpus.Booklet:      {"refused"},
}

var refusalCode = map[string]string{corpus.CMND: "cmnd_not_accepted", corpus.Booklet: "household_booklet_not_accepted"}

// kindScore counts exact matches per kind and clean/degraded.
type kindScore struct {
	pages, exact int
	misses       []string
}

// scoreKinds reads pages (two at once) and scores them by kind and by
// whether they are clean.
func scoreKinds(t testing.TB, r *Reader, pages []corpus.Page) map[[2]string]*kindScore {
	type out struct {
		res *Result
		err error
	}
	outs := make([]out, len(pages))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				res, err := r.Read(context.Background(), Request{Image: pages[i].Image, FormFields: ct01Fields()})
				outs[i] = out{res, err}
			}
		})
	}
	for i := range pages {
		next <- i
	}
	close(next)
	wg.Wait()
	scores := map[[2]string]*kindScore{}
	for i, pg := range pages {
		cond := "degraded"
		if pg.Degradation == corpus.Clean {
			cond = corpus.Clean
		}
		key := [2]string{pg.Kind, cond}
		s := scores[key]
		if s == nil {
			s = &kindScore{}
			scores[key] = s
		}
		for _, f := range keyFields[pg.Kind] {
			s.pages++
			ok := false
			switch {
			case f == "refused":
				ok = outs[i].err != nil && apperr.CodeOf(outs[i].err) == refusalCode[pg.Kind]
			case outs[i].err == nil:
				ok = outs[i].res.Fields[f].Value == pg.Fields[f]
			}
			if ok {
				s.exact++
				continue
			}
			got := ""
			if outs[i].err != nil {
				got = "error " + apperr.CodeOf(outs[i].err)
			} else {
				got = fmt.Sprintf("%q (kind %s)", outs[i].res.Fields[f].Value, outs[i].res.Kind)
			}
			s.misses = append(s.misses, fmt.Sprintf("%s %s: %s, want %q", pg.Name, f, got, pg.Fields[f]))
		}
	}
	return scores
}

// testedKinds are the kinds -ocr.kinds names, or every kind.
func testedKinds() []string {
	if *kindOnly == "" {
		return corpus.Kinds
	}
	return strings.Split(*kindOnly, ",")
}

// kindPages renders clean and degraded pages of every kind.
func kindPages(t testing.TB, seed uint64, clean, perDegradation int) []corpus.Page {
	g, err := corpus.NewGenerator(seed)
	if err != nil {
		t.Fatal(err)
	}
	var pages []corpus.Page
	for _, k := range testedKinds() {
		for _, d := range append([]string{corpus.Clean}, corpus.PhoneDegradations...) {
			n := perDegradation
			if d == corpus.Clean {
				n = clean
			}
			for range n {
				pg, err := g.Page(k, g.Person(), d)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, pg)
			}
		}
	}
	return pages
}

// TestCorpusKinds: every kind read exactly on clean pages, at least 97% on
// phone-photo ones.
func TestCorpusKinds(t *testing.T) {
	if raceDetector {
		t.Skip("accuracy over the corpus runs in make test's pass without -race (see race_test.go)")
	}
	pages := kindPages(t, 2020, *kindClean, *kindDegraded)
	scores := scoreKinds(t, NewReader(testPool(t)), pages)
	for _, k := range testedKinds() {
		for _, cond := range []string{corpus.Clean, "degraded"} {
			s := scores[[2]string{k, cond}]
			if s == nil || s.pages == 0 {
				t.Errorf("%s %s: no pages", k, cond)
				continue
			}
			rate := float64(s.exact) / float64(s.pages)
			want := 0.97
			if cond == corpus.Clean {
				want = 1
			}
			t.Logf("%s %s: %d/%d exact (%.1f%%)", k, cond, s.exact, s.pages, 100*rate)
			if rate < want {
				t.Errorf("%s %s: %.1f%% exact, want ≥ %.0f%%; misses: %v", k, cond, 100*rate, 100*want, s.misses)
			} else if len(s.misses) > 0 {
				t.Logf("  misses: %v", s.misses)
			}
		}
	}
}
