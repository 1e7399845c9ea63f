package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/kiosk/reports"
)

func (c *cli) importWardsCommand() *ffcli.Command {
	var (
		ifEmpty bool
		data    []byte
	)
	return c.build(command{
		path: "station import wards", usage: "[flags] FILE.geojson", args: exactly(1),
		help: "import ward boundaries (GeoJSON with properties.code and properties.name)",
		long: "Reads a GeoJSON FeatureCollection of Polygon or MultiPolygon wards and inserts or\n" +
			"replaces each ward by code, all in one transaction. FILE \"-\" reads standard input;\n" +
			"FILE \"sample\" loads the small invented sample of four wards shipped for tests.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&ifEmpty, "if-empty", false, "import only when no ward is there yet (make run loads the sample this way)")
		},
		check: func(args []string) (err error) {
			switch args[0] {
			case "sample":
				data = reports.SampleWards
			case "-":
				data, err = io.ReadAll(c.stdin)
			default:
				data, err = os.ReadFile(args[0])
			}
			return err
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			if ifEmpty {
				existing, err := reports.ListWards(ctx, p.pool)
				if err != nil {
					return err
				}
				if len(existing) > 0 {
					fmt.Fprintf(c.stdout, "%d wards already imported; nothing to do\n", len(existing))
					return nil
				}
			}
			wards, err := reports.ImportWards(ctx, p.pool, data)
			if err != nil {
				return err
			}
			for _, w := range wards {
				fmt.Fprintf(c.stdout, "%s\t%s\n", w.Code, w.Name)
			}
			fmt.Fprintf(c.stdout, "imported %d wards\n", len(wards))
			return nil
		},
	})
}
