package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// paymentsCommand holds the payment operators' commands.
func paymentsCommand(stdout, stderr io.Writer) *ffcli.Command {
	var (
		platformCfg config.Platform
		cfg         payments.Config
		day         string
		asJSON      bool
	)
	fs := flag.NewFlagSet("station payments reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platformCfg.RegisterFlags(fs)
	cfg.RegisterFlags(fs)
	fs.StringVar(&day, "day", "", "settlement day YYYY-MM-DD (GMT+7); default: the days in the file")
	fs.BoolVar(&asJSON, "json", false, "print the differences as JSON")
	reconcile := &ffcli.Command{
		Name:       "reconcile",
		ShortUsage: "station payments reconcile [-day YYYY-MM-DD] FILE",
		ShortHelp:  "compare a gateway settlement file with the orders and list every difference",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return flag.ErrHelp
			}
			var d time.Time
			if day != "" {
				var err error
				if d, err = time.ParseInLocation(time.DateOnly, day, vnpay.Zone); err != nil {
					return config.Invalid("day", day, "not a date YYYY-MM-DD")
				}
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			p, err := openPlatform(ctx, &platformCfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			diffs, err := payments.NewService(p.pool, cfg, p.log, nil).Reconcile(ctx, f, d)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(stdout, diffs)
			}
			for _, d := range diffs {
				fmt.Fprintf(stdout, "%s\t%s\t%s\n", d.PaymentID, d.Kind, d.Detail)
			}
			fmt.Fprintf(stdout, "%d differences\n", len(diffs))
			if len(diffs) > 0 {
				return fmt.Errorf("settlement and orders differ")
			}
			return nil
		},
	}
	var reason string
	rfs := flag.NewFlagSet("station payments refund", flag.ContinueOnError)
	rfs.SetOutput(stderr)
	platformCfg.RegisterFlags(rfs)
	cfg.RegisterFlags(rfs)
	rfs.StringVar(&reason, "reason", "", "why the money goes back (required, audited)")
	refund := &ffcli.Command{
		Name:       "refund",
		ShortUsage: "station payments refund -reason TEXT PAYMENT_ID",
		ShortHelp:  "refund a paid bill through the gateway",
		FlagSet:    rfs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return flag.ErrHelp
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			p, err := openPlatform(ctx, &platformCfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			paid, err := payments.NewService(p.pool, cfg, p.log, nil).Refund(ctx, cliActor(), args[0], reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "payment %s refunded: %d VND\n", paid.ID, paid.Amount)
			return nil
		},
	}
	return &ffcli.Command{
		Name:        "payments",
		ShortUsage:  "station payments <reconcile|refund> ...",
		ShortHelp:   "payment operations: reconcile a settlement file, refund a bill",
		FlagSet:     flag.NewFlagSet("station payments", flag.ContinueOnError),
		Subcommands: []*ffcli.Command{reconcile, refund},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
