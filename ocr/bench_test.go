package ocr

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// The benchmarks below print reports rather than time a loop: run them
// once each, e.g.
//
//	go test ./ocr -run '^$' -bench . -benchtime 1x -ocr.pages 20
//
// The corpus is generated from a fixed seed at the start, so every run reads
// the same pages.
var (
	benchPages  = flag.Int("ocr.pages", 20, "pages per kind and degradation in BenchmarkAccuracy")
	benchAblate = flag.Int("ocr.ablate-pages", 3, "pages per degradation in BenchmarkPreprocessSteps")
)

var benchKinds = []string{corpus.Front, corpus.Back, corpus.Form}

// fieldsOf lists the fields scored per kind, the must-be-exact ones first.
var fieldsOf = map[string][]string{
	corpus.Front: {"id_number", "date_of_birth", "full_name", "sex", "nationality", "place_of_origin", "place_of_residence", "expiry_date"},
	corpus.Back:  {"id_number", "date_of_birth", "document_number", "sex", "expiry_date", "nationality", "full_name"},
	corpus.Form:  {"id_number", "date_of_birth", "full_name", "sex", "phone", "place_of_residence", "current_address", "request"},
}

// makeCorpus renders n pages of each kind for each degradation.
func makeCorpus(b *testing.B, seed uint64, n int, kinds, degradations []string) []corpus.Page {
	g, err := corpus.NewGenerator(seed)
	if err != nil {
		b.Fatal(err)
	}
	var pages []corpus.Page
	for _, k := range kinds {
		for _, d := range degradations {
			for range n {
				pg, err := g.Page(k, g.Person(), d)
				if err != nil {
					b.Fatal(err)
				}
				pages = append(pages, pg)
			}
		}
	}
	return pages
}

// readAll reads pages with the given number of goroutines and returns the
// results in order and the wall time.
func readAll(b *testing.B, r *Reader, pages []corpus.Page, workers int) ([]*Result, time.Duration) {
	results := make([]*Result, len(pages))
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range next {
				res, err := r.Read(context.Background(), Request{Image: pages[i].Image, FormFields: ct01Fields()})
				if err != nil {
					res = &Result{Fields: map[string]Field{}, Warnings: []string{"error: " + err.Error()}}
				}
				results[i] = res
			}
		})
	}
	for i := range pages {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, time.Since(start)
}

type cell struct {
	pages int
	cer   float64
	exact map[string]int
}

func score(pages []corpus.Page, results []*Result) map[[2]string]*cell {
	cells := map[[2]string]*cell{}
	for i, pg := range pages {
		key := [2]string{pg.Kind, pg.Degradation}
		c := cells[key]
		if c == nil {
			c = &cell{exact: map[string]int{}}
			cells[key] = c
		}
		res := results[i]
		c.pages++
		c.cer += CER(pg.Text, res.Text)
		for _, f := range fieldsOf[pg.Kind] {
			if res.Fields[f].Value == pg.Fields[f] {
				c.exact[f]++
			}
		}
	}
	return cells
}

func printCells(title string, cells map[[2]string]*cell, degradations []string) {
	fmt.Printf("\n%s\n", title)
	for _, k := range benchKinds {
		fields := fieldsOf[k]
		fmt.Printf("\n%s\n| degradation | pages | text CER |", k)
		for _, f := range fields {
			fmt.Printf(" %s |", f)
		}
		fmt.Printf("\n|---|---|---|%s\n", strings.Repeat("---|", len(fields)))
		for _, d := range degradations {
			c := cells[[2]string{k, d}]
			if c == nil {
				continue
			}
			fmt.Printf("| %s | %d | %.2f%% |", d, c.pages, 100*c.cer/float64(c.pages))
			for _, f := range fields {
				fmt.Printf(" %.0f%% |", 100*float64(c.exact[f])/float64(c.pages))
			}
			fmt.Println()
		}
	}
}

// BenchmarkAccuracy prints, per kind and degradation, the text's character
// error rate and each field's exact-match rate.
func BenchmarkAccuracy(b *testing.B) {
	pages := makeCorpus(b, 2026, *benchPages, benchKinds, corpus.Degradations)
	pool := benchPool(b, 2)
	b.ResetTimer()
	results, took := readAll(b, NewReader(pool), pages, 2)
	b.StopTimer()
	printCells(fmt.Sprintf("Accuracy: %d pages, 2 workers, %.1fs", len(pages), took.Seconds()),
		score(pages, results), corpus.Degradations)
	for i, res := range results {
		for _, w := range res.Warnings {
			if strings.HasPrefix(w, "error: ") {
				fmt.Printf("  %s: %s\n", pages[i].Name, w)
			}
		}
	}
	b.ReportMetric(float64(len(pages))/took.Seconds(), "pages/s")
}

func benchPool(b *testing.B, workers int) *Pool {
	pool, err := NewPool(Config{Workers: workers, Queue: 64, QueueTimeout: 10 * time.Minute, Languages: []string{"vie"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// BenchmarkPreprocessSteps measures what each clean-up step is worth on
// forms (text CER) and card backs (MRZ fields), degraded every way.
func BenchmarkPreprocessSteps(b *testing.B) {
	pages := makeCorpus(b, 99, *benchAblate, []string{corpus.Form, corpus.Back}, corpus.Degradations)
	pool := benchPool(b, 2)
	variants := []struct {
		name string
		opts PreprocessOptions
	}{
		{"none", PreprocessOptions{}},
		{"flatten", PreprocessOptions{Flatten: true}},
		{"deskew", PreprocessOptions{Deskew: true}},
		{"scale to 1600", PreprocessOptions{MinWidth: 1600}},
		{"default (deskew)", DefaultPreprocess},
		{"all", PreprocessOptions{Flatten: true, Deskew: true, MinWidth: 1600}},
	}
	b.ResetTimer()
	fmt.Printf("\nPre-processing steps (%d pages per degradation; form text CER / MRZ id_number+date_of_birth exact; CPU s/page)\n| steps |", *benchAblate)
	for _, d := range corpus.Degradations {
		fmt.Printf(" %s |", d)
	}
	fmt.Printf(" s/page |\n|---|%s---|\n", strings.Repeat("---|", len(corpus.Degradations)))
	for _, v := range variants {
		cpu := cpuTime(rusageSelf)
		results, _ := readAll(b, NewReader(pool).WithPreprocess(v.opts), pages, 2)
		cpu = cpuTime(rusageSelf) - cpu
		cells := score(pages, results)
		fmt.Printf("| %s |", v.name)
		for _, d := range corpus.Degradations {
			f, m := cells[[2]string{corpus.Form, d}], cells[[2]string{corpus.Back, d}]
			fmt.Printf(" %.1f%% / %.0f%% |", 100*f.cer/float64(f.pages),
				100*float64(m.exact["id_number"]+m.exact["date_of_birth"])/float64(2*m.pages))
		}
		fmt.Printf(" %.2f |\n", cpu.Seconds()/float64(len(pages)))
	}
}

const (
	rusageSelf     = syscall.RUSAGE_SELF
	rusageChildren = syscall.RUSAGE_CHILDREN
)

// cpuTime is the user and system CPU time of this process or of its
// finished children. On a machine shared with other work, CPU time per page
// is steadier than wall time.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
