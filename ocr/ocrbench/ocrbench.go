// Package ocrbench measures the OCR reader against the tesseract command
// line on the same generated pages, for station bench ocr: pages per second
// and CPU seconds per page of the reader with and without its shortcuts, of
// a bare pooled recognition, of each command-line configuration and of the
// best integer model; and a soak that samples the process's memory.
package ocrbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// Options choose what is measured.
type Options struct {
	Pages   int      // per kind, the degradations taken in turn
	Workers int      // reader clients, and command-line processes at once
	Kinds   []string // corpus kinds; empty is all
	Seed    uint64
	PSMs    []int  // page segmentation modes of the command line tried
	BestInt string // tessdata of the best integer model; empty skips it
	Soak    int    // recognitions of the soak; 0 skips it
}

// page is a rendered page and the file it was written to.
type page struct {
	corpus.Page
	file string
}

// measure is one way of reading the pages: its wall time, CPU time and, for
// the reader, how many key fields came out exact.
type measure struct {
	wall, cpu    time.Duration
	exact, total int
}

func (m measure) pagesPerSecond(n int) float64 { return float64(n) / m.wall.Seconds() }

// Run renders the pages, measures every way of reading them and prints the
// tables to out.
func Run(ctx context.Context, opts Options, out io.Writer) error {
	if _, err := exec.LookPath("tesseract"); err != nil {
		return fmt.Errorf("the tesseract command is needed to compare with: %w", err)
	}
	if len(opts.Kinds) == 0 {
		opts.Kinds = corpus.Kinds
	}
	dir, err := os.MkdirTemp("", "station-bench-ocr-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pages, err := render(opts, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "station bench ocr: %d pages per kind (clean and %s in turn), %d workers / processes at once, %d cores, OMP_THREAD_LIMIT=%s\n\n",
		opts.Pages, strings.Join(corpus.PhoneDegradations, ", "), opts.Workers, runtime.NumCPU(), os.Getenv("OMP_THREAD_LIMIT"))
	if err := compare(ctx, opts, pages, out); err != nil {
		return err
	}
	if opts.Soak > 0 {
		return soak(ctx, opts, pages, out)
	}
	return nil
}

func render(opts Options, dir string) ([]page, error) {
	g, err := corpus.NewGenerator(opts.Seed)
	if err != nil {
		return nil, err
	}
	degradations := append([]string{corpus.Clean}, corpus.PhoneDegradations...)
	var pages []page
	for _, k := range opts.Kinds {
		for i := range opts.Pages {
			pg, err := g.Page(k, g.Person(), degradations[i%len(degradations)])
			if err != nil {
				return nil, err
			}
			ext := ".png"
			if pg.Image[0] == 0xff {
				ext = ".jpg"
			}
			f := filepath.Join(dir, fmt.Sprintf("%s-%d%s", k, i, ext))
			if err := os.WriteFile(f, pg.Image, 0o600); err != nil {
				return nil, err
			}
			pages = append(pages, page{pg, f})
		}
	}
	return pages, nil
}

// way is one way of reading a kind's pages.
type way struct {
	name string
	run  func(ctx context.Context, pages []page) (measure, error)
}

