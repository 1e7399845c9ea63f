package main

import (
	"context"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/stationtest"
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
	addr := stationtest.FreeAddr(t)
	t.Setenv("STATION_ADDR", addr)

	run := func(cmd string, args ...string) string {
		t.Helper()
		out, err := station(append([]string{cmd}, args...)...)
		if err != nil {
			t.Fatalf("station %s %s: %v\n%s", cmd, strings.Join(args, " "), err, out)
		}
		return out
	}
	run("migrate")
	run("import")
	run("import", "wards", "../../kiosk/reports/wards-sample.geojson")

	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		_, err := stationIn(ctx, "", "serve")
		served <- err
	}()
	t.Cleanup(func() { stop(); <-served })
	base := "http://" + addr
	if last, ok := stationtest.Ready(base+"/readyz", stationtest.StatusOK); !ok {
		t.Fatalf("%s/readyz never answered 200: %s", base, last)
	}

	out := run("eval", "run", "../../evals/suites/flow-bill.yaml", "../../evals/suites/flow-fee.yaml",
		"../../evals/suites/flow-report.yaml", "../../evals/suites/flow-follow.yaml",
		"--url", base, "--eval-token", token, "--repeat", "2", "--no-store")
	if !strings.Contains(out, "PASSED: 4 suites") || strings.Contains(out, "flaky") {
		t.Errorf("flow suites over --url:\n%s", out)
	}
}
