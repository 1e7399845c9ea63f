// Package logging builds the service's structured logger: log/slog, JSON or
// text, with personal data masked in every string it writes.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/citizenstation/citizenstation/internal/pii"
)

// New returns a logger writing to w at level ("debug", "info", "warn",
// "error") in format ("json" or "text").
func New(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: maskAttr}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}

// maskAttr masks ID and phone numbers in string values and error texts, so
// that no handler or message can leak them by accident.
func maskAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); pii.Contains(s) {
			a.Value = slog.StringValue(pii.Mask(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(pii.Mask(err.Error()))
		}
	}
	return a
}
