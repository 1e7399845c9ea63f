package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/kiosk/reports"
)

func importWardsCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station import wards", flag.ContinueOnError)
	var cfg config.Platform
	cfg.RegisterFlags(fs)
	ifEmpty := fs.Bool("if-empty", false, "import only when no ward is there yet (make run loads the sample this way)")
	return &ffcli.Command{
		Name:       "wards",
		ShortUsage: "station import wards [flags] FILE.geojson",
		ShortHelp:  "import ward boundaries (GeoJSON with properties.code and properties.name)",
		LongHelp: "Reads a GeoJSON FeatureCollection of Polygon or MultiPolygon wards and inserts or\n" +
			"replaces each ward by code, all in one transaction. FILE \"-\" reads standard input;\n" +
			"FILE \"sample\" loads the small invented sample of four wards shipped for tests.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return flag.ErrHelp
			}
			var data []byte
			var err error
			switch args[0] {
			case "sample":
				data = reports.SampleWards
			case "-":
				data, err = io.ReadAll(os.Stdin)
			default:
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			p, err := openPlatform(ctx, &cfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			if *ifEmpty {
				existing, err := reports.ListWards(ctx, p.pool)
				if err != nil {
					return err
				}
				if len(existing) > 0 {
					fmt.Fprintf(stdout, "%d wards already imported; nothing to do\n", len(existing))
					return nil
				}
			}
			wards, err := reports.ImportWards(ctx, p.pool, data)
			if err != nil {
				return err
			}
			for _, w := range wards {
				fmt.Fprintf(stdout, "%s\t%s\n", w.Code, w.Name)
			}
			fmt.Fprintf(stdout, "imported %d wards\n", len(wards))
			return nil
		},
	}
}
