package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/kiosk"
)

// stationsCommand administers the station registry: add, list, rotate, revoke.
func (c *cli) stationsCommand() *ffcli.Command {
	return group("station stations", "<add|list|rotate|revoke> [flags]",
		"register and manage kiosk stations and their device tokens",
		c.stationsAdd(), c.stationsList(), c.stationsRotate(), c.stationsRevoke())
}

// onStations is the onDB of the stations subcommands: f runs with the
// kiosk service.
func onStations(f func(ctx context.Context, s *kiosk.Service, args []string) error) func(context.Context, *platform, []string) error {
	return func(ctx context.Context, p *platform, args []string) error {
		return f(ctx, kiosk.NewService(p.pool, kiosk.DefaultConfig(), p.log), args)
	}
}

func (c *cli) stationsAdd() *ffcli.Command {
	var (
		n        kiosk.NewStation
		lat, lng string
	)
	return c.build(command{
		path: "station stations add", usage: "-name NAME -ward CODE [-address A] [-lat L -lng L] [-hours H]",
		help: "register a station and print its device token (shown once)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&n.Name, "name", "", "station name")
			fs.StringVar(&n.WardCode, "ward", "", "ward code (from the ward GeoJSON)")
			fs.StringVar(&n.Address, "address", "", "street address")
			fs.StringVar(&lat, "lat", "", "latitude")
			fs.StringVar(&lng, "lng", "", "longitude")
			fs.StringVar(&n.OpeningHours, "hours", "", `opening hours, e.g. "Mo-Fr 07:30-17:00; Sa 07:30-11:30"`)
		},
		check: func([]string) error {
			for _, p := range []struct {
				flag, v string
				into    **float64
			}{{"lat", lat, &n.Latitude}, {"lng", lng, &n.Longitude}} {
				if p.v == "" {
					continue
				}
				f, err := strconv.ParseFloat(p.v, 64)
				if err != nil {
					return fmt.Errorf("-%s %q: not a number", p.flag, p.v)
				}
				*p.into = &f
			}
			return nil
		},
		onDB: onStations(func(ctx context.Context, s *kiosk.Service, _ []string) error {
			st, token, err := s.AddStation(ctx, cliActor(), n)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "station %s registered: %s\n", st.ID, st.Name)
			fmt.Fprintf(c.stdout, "device token (shown once; configure it on the kiosk):\n%s\n", token)
			return nil
		}),
	})
}

func (c *cli) stationsList() *ffcli.Command {
	var ward string
	return c.build(command{
		path: "station stations list", usage: "[-ward CODE]", help: "list stations and their state",
		flags: func(fs *flag.FlagSet) { fs.StringVar(&ward, "ward", "", "only this ward") },
		onDB: onStations(func(ctx context.Context, s *kiosk.Service, _ []string) error {
			list, err := s.Stations(ctx, ward)
			if err != nil {
				return err
			}
			tw := table(c.stdout, "ID", "WARD", "NAME", "STATE", "LAST SEEN", "VERSION")
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
		}),
	})
}

func (c *cli) stationsRotate() *ffcli.Command {
	return c.build(command{
		path: "station stations rotate", usage: "STATION_ID", args: exactly(1),
		help: "give a station a new device token; the old one stops working",
		onDB: onStations(func(ctx context.Context, s *kiosk.Service, args []string) error {
			token, err := s.RotateToken(ctx, cliActor(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "new device token (shown once):\n%s\n", token)
			return nil
		}),
	})
}

func (c *cli) stationsRevoke() *ffcli.Command {
	return c.build(command{
		path: "station stations revoke", usage: "STATION_ID", args: exactly(1),
		help: "revoke a station's token for good",
		onDB: onStations(func(ctx context.Context, s *kiosk.Service, args []string) error {
			if err := s.Revoke(ctx, cliActor(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "station %s revoked\n", args[0])
			return nil
		}),
	})
}
