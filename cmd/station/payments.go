package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// paymentsCommand holds the payment operators' commands.
func (c *cli) paymentsCommand() *ffcli.Command {
	return group("station payments", "<reconcile|refund> ...",
		"payment operations: reconcile a settlement file, refund a bill", c.reconcileCommand(), c.refundCommand())
}

// onPayments is the onDB of the payments subcommands: f runs with the
// payment service on cfg.
func onPayments(cfg *payments.Config, f func(ctx context.Context, s *payments.Service, args []string) error) func(context.Context, *platform, []string) error {
	return func(ctx context.Context, p *platform, args []string) error {
		return f(ctx, payments.NewService(p.pool, *cfg, p.log, nil), args)
	}
}

// reconcileCommand compares a gateway settlement file with the orders.
func (c *cli) reconcileCommand() *ffcli.Command {
	var (
		cfg    payments.Config
		day    string
		d      time.Time
		asJSON bool
	)
	return c.build(command{
		path: "station payments reconcile", usage: "[-day YYYY-MM-DD] FILE", args: exactly(1),
		help: "compare a gateway settlement file with the orders and list every difference",
		flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.StringVar(&day, "day", "", "settlement day YYYY-MM-DD (GMT+7); default: the days in the file")
			fs.BoolVar(&asJSON, "json", false, "print the differences as JSON")
		},
		check: func([]string) (err error) {
			if day != "" {
				if d, err = time.ParseInLocation(time.DateOnly, day, vnpay.Zone); err != nil {
					return config.Invalid("day", day, "not a date YYYY-MM-DD")
				}
			}
			return nil
		},
		onDB: onPayments(&cfg, func(ctx context.Context, s *payments.Service, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			diffs, err := s.Reconcile(ctx, f, d)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(c.stdout, diffs)
			}
			for _, d := range diffs {
				fmt.Fprintf(c.stdout, "%s\t%s\t%s\n", d.PaymentID, d.Kind, d.Detail)
			}
			fmt.Fprintf(c.stdout, "%d differences\n", len(diffs))
			if len(diffs) > 0 {
				return errors.New("settlement and orders differ")
			}
			return nil
		}),
	})
}

// refundCommand refunds a paid bill through the gateway.
func (c *cli) refundCommand() *ffcli.Command {
	var (
		cfg    payments.Config
		reason string
	)
	return c.build(command{
		path: "station payments refund", usage: "-reason TEXT PAYMENT_ID", args: exactly(1),
		help: "refund a paid bill through the gateway",
		flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.StringVar(&reason, "reason", "", "why the money goes back (required, audited)")
		},
		check: func([]string) error { return cfg.Validate() },
		onDB: onPayments(&cfg, func(ctx context.Context, s *payments.Service, args []string) error {
			paid, err := s.Refund(ctx, cliActor(), args[0], reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "payment %s refunded: %s\n", paid.ID, vietnamese.FormatVND(paid.Amount))
			return nil
		}),
	})
}
