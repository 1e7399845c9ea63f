package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
)

// cli is the terminal the subcommands talk to.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is the one shape of every station subcommand: its words, how it
// is used, its flags, how many arguments it takes, what it checks before
// opening anything, and what it does. A command that works on the database
// gives onDB: the platform's flags are added to its own and it runs with
// the database open, closed when it returns; any other gives run.
type command struct {
	path  string // the words that call it, e.g. "station user add"
	usage string // what follows the path in the usage line
	help  string
	long  string
	flags func(fs *flag.FlagSet)
	// args is how many arguments it takes: exactly n, or atMost/atLeast.
	args argCount
	// interspersed lets flags follow the arguments (station eval run
	// evals/suites --repeat 3), which the flag package alone stops at.
	interspersed bool
	check        func(args []string) error
	run          func(ctx context.Context, args []string) error
	onDB         func(ctx context.Context, p *platform, args []string) error
}

// skipDatabase, returned by a command's check, ends it with nothing to do
// on the database: the -check runs that validate files for reviewers and CI.
var skipDatabase = errors.New("nothing to do on the database")

// argCount is how many arguments a command takes, from min to max.
type argCount struct{ min, max int }

// noArgs is the default: a command without arguments.
var noArgs = argCount{}

func exactly(n int) argCount { return argCount{n, n} }
func atMost(n int) argCount  { return argCount{0, n} }
func atLeast(n int) argCount { return argCount{n, -1} }

// anyArgs is for commands that read their arguments themselves.
var anyArgs = atLeast(0)

// build makes the ffcli command. Every flag can also be set from a
// STATION_* variable.
func (c *cli) build(s command) *ffcli.Command {
	fs := flag.NewFlagSet(s.path, flag.ContinueOnError)
	var platformCfg config.Platform
	if s.onDB != nil {
		platformCfg.RegisterFlags(fs)
	}
	if s.flags != nil {
		s.flags(fs)
	}
	usage := strings.TrimSpace(s.path + " " + s.usage)
	exec := func(ctx context.Context, args []string) (err error) {
		if s.interspersed {
			if args, err = parseInterspersed(fs, args); err != nil {
				return err
			}
		}
		if err := s.args.check(usage, args); err != nil {
			return err
		}
		if s.check != nil {
			switch err := s.check(args); {
			case errors.Is(err, skipDatabase):
				return nil
			case err != nil:
				return err
			}
		}
		if s.onDB == nil {
			return s.run(ctx, args)
		}
		p, err := openPlatform(ctx, &platformCfg, c.stderr)
		if err != nil {
			return err
		}
		defer p.Close()
		return s.onDB(ctx, p, args)
	}
	words := strings.Fields(s.path)
	return &ffcli.Command{Name: words[len(words)-1], ShortUsage: usage, ShortHelp: s.help, LongHelp: s.long,
		FlagSet: fs, Options: envOptions, Exec: exec}
}

// parseInterspersed reads the flags among the arguments and returns the
// arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			positional = append(positional, args[0])
			args = args[1:]
		}
	}
	return positional, nil
}

// check says, in one line, what is wrong with the number of arguments.
func (n argCount) check(usage string, args []string) error {
	switch {
	case n.max == 0 && len(args) > 0:
		return fmt.Errorf("unknown argument %q (usage: %s)", args[0], usage)
	case len(args) < n.min || (n.max >= 0 && len(args) > n.max):
		return fmt.Errorf("wrong number of arguments (usage: %s)", usage)
	}
	return nil
}

// group is a command that only holds subcommands: station NAME <sub>.
// Alone it prints its help; with a word it does not know, it says so in
// one line and the command exits 1.
func group(path, usage, help string, subs ...*ffcli.Command) *ffcli.Command {
	words := strings.Fields(path)
	return &ffcli.Command{Name: words[len(words)-1], ShortUsage: strings.TrimSpace(path + " " + usage), ShortHelp: help, Subcommands: subs,
		FlagSet: flag.NewFlagSet(path, flag.ContinueOnError), Exec: unknownCommand(path)}
}

// unknownCommand is the Exec of a command that only holds subcommands.
func unknownCommand(path string) func(context.Context, []string) error {
	return func(_ context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unknown command %q (%s -h lists the commands)", args[0], path)
		}
		return flag.ErrHelp
	}
}

// table is a tab-aligned table on w with its header row written.
func table(w io.Writer, columns ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	return tw
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
