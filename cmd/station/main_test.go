package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// An unknown command or flag is an error naming it, without the help.
func TestUnknownCommandsAndFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, `unknown command "nosuch"`},
		{[]string{"-nosuch"}, "-nosuch"},
		{[]string{"user", "-bogus"}, "-bogus"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, &out, &errOut)
		if err == nil || errors.Is(err, flag.ErrHelp) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error naming %s", tt.args, err, tt.want)
		}
		if errOut.Len() > 0 || out.Len() > 0 {
			t.Errorf("%v: printed %q %q besides the error", tt.args, out.String(), errOut.String())
		}
	}
	var errOut bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &bytes.Buffer{}, &errOut); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "SUBCOMMANDS") {
		t.Errorf("-h: %v, help %q", err, errOut.String())
	}
}
