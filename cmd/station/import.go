package main

import (
	"context"
	"flag"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"
)

// importCommand groups the commands that load reference data into the
// database: station import wards FILE, and others as capabilities add them.
func importCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station import", flag.ContinueOnError)
	return &ffcli.Command{
		Name:       "import",
		ShortUsage: "station import <what> [flags] FILE",
		ShortHelp:  "load reference data (wards, …) into the database",
		FlagSet:    fs,
		Subcommands: []*ffcli.Command{
			importWardsCommand(stdout, stderr),
		},
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
	}
}
