package main

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/ocr/corpus"
	"github.com/citizenstation/citizenstation/ocr/ocrbench"
)

func (c *cli) benchOCRCommand() *ffcli.Command {
	var (
		opts  ocrbench.Options
		kinds string
		psms  string
		seed  int
	)
	flags := func(fs *flag.FlagSet) {
		fs.IntVar(&opts.Pages, "pages", 12, "pages per kind, clean and each phone-photo degradation in turn")
		fs.IntVar(&opts.Workers, "workers", 2, "reader clients, and tesseract processes at once")
		fs.StringVar(&kinds, "kinds", "", "comma-separated kinds (default all: "+strings.Join(corpus.Kinds, ",")+")")
		fs.StringVar(&psms, "cli-psm", "3,4,6,11", "page segmentation modes of the tesseract command line to try")
		fs.StringVar(&opts.BestInt, "best-int", ocr.BestIntTessdata, "tessdata of the best integer vie model (empty: skip it)")
		fs.IntVar(&opts.Soak, "soak", 0, "after the comparison, this many recognitions with the memory sampled (e.g. 5000)")
		fs.IntVar(&seed, "seed", 2026, "corpus seed")
	}
	return c.build(command{
		path: "station bench ocr", usage: "[flags]", flags: flags,
		help: "OCR reader against the tesseract command line on the same pages; -soak for memory",
		long: "Renders the synthetic corpus (every kind, clean and degraded like phone photos),\n" +
			"reads it with the reader (with and without its shortcuts, and with the best integer\n" +
			"model), with a bare pooled recognition and with the tesseract command line in each\n" +
			"-cli-psm mode, and prints pages per second, CPU seconds per page, the key fields'\n" +
			"exact rate and the reader's gain over the fastest command line.",
		run: func(ctx context.Context, _ []string) error {
			if opts.Pages < 1 || opts.Workers < 1 || opts.Soak < 0 {
				return config.Invalid("pages", opts.Pages, "-pages and -workers must be ≥ 1, -soak ≥ 0")
			}
			if kinds != "" {
				opts.Kinds = strings.Split(kinds, ",")
			}
			for _, p := range strings.Split(psms, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(p))
				if err != nil {
					return config.Invalid("cli-psm", psms, "must be page segmentation modes, e.g. 3,4,6")
				}
				opts.PSMs = append(opts.PSMs, n)
			}
			opts.Seed = uint64(seed)
			return ocrbench.Run(ctx, opts, c.stdout)
		},
	})
}
