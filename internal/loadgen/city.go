package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// City is the whole city's load on one installation: every station
// heartbeating at the production rate, residents at a number of stations
// at once, staff reviewing dossiers and duty officers on the live feed.
type City struct {
	API     *Client
	Gateway *Gateway
	Ward    string
	// Tokens are the stations' device tokens; the first Visits of them
	// have a resident at them all the time.
	Tokens []string
	Visits int
	// Clerks review dossiers; Officers hold the duty feed open.
	Clerks   []*Client
	Officers []*Client
	// Heartbeat is how often each station beats (production: 60 s).
	Heartbeat time.Duration
	// Think is the longest pause of a resident or a clerk between two
	// steps (a random part of it each time).
	Think time.Duration

	Acked *Acked
	Ops   atomic.Int64
}

// Run drives the load until ctx ends.
func (c *City) Run(ctx context.Context) {
	var wg sync.WaitGroup
	loop := func(pause time.Duration, op func(n int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				if err := op(n); err != nil && ctx.Err() == nil {
					c.Acked.Failures.Add(1)
				}
				c.Ops.Add(1)
				sleep(ctx, pause/4+rand.N(pause))
			}
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); c.heartbeats(ctx) }()
	for i := range min(c.Visits, len(c.Tokens)) {
		dev := c.API.Device(c.Tokens[i])
		loop(c.Think, func(n int) error {
			switch n % 10 {
			case 0, 1, 2, 3:
				return Conversation(ctx, dev)
			case 4, 5, 6:
				return Dossier(ctx, dev, c.Gateway, c.Ward, i*100000+n, false, c.Acked)
			case 7:
				return Dossier(ctx, dev, c.Gateway, c.Ward, i*100000+n, true, c.Acked)
			default:
				return Report(ctx, dev, i*100000+n, c.Acked)
			}
		})
	}
	for _, clerk := range c.Clerks {
		loop(c.Think, func(int) error { return Review(ctx, clerk, c.Acked) })
	}
	for _, officer := range c.Officers {
		s := &Stream{Connected: make(chan string, 1)}
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx, officer, c.Acked) }()
	}
	wg.Wait()
}

// heartbeats has every station beat once per period, spread evenly.
func (c *City) heartbeats(ctx context.Context) {
	every := c.Heartbeat / time.Duration(max(len(c.Tokens), 1))
	devices := make([]*Client, len(c.Tokens))
	for i, t := range c.Tokens {
		devices[i] = c.API.Device(t)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	sem := make(chan struct{}, 64) // beats in flight at once, at most
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case sem <- struct{}{}:
		default:
			c.Acked.Failures.Add(1) // the service fell 64 beats behind
			continue
		}
		go func(dev *Client) {
			defer func() { <-sem }()
			if err := Heartbeat(ctx, dev); err != nil && ctx.Err() == nil {
				c.Acked.Failures.Add(1)
			}
		}(devices[i%len(devices)])
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Usage is a process's resource use, read from /proc.
type Usage struct {
	CPU     time.Duration // user and system time
	RSS     int64         // resident memory now, bytes
	PeakRSS int64         // the most it was resident, bytes
}

// ProcessUsage reads pid's CPU time and memory (Linux).
func ProcessUsage(pid int) (Usage, error) {
	var u Usage
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, err
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	if len(f) < 13 {
		return u, fmt.Errorf("/proc/%d/stat: too short", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	u.CPU = time.Duration(ut+st) * time.Second / 100 // USER_HZ
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			u.RSS = kb << 10
		case "VmHWM":
			u.PeakRSS = kb << 10
		}
	}
	return u, nil
}

// PostgresCPU is the CPU time of every PostgreSQL process on the machine
// (a shared machine's other databases included).
func PostgresCPU() time.Duration {
	entries, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		if u, err := ProcessUsage(pid); err == nil {
			total += u.CPU
		}
	}
	return total
}
