package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// sandboxGatewayCommand runs a local gateway speaking the VNPay protocol.
func (c *cli) sandboxGatewayCommand() *ffcli.Command {
	var (
		sb   vnpay.Sandbox
		addr string
	)
	return c.build(command{
		path: "station sandbox-gateway", usage: "[flags]",
		help: "run a local payment gateway (VNPay 2.1.0 protocol, no real money) for trying the whole flow",
		flags: func(fs *flag.FlagSet) {
			payments.RegisterGatewayFlags(fs, &sb.TmnCode, &sb.Secret)
			fs.StringVar(&addr, "sandbox-addr", "127.0.0.1:8090", "address the sandbox gateway listens on")
			fs.StringVar(&sb.IPNURL, "sandbox-ipn-url", "http://127.0.0.1:8080/api/v1/payments/vnpay/ipn", "the service's IPN endpoint the gateway calls")
		},
		run: func(ctx context.Context, _ []string) error {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "sandbox gateway (no real money) on http://%s, terminal %s, IPN to %s\n", ln.Addr(), sb.TmnCode, sb.IPNURL)
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
	})
}
