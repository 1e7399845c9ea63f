package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// sandboxGatewayCommand runs a local gateway speaking the VNPay protocol.
func sandboxGatewayCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station sandbox-gateway", flag.ContinueOnError)
	var (
		sb   vnpay.Sandbox
		addr string
	)
	payments.RegisterGatewayFlags(fs, &sb.TmnCode, &sb.Secret)
	fs.StringVar(&addr, "sandbox-addr", "127.0.0.1:8090", "address the sandbox gateway listens on")
	fs.StringVar(&sb.IPNURL, "sandbox-ipn-url", "http://127.0.0.1:8080/api/v1/payments/vnpay/ipn", "the service's IPN endpoint the gateway calls")
	return &ffcli.Command{
		Name:       "sandbox-gateway",
		ShortUsage: "station sandbox-gateway [flags]",
		ShortHelp:  "run a local payment gateway (VNPay 2.1.0 protocol, no real money) for trying the whole flow",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "sandbox gateway (no real money) on http://%s, terminal %s, IPN to %s\n", ln.Addr(), sb.TmnCode, sb.IPNURL)
			srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(sctx)
			}()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
}
