package ocr

import (
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
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
	benchSpeed  = flag.Int("ocr.speed-pages", 12, "pages per kind in BenchmarkThroughput")
	benchSoak   = flag.Int("ocr.soak", 5000, "recognitions in BenchmarkSoak")
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

// BenchmarkThroughput prints pages per second through the pool at 1 and 2
// workers, beside the tesseract command line on the same pages, one process
// per page (OMP_THREAD_LIMIT=1), as many at once as workers.
func BenchmarkThroughput(b *testing.B) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Fatal("the tesseract command is needed to compare with: ", err)
	}
	per := *benchSpeed
	// Each kind's pages mix the degradations.
	var pages []corpus.Page
	all := makeCorpus(b, 77, (per+len(corpus.Degradations)-1)/len(corpus.Degradations), benchKinds, corpus.Degradations)
	for _, k := range benchKinds {
		n := 0
		for _, pg := range all {
			if pg.Kind == k && n < per {
				pages = append(pages, pg)
				n++
			}
		}
	}
	dir := b.TempDir()
	files := make([]string, len(pages))
	for i, pg := range pages {
		ext := ".png"
		if pg.Degradation == corpus.JPEG40 {
			ext = ".jpg"
		}
		files[i] = filepath.Join(dir, pg.Name+strconv.Itoa(i)+ext)
		if err := os.WriteFile(files[i], pg.Image, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	fmt.Printf("\nThroughput (pages/s, wall; machine: %d cores, shared) and CPU seconds per page\n| kind | pages | pool, 1 worker | pool, 2 workers | CLI, 1 at once | CLI, 2 at once | pool ÷ CLI at 2 | CPU s/page: reader | recognition only | CLI | CLI ÷ reader | CLI ÷ recognition only |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n", runtime.NumCPU())
	for _, k := range benchKinds {
		var kp []corpus.Page
		var kf []string
		for i, pg := range pages {
			if pg.Kind == k {
				kp, kf = append(kp, pg), append(kf, files[i])
			}
		}
		rate := map[string]float64{}
		var poolCPU, cliCPU time.Duration
		for _, w := range []int{1, 2} {
			pool := benchPool(b, w)
			cpu := cpuTime(rusageSelf)
			_, took := readAll(b, NewReader(pool), kp, w)
			poolCPU += cpuTime(rusageSelf) - cpu
			pool.Close()
			rate[fmt.Sprint("pool", w)] = float64(len(kp)) / took.Seconds()
			cpu = cpuTime(rusageChildren)
			took = runCLI(b, kf, w)
			cliCPU += cpuTime(rusageChildren) - cpu
			rate[fmt.Sprint("cli", w)] = float64(len(kf)) / took.Seconds()
		}
		// The same work as the command line and nothing more: decode and
		// recognise each page on a pooled client.
		pool := benchPool(b, 1)
		cpu := cpuTime(rusageSelf)
		for _, pg := range kp {
			g, _, err := Decode(pg.Image)
			if err != nil {
				b.Fatal(err)
			}
			if err := pool.Do(context.Background(), func(c *Client) error {
				_, err := c.Recognize(g, RecognizeOptions{})
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
		perRecognize := (cpuTime(rusageSelf) - cpu).Seconds() / float64(len(kp))
		pool.Close()
		perPool := poolCPU.Seconds() / float64(2*len(kp))
		perCLI := cliCPU.Seconds() / float64(2*len(kf))
		fmt.Printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f× | %.3f | %.3f | %.3f | %.2f× | %.2f× |\n", k, len(kp),
			rate["pool1"], rate["pool2"], rate["cli1"], rate["cli2"], rate["pool2"]/rate["cli2"],
			perPool, perRecognize, perCLI, perCLI/perPool, perCLI/perRecognize)
	}
}

// runCLI runs tesseract FILE stdout -l vie on every file, n at once.
func runCLI(b *testing.B, files []string, n int) time.Duration {
	next := make(chan string)
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Go(func() {
			for f := range next {
				cmd := exec.Command("tesseract", f, "stdout", "-l", "vie")
				cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
				if out, err := cmd.Output(); err != nil {
					b.Errorf("tesseract %s: %v %s", f, err, out)
				}
			}
		})
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	return time.Since(start)
}

// BenchmarkSoak runs many recognitions through one pool and reports the
// process's resident memory at the start and the end: it must stay flat.
func BenchmarkSoak(b *testing.B) {
	g, _, err := Decode(makeCorpus(b, 5, 1, []string{corpus.Form}, []string{corpus.Clean})[0].Image)
	if err != nil {
		b.Fatal(err)
	}
	// Two lines of the form: small, so that thousands of recognitions
	// take minutes, yet every part of a recognition runs.
	small := pngOf(b, cropGray(g, image.Rect(100, 350, 1240, 480)))
	pool := benchPool(b, 2)
	r := NewReader(pool)
	warm := func(n int) {
		var wg sync.WaitGroup
		next := make(chan struct{})
		for range 2 {
			wg.Go(func() {
				for range next {
					if _, err := r.Read(context.Background(), Request{Image: small}); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for range n {
			next <- struct{}{}
		}
		close(next)
		wg.Wait()
	}
	warm(50) // let allocators reach their working size
	runtime.GC()
	startRSS := rssKB(b)
	b.ResetTimer()
	start := time.Now()
	checkpoints := []int{}
	for done := 0; done < *benchSoak; {
		n := min(1000, *benchSoak-done)
		warm(n)
		done += n
		checkpoints = append(checkpoints, rssKB(b))
	}
	took := time.Since(start)
	runtime.GC()
	endRSS := rssKB(b)
	fmt.Printf("\nSoak: %d recognitions through one pool of 2 in %.0fs; RSS %d MB at start, %d MB at end (every 1000: %v MB)\n",
		*benchSoak, took.Seconds(), startRSS>>10, endRSS>>10, mb(checkpoints))
	b.ReportMetric(float64(startRSS>>10), "MB-rss-start")
	b.ReportMetric(float64(endRSS>>10), "MB-rss-end")
}

func mb(kb []int) []int {
	out := make([]int, len(kb))
	for i, v := range kb {
		out[i] = v >> 10
	}
	return out
}

// rssKB reads the process's resident set size from /proc.
func rssKB(b *testing.B) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
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
