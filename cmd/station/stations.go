package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/kiosk"
)

// stationsCommand administers the station registry: add, list, rotate, revoke.
func stationsCommand(stdout, stderr io.Writer) *ffcli.Command {
	var cfg config.Platform
	// withKiosk opens the platform and runs f with the kiosk service.
	withKiosk := func(ctx context.Context, f func(*kiosk.Service) error) error {
		p, err := openPlatform(ctx, &cfg, stderr)
		if err != nil {
			return err
		}
		defer p.Close()
		return f(kiosk.NewService(p.pool, kiosk.DefaultConfig(), p.log))
	}
	sub := func(name, usage, help string, setup func(fs *flag.FlagSet), exec func(ctx context.Context, args []string) error) *ffcli.Command {
		fs := flag.NewFlagSet("station stations "+name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		cfg.RegisterFlags(fs)
		if setup != nil {
			setup(fs)
		}
		return &ffcli.Command{Name: name, ShortUsage: "station stations " + usage, ShortHelp: help, FlagSet: fs, Options: envOptions, Exec: exec}
	}

	var (
		n        kiosk.NewStation
		lat, lng string
		ward     string
	)
	add := sub("add", "add -name NAME -ward CODE [-address A] [-lat L -lng L] [-hours H]",
		"register a station and print its device token (shown once)",
		func(fs *flag.FlagSet) {
			fs.StringVar(&n.Name, "name", "", "station name")
			fs.StringVar(&n.WardCode, "ward", "", "ward code (from the ward GeoJSON)")
			fs.StringVar(&n.Address, "address", "", "street address")
			fs.StringVar(&lat, "lat", "", "latitude")
			fs.StringVar(&lng, "lng", "", "longitude")
			fs.StringVar(&n.OpeningHours, "hours", "", `opening hours, e.g. "Mo-Fr 07:30-17:00; Sa 07:30-11:30"`)
		},
		func(ctx context.Context, _ []string) error {
			for _, c := range []struct {
				flag, v string
				into    **float64
			}{{"lat", lat, &n.Latitude}, {"lng", lng, &n.Longitude}} {
				if c.v == "" {
					continue
				}
				f, err := strconv.ParseFloat(c.v, 64)
				if err != nil {
					return fmt.Errorf("-%s %q: not a number", c.flag, c.v)
				}
				*c.into = &f
			}
			return withKiosk(ctx, func(s *kiosk.Service) error {
				st, token, err := s.AddStation(ctx, cliActor(), n)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "station %s registered: %s\n", st.ID, st.Name)
				fmt.Fprintf(stdout, "device token (shown once; configure it on the kiosk):\n%s\n", token)
				return nil
			})
		})
	list := sub("list", "list [-ward CODE]", "list stations and their state",
		func(fs *flag.FlagSet) { fs.StringVar(&ward, "ward", "", "only this ward") },
		func(ctx context.Context, _ []string) error {
			return withKiosk(ctx, func(s *kiosk.Service) error {
				list, err := s.Stations(ctx, ward)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tWARD\tNAME\tSTATE\tLAST SEEN\tVERSION")
				for _, st := range list {
					state, seen := "offline", "never"
					if st.Online {
						state = "online"
					}
					if st.RevokedAt != nil {
						state = "revoked"
					}
					if st.LastSeenAt != nil {
						seen = st.LastSeenAt.Format("2006-01-02 15:04:05")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", st.ID, st.WardCode, st.Name, state, seen, st.AppVersion)
				}
				return tw.Flush()
			})
		})
	rotate := sub("rotate", "rotate STATION_ID", "give a station a new device token; the old one stops working", nil,
		func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return flag.ErrHelp
			}
			return withKiosk(ctx, func(s *kiosk.Service) error {
				token, err := s.RotateToken(ctx, cliActor(), args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "new device token (shown once):\n%s\n", token)
				return nil
			})
		})
	revoke := sub("revoke", "revoke STATION_ID", "revoke a station's token for good", nil,
		func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return flag.ErrHelp
			}
			return withKiosk(ctx, func(s *kiosk.Service) error {
				if err := s.Revoke(ctx, cliActor(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "station %s revoked\n", args[0])
				return nil
			})
		})
	fs := flag.NewFlagSet("station stations", flag.ContinueOnError)
	return &ffcli.Command{
		Name:        "stations",
		ShortUsage:  "station stations <add|list|rotate|revoke> [flags]",
		ShortHelp:   "register and manage kiosk stations and their device tokens",
		FlagSet:     fs,
		Subcommands: []*ffcli.Command{add, list, rotate, revoke},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}
}
