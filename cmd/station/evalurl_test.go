package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEvalFlowSuitesOverURL plays the shipped flow suites twice each over
// HTTP against a running station serve, as they play in-process: the run
// makes a test station with the evaluator token, every attempt's visit
// lets go of what it left pending, and the run retires the station.
func TestEvalFlowSuitesOverURL(t *testing.T) {
	freshEnvironment(t)
	const token = "evaluator-token-0123456789"
	t.Setenv("STATION_EVAL_TOKEN", token)
	t.Setenv("STATION_DEV_DATA_KEY", "true")
	t.Setenv("STATION_COOKIE_SECURE", "false")
	t.Setenv("STATION_VIETQR_BIN", "970436")
	t.Setenv("STATION_VIETQR_ACCOUNT", "0011000012345")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("STATION_ADDR", addr)

	run := func(cmd string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := runCommand(context.Background(), append([]string{cmd}, args...), &out); err != nil {
			t.Fatalf("station %s %s: %v\n%s", cmd, strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	run("migrate")
	run("import")
	run("import", "wards", "../../kiosk/reports/wards-sample.geojson")

	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		var out bytes.Buffer
		served <- runCommand(ctx, []string{"serve"}, &out)
	}()
	t.Cleanup(func() { stop(); <-served })
	base := "http://" + addr
	waitReady(t, base)

	out := run("eval", "run", "../../evals/suites/flow-bill.yaml", "../../evals/suites/flow-fee.yaml",
		"../../evals/suites/flow-report.yaml", "../../evals/suites/flow-follow.yaml",
		"--url", base, "--eval-token", token, "--repeat", "2", "--no-store")
	if !strings.Contains(out, "PASSED: 4 suites") || strings.Contains(out, "flaky") {
		t.Errorf("flow suites over --url:\n%s", out)
	}
}

// runCommand runs a station subcommand as main does.
func runCommand(ctx context.Context, args []string, out *bytes.Buffer) error {
	return run(ctx, args, out, out)
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200", base)
}
