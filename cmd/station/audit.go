package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
)

// auditCommand is station audit: who read or changed what, newest first.
func (c *cli) auditCommand() *ffcli.Command {
	var (
		f              audit.Filter
		subject, since string
		asJSON         bool
	)
	return c.build(command{
		path:  "station audit",
		usage: "[-user U] [-subject KIND[:ID]] [-action A] [-since 24h|YYYY-MM-DD] [-limit N] [-json]",
		help:  "query the audit log of reads of personal data and changes",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.Username, "user", "", "only entries by this staff username")
			fs.StringVar(&subject, "subject", "", "only entries about KIND or KIND:ID, e.g. dossier:0190ab… or staff_user:lan")
			fs.StringVar(&f.Action, "action", "", "only this action, e.g. dossier.read")
			fs.StringVar(&since, "since", "", "only entries since a duration ago (24h) or a date (2026-11-20)")
			fs.IntVar(&f.Limit, "limit", 100, "at most this many entries")
			fs.BoolVar(&asJSON, "json", false, "print JSON lines")
		},
		check: func([]string) (err error) {
			f.SubjectKind, f.SubjectID, _ = strings.Cut(subject, ":")
			if since != "" {
				f.Since, err = parseSince(since, time.Now())
			}
			return err
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			entries, err := audit.List(ctx, p.pool, f)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(c.stdout)
				for _, e := range entries {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
				return nil
			}
			tw := table(c.stdout, "TIME", "USER", "ROLE", "ACTION", "SUBJECT", "WARD", "IP", "DETAILS")
			for _, e := range entries {
				details, _ := json.Marshal(e.Details)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"),
					e.Username, e.Role, e.Action, e.SubjectKind, e.SubjectID, e.Ward, e.IP, details)
			}
			return tw.Flush()
		},
	})
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
