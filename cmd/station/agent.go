package main

import (
	"context"
	"flag"
	"runtime/debug"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/logging"
	"github.com/citizenstation/citizenstation/kiosk/agent"
)

// agentCommand runs the station agent on a kiosk PC: the local API of the
// scanner, printer and camera for the kiosk page, and the heartbeats.
func (c *cli) agentCommand() *ffcli.Command {
	var (
		cfg           agent.Config
		level, format string
	)
	return c.build(command{
		path: "station agent", usage: "-device-token cst_… [-scanner DEVICE] [-printer ipp://…] [flags]",
		help: "run on a kiosk PC: the station's scanner, printer and camera for the kiosk page, and its heartbeats",
		flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.StringVar(&level, "log-level", "info", "debug, info, warn or error")
			fs.StringVar(&format, "log-format", "json", "json or text")
		},
		check: func([]string) error { return cfg.Validate() },
		run: func(ctx context.Context, _ []string) error {
			log, err := logging.New(c.stderr, level, format)
			if err != nil {
				return err
			}
			return agent.New(cfg, version(), log).Run(ctx, cfg.Addr, cfg.Heartbeat, cfg.Look)
		},
	})
}

// version is the build's module version (a VCS revision when built from a
// checkout), reported in heartbeats.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return "dev"
}
