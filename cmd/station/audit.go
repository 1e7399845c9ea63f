package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/config"
)

// auditCommand is station audit: who read or changed what, newest first.
func auditCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station audit", flag.ContinueOnError)
	var (
		cfg                   config.Platform
		user, subject, action string
		since                 string
		limit                 int
		asJSON                bool
	)
	cfg.RegisterFlags(fs)
	fs.StringVar(&user, "user", "", "only entries by this staff username")
	fs.StringVar(&subject, "subject", "", "only entries about KIND or KIND:ID, e.g. dossier:0190ab… or staff_user:lan")
	fs.StringVar(&action, "action", "", "only this action, e.g. dossier.read")
	fs.StringVar(&since, "since", "", "only entries since a duration ago (24h) or a date (2026-11-20)")
	fs.IntVar(&limit, "limit", 100, "at most this many entries")
	fs.BoolVar(&asJSON, "json", false, "print JSON lines")
	return &ffcli.Command{
		Name:       "audit",
		ShortUsage: "station audit [-user U] [-subject KIND[:ID]] [-action A] [-since 24h|YYYY-MM-DD] [-limit N] [-json]",
		ShortHelp:  "query the audit log of reads of personal data and changes",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			f := audit.Filter{Username: user, Action: action, Limit: limit}
			f.SubjectKind, f.SubjectID, _ = strings.Cut(subject, ":")
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return err
				}
				f.Since = t
			}
			p, err := openPlatform(ctx, &cfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			entries, err := audit.List(ctx, p.pool, f)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				for _, e := range entries {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tUSER\tROLE\tACTION\tSUBJECT\tWARD\tIP\tDETAILS")
			for _, e := range entries {
				details, _ := json.Marshal(e.Details)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"),
					e.Username, e.Role, e.Action, e.SubjectKind, e.SubjectID, e.Ward, e.IP, details)
			}
			return tw.Flush()
		},
	}
}

// parseSince reads a duration back from now or a date.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.New(apperr.Invalid, "bad_since", "-since: give a duration (24h) or a date (2026-11-20)")
}
