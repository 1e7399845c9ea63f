package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/ocr"
)

func (c *cli) ocrCommand() *ffcli.Command {
	var (
		cfg  ocr.Config
		kind string
	)
	return c.build(command{
		path: "station ocr", usage: "[flags] FILE...", args: atLeast(1),
		help: "read scanned documents and print what was read as JSON",
		long: "Reads each file as the service's POST /api/v1/ocr does (without storing\n" +
			"anything) and prints one JSON object per file, with the file's name.",
		flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.StringVar(&kind, "kind", "", "document kind: cccd_front, cccd_qr, cccd_back_mrz, cancuoc_front, cancuoc_back, passport, birth_certificate, bill or form (default: detect)")
		},
		run: func(ctx context.Context, files []string) error {
			pool, err := ocr.NewPool(cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			reader := ocr.NewReader(pool)
			failed := 0
			for _, name := range files {
				out := struct {
					File string `json:"file"`
					*ocr.Result
					Error *ocrFileError `json:"error,omitempty"`
				}{File: name}
				data, err := os.ReadFile(name)
				if err == nil {
					out.Result, err = reader.Read(ctx, ocr.Request{Image: data, Kind: ocr.Kind(kind)})
				}
				if err != nil {
					failed++
					e := apperr.From(err)
					out.Error = &ocrFileError{Code: apperr.CodeOf(e), Message: e.Message}
					if e.Kind == apperr.Internal {
						out.Error.Message = err.Error()
					}
				}
				if err := printJSON(c.stdout, out); err != nil {
					return err
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files could not be read", failed, len(files))
			}
			return nil
		},
	})
}

// ocrFileError is a file's error in station ocr's JSON output.
type ocrFileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
