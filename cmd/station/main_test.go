package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// An unknown command, flag or argument, or a missing argument, is an error
// in one line naming it, without the help.
func TestUnknownCommandsAndFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, `unknown command "nosuch"`},
		{[]string{"-nosuch"}, "-nosuch"},
		{[]string{"user", "-bogus"}, "-bogus"},
		{[]string{"user", "nosuch"}, `unknown command "nosuch" (station user -h`},
		{[]string{"stations", "nosuch"}, `unknown command "nosuch" (station stations -h`},
		{[]string{"payments", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"eval", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"bench", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"misses", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"dossiers", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"import", "nosuch", "x"}, `unknown argument "nosuch"`},
		{[]string{"stats", "nosuch"}, `unknown command "nosuch" (station stats -h`},
		{[]string{"migrate", "nosuch"}, `unknown argument "nosuch" (usage: station migrate [flags])`},
		{[]string{"serve", "-nosuch"}, "-nosuch"},
		{[]string{"stations", "rotate"}, "wrong number of arguments (usage: station stations rotate STATION_ID)"},
		{[]string{"eval", "compare", "old.json"}, "wrong number of arguments (usage: station eval compare OLD NEW"},
		{[]string{"import", "catalogue", "a", "b"}, "wrong number of arguments"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, &cli{stdout: &out, stderr: &errOut})
		if err == nil || errors.Is(err, flag.ErrHelp) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error naming %s", tt.args, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %q is more than one line", tt.args, err)
		}
		if errOut.Len() > 0 || out.Len() > 0 {
			t.Errorf("%v: printed %q %q besides the error", tt.args, out.String(), errOut.String())
		}
	}
	var errOut bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &cli{stdout: &bytes.Buffer{}, stderr: &errOut}); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "SUBCOMMANDS") {
		t.Errorf("-h: %v, help %q", err, errOut.String())
	}
}