// compare prints, per kind, every way's pages per second and CPU seconds
// per page, and the reader's gain over the fastest command line.
func compare(ctx context.Context, opts Options, pages []page, out io.Writer) error {
	fast, err := newPool(opts.Workers, "")
	if err != nil {
		return err
	}
	defer fast.Close()
	ways := []way{
		{"reader", readerWay(ocr.NewReader(fast), opts.Workers)},
		{"reader, no shortcuts", readerWay(ocr.NewReader(fast).WithShortcuts(ocr.Shortcuts{}), opts.Workers)},
		{"reader, MRZ first only", readerWay(ocr.NewReader(fast).WithShortcuts(ocr.Shortcuts{MRZFirst: true}), opts.Workers)},
		{"pooled recognition only", recognitionWay(fast, opts.Workers)},
	}
	if opts.BestInt != "" {
		best, err := newPool(opts.Workers, opts.BestInt)
		if err != nil {
			return fmt.Errorf("best integer model in %s: %w", opts.BestInt, err)
		}
		defer best.Close()
		ways = append(ways, way{"reader, best-int model", readerWay(ocr.NewReader(best), opts.Workers)})
	}
	for _, psm := range opts.PSMs {
		ways = append(ways, way{fmt.Sprintf("CLI --psm %d", psm), cliWay(psm, opts.Workers)})
	}
	fmt.Fprintf(out, "| kind | way | pages/s | CPU s/page | id/dob (key fields) exact |\n|---|---|---|---|---|\n")
	totals := make([]measure, len(ways))
	summary := []string{}
	for _, k := range opts.Kinds {
		kp := ofKind(pages, k)
		results := make([]measure, len(ways))
		for i, w := range ways {
			m, err := w.run(ctx, kp)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", w.name, k, err)
			}
			results[i] = m
			totals[i].wall += m.wall
			totals[i].cpu += m.cpu
			totals[i].exact += m.exact
			totals[i].total += m.total
			fmt.Fprintf(out, "| %s | %s | %.2f | %.3f | %s |\n", k, w.name, m.pagesPerSecond(len(kp)), m.cpu.Seconds()/float64(len(kp)), rate(m))
		}
		summary = append(summary, gainRow(k, ways, results, len(kp)))
	}
	fmt.Fprintf(out, "\nAll kinds, %d pages:\n\n| way | pages/s | CPU s/page | key fields exact |\n|---|---|---|---|\n", len(pages))
	for i, w := range ways {
		fmt.Fprintf(out, "| %s | %.2f | %.3f | %s |\n", w.name, totals[i].pagesPerSecond(len(pages)), totals[i].cpu.Seconds()/float64(len(pages)), rate(totals[i]))
	}
	summary = append(summary, gainRow("all", ways, totals, len(pages)))
	fmt.Fprintf(out, "\nReader ÷ fastest command line (wall, %d at once; CPU per page):\n\n| kind | fastest CLI | reader pages/s | CLI pages/s | gain (wall) | gain (CPU) |\n|---|---|---|---|---|---|\n%s\n",
		opts.Workers, strings.Join(summary, "\n"))
	return nil
}

