package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/ocr"
)

func ocrCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station ocr", flag.ContinueOnError)
	var cfg ocr.Config
	cfg.RegisterFlags(fs)
	kind := fs.String("kind", "", "document kind: cccd_front, cccd_qr, cccd_back_mrz or form (default: detect)")
	return &ffcli.Command{
		Name:       "ocr",
		ShortUsage: "station ocr [flags] FILE...",
		ShortHelp:  "read scanned documents and print what was read as JSON",
		LongHelp: "Reads each file as the service's POST /api/v1/ocr does (without storing\n" +
			"anything) and prints one JSON object per file, with the file's name.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, files []string) error {
			if len(files) == 0 {
				return errors.New("name at least one file to read")
			}
			pool, err := ocr.NewPool(cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			reader := ocr.NewReader(pool)
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			failed := 0
			for _, name := range files {
				out := struct {
					File string `json:"file"`
					*ocr.Result
					Error *ocrFileError `json:"error,omitempty"`
				}{File: name}
				data, err := os.ReadFile(name)
				if err == nil {
					out.Result, err = reader.Read(ctx, ocr.Request{Image: data, Kind: ocr.Kind(*kind)})
				}
				if err != nil {
					failed++
					e := apperr.From(err)
					out.Error = &ocrFileError{Code: apperr.CodeOf(e), Message: e.Message}
					if e.Kind == apperr.Internal {
						out.Error.Message = err.Error()
					}
				}
				if err := enc.Encode(out); err != nil {
					return err
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files could not be read", failed, len(files))
			}
			return nil
		},
	}
}

type ocrFileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
