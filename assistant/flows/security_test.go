package flows_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
)

// The security review's findings about the kiosk's live payment stream,
// replayed over HTTP against the real stack.

// pendingBill takes a conversation to a bill's payment order, waiting.
func pendingBill(t *testing.T, e *env) *conversation {
	t.Helper()
	c := e.start(t)
	toBillReview(c, "1", "DEMO0001")
	c.choose(assistant.ChoiceConfirm)
	c.say("1")
	c.expect(assistant.StagePay)
	if c.last.Payment == nil || c.last.Payment.State != assistant.PaymentPending {
		t.Fatalf("no pending payment: %+v", c.last.Payment)
	}
	return c
}

// openStream opens the session's payment stream as the station and waits
// for its first event; it returns the status and, for a stream, a closer.
func (e *env) openStream(t *testing.T, sessionID string) (int, string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.api.URL+"/api/v1/sessions/"+sessionID+"/payment/events", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		cancel()
		return resp.StatusCode, body.Error.Code, func() {}
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "data:") {
	}
	return resp.StatusCode, "", func() { cancel(); resp.Body.Close() }
}

// High 1: each payment stream used to hold a pooled connection with its
// own LISTEN, so about 24 open kiosk pages left no connection for anyone
// else. Now the streams share the replica's one listening connection: with
// three times the pool's size open, the API still answers at once, and the
// database sees one listener.
func TestSecurityPaymentStreamsHoldNoConnection(t *testing.T) {
	e := newEnv(t)
	e.streams.PerStation, e.streams.PerAddress = 100, 100 // this test is not about the caps
	c := pendingBill(t, e)
	n := 3 * int(e.pool.Config().MaxConns)
	for range n {
		status, code, closeStream := e.openStream(t, c.id)
		if status != http.StatusOK {
			t.Fatalf("stream refused: %d %s", status, code)
		}
		defer closeStream()
	}
	client := &http.Client{Timeout: 5 * time.Second}
	req, _ := http.NewRequest("GET", e.api.URL+"/api/v1/sessions/"+c.id, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("with %d streams open the API does not answer: %v", n, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with %d streams open: %d after %s", n, resp.StatusCode, time.Since(start))
	}
	var listeners int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&listeners)
	if listeners != 1 {
		t.Errorf("%d listening connections for %d streams, want 1", listeners, n)
	}
}

// High 1: a station may hold only so many streams open; one more gets a
// clear refusal, and a closed stream frees its place.
func TestSecurityStreamCaps(t *testing.T) {
	e := newEnv(t)
	c := pendingBill(t, e)
	var closers []func()
	for range e.streams.PerStation {
		status, code, closeStream := e.openStream(t, c.id)
		if status != http.StatusOK {
			t.Fatalf("stream refused under the cap: %d %s", status, code)
		}
		closers = append(closers, closeStream)
	}
	if status, code, _ := e.openStream(t, c.id); status != http.StatusTooManyRequests || code != "too_many_streams" {
		t.Fatalf("a stream over the cap: %d %q, want 429 too_many_streams", status, code)
	}
	closers[0]()
	// The server notices the closed stream when its request ends.
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _, closeStream := e.openStream(t, c.id)
		if status == http.StatusOK {
			closeStream()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed stream's place was not given back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, f := range closers[1:] {
		f()
	}
}