// gainRow compares the reader (ways[0]) with the fastest command line.
func gainRow(kind string, ways []way, ms []measure, n int) string {
	best := -1
	for i, w := range ways {
		if strings.HasPrefix(w.name, "CLI") && (best < 0 || ms[i].wall < ms[best].wall) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	r, c := ms[0], ms[best]
	return fmt.Sprintf("| %s | %s | %.2f | %.2f | **%.2f×** | %.2f× |", kind, ways[best].name,
		r.pagesPerSecond(n), c.pagesPerSecond(n), c.wall.Seconds()/r.wall.Seconds(), c.cpu.Seconds()/r.cpu.Seconds())
}

func rate(m measure) string {
	if m.total == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", 100*float64(m.exact)/float64(m.total), m.exact, m.total)
}

func ofKind(pages []page, kind string) []page {
	var out []page
	for _, p := range pages {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

func newPool(workers int, tessdata string) (*ocr.Pool, error) {
	cfg := ocr.DefaultConfig()
	cfg.Workers, cfg.Queue, cfg.QueueTimeout, cfg.Tessdata = workers, 4*workers, 10*time.Minute, tessdata
	return ocr.NewPool(cfg)
}

// keyFields are the fields that must be exact, per kind; a refused paper
// counts its refusal.
var keyFields = map[string][]string{
	corpus.Bill: {"customer_code"}, corpus.CMND: {"refused"}, corpus.Booklet: {"refused"},
}

func fieldsOf(kind string) []string {
	if f, ok := keyFields[kind]; ok {
		return f
	}
	return []string{"id_number", "date_of_birth"}
}

// parallel runs fn on every page, n at once, and returns the wall time
// and the last error.
func parallel(pages []page, n int, fn func(p page) error) (time.Duration, error) {
	next := make(chan page)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	start := time.Now()
	for range n {
		wg.Go(func() {
			for p := range next {
				if err := fn(p); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range pages {
		next <- p
	}
	close(next)
	wg.Wait()
	return time.Since(start), failed
}

func readerWay(r *ocr.Reader, workers int) func(context.Context, []page) (measure, error) {
	return func(ctx context.Context, pages []page) (measure, error) {
		var mu sync.Mutex
		var m measure
		cpu := cpuTime(syscall.RUSAGE_SELF)
		m.wall, _ = parallel(pages, workers, func(p page) error {
			res, err := r.Read(ctx, ocr.Request{Image: p.Image, FormFields: corpus.FormFields()})
			mu.Lock()
			defer mu.Unlock()
			for _, f := range fieldsOf(p.Kind) {
				m.total++
				switch {
				case f == "refused":
					if isRefusal(err) {
						m.exact++
					}
				case err == nil && res.Fields[f].Value == p.Fields[f]:
					m.exact++
				}
			}
			return nil
		})
		m.cpu = cpuTime(syscall.RUSAGE_SELF) - cpu
		return m, ctx.Err() // an interrupted run measured nothing
	}
}

func isRefusal(err error) bool {
	return errors.Is(err, ocr.ErrCMND) || errors.Is(err, ocr.ErrHouseholdBooklet)
}

// recognitionWay is the command line's work on a pooled client and nothing
// more: decode the page and recognise all of it.
func recognitionWay(pool *ocr.Pool, workers int) func(context.Context, []page) (measure, error) {
	return func(ctx context.Context, pages []page) (measure, error) {
		var m measure
		var err error
		cpu := cpuTime(syscall.RUSAGE_SELF)
		m.wall, err = parallel(pages, workers, func(p page) error {
			g, _, err := ocr.Decode(p.Image)
			if err != nil {
				return err
			}
			return pool.Do(ctx, func(c *ocr.Client) error {
				_, err := c.Recognize(g, ocr.RecognizeOptions{PageSegMode: 4})
				return err
			})
		})
		m.cpu = cpuTime(syscall.RUSAGE_SELF) - cpu
		return m, err
	}
}

// cliWay runs tesseract FILE stdout -l vie --psm N, one process per page.
func cliWay(psm, workers int) func(context.Context, []page) (measure, error) {
	return func(ctx context.Context, pages []page) (measure, error) {
		var m measure
		var err error
		cpu := cpuTime(syscall.RUSAGE_CHILDREN)
		m.wall, err = parallel(pages, workers, func(p page) error {
			cmd := exec.CommandContext(ctx, "tesseract", p.file, "stdout", "-l", "vie", "--psm", strconv.Itoa(psm))
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("tesseract %s: %w: %s", p.file, err, out)
			}
			return nil
		})
		m.cpu = cpuTime(syscall.RUSAGE_CHILDREN) - cpu
		return m, err
	}
}

// cpuTime is the user and system CPU time of this process or of its
// finished children: steadier than wall time on a shared machine.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// soak reads the pages over and over through one pool, n recognitions in
// all, sampling the resident set twenty times.
func soak(ctx context.Context, opts Options, pages []page, out io.Writer) error {
	pool, err := newPool(opts.Workers, "")
	if err != nil {
		return err
	}
	defer pool.Close()
	r := ocr.NewReader(pool)
	// Warm up: a round of every page lets the allocators reach their size.
	read := func(p page) error { _, _ = r.Read(ctx, ocr.Request{Image: p.Image}); return nil } // refusals are expected
	_, _ = parallel(pages, opts.Workers, read)
	runtime.GC()
	start, began := rssMB(), time.Now()
	step := max(opts.Soak/20, 1)
	var samples []string
	var peak float64
	for done := 0; done < opts.Soak; {
		n := min(step, opts.Soak-done)
		batch := make([]page, n)
		for i := range batch {
			batch[i] = pages[(done+i)%len(pages)]
		}
		_, _ = parallel(batch, opts.Workers, read)
		done += n
		mb := rssMB()
		peak = max(peak, mb)
		samples = append(samples, fmt.Sprintf("%d:%.0f", done, mb))
	}
	runtime.GC()
	end := rssMB()
	fmt.Fprintf(out, "Soak: %d recognitions of the pages above in turn, %d workers, %.0f s: RSS %.0f MB after the warm-up round, %.0f MB at the end, peak %.0f MB\nsamples (recognitions:MB): %s\n",
		opts.Soak, opts.Workers, time.Since(began).Seconds(), start, end, peak, strings.Join(samples, " "))
	return nil
}

// rssMB reads the process's resident set size.
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
