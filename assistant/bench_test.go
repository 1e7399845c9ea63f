package assistant

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// reportLatency adds the median and the 95th percentile of ds to b.
func reportLatency(b *testing.B, ds []time.Duration, unit string) {
	slices.Sort(ds)
	pct := func(p float64) float64 {
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-"+unit)
	b.ReportMetric(pct(0.95), "p95-"+unit)
	b.ReportMetric(float64(len(ds)), "samples")
}

// BenchmarkDeterministicTurn measures the service's turn latency without a
// model: load the session, run the pipeline (with catalogue search for
// descriptions and questions), store the turn. Each cycle is a whole
// filing from the first words to the review (about twenty turns).
// Target: p95 under 50 ms on 2 cores.
func BenchmarkDeterministicTurn(b *testing.B) {
	svc := newTestService(b, nil, nil)
	ctx := context.Background()
	script := []Message{
		{Text: "dang ky tam tru cho nguoi thue tro"}, {Text: "1"}, {Choice: ChoiceNext}, {Choice: ChoiceNext}, {Choice: ChoiceSkip},
		{Text: "nguyen van an"}, {Text: "31/2/1950"}, {Text: "12/3/1950"}, {Text: "nu"}, {Text: "079050001234"},
		{Text: "le phi bao nhieu?"}, {Text: "5 Tran Hung Dao, phuong Cau Ong Lanh"}, {Text: "0903123456"}, {Choice: ChoiceSkip},
		{Text: "12 Le Loi, phuong Ben Thanh"}, {Choice: ChoiceBack}, {Text: "12 Le Loi, phuong Ben Thanh"},
		{Choice: ChoiceSkip}, {Choice: ChoiceSkip}, {Choice: ChoiceSkip}, {Text: "1/6/2027"},
	}
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for range 10 {
			r, err := svc.Start(ctx, StartRequest{})
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range script {
				start := time.Now()
				if _, err := svc.Send(ctx, r.SessionID, m, SendOptions{}); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(start))
			}
		}
	}
	reportLatency(b, ds, "ms")
}

// BenchmarkFirstTokenOverhead measures what the service adds before a
// model's first streamed token reaches the kiosk: the client posts a
// question over HTTP with Accept: text/event-stream to a real server; the
// fake model (OpenAI wire protocol, via langchaingo's client) answers at
// once, so the time to the first token event is the service's overhead:
// HTTP, loading the session, input check, rewrite, routing, catalogue
// search and the request to the model. Target: under 50 ms.
func BenchmarkFirstTokenOverhead(b *testing.B) {
	fake := newFakeLLM(b)
	svc := newTestService(b, testModel(b, "openai", fake), nil)
	srv := httptest.NewServer(httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, &Handler{Service: svc}).Handler())
	defer srv.Close()
	c := startChat(b, svc, StartRequest{})
	fake.script("understand", fakeReply{Text: `{"intent":"choose_procedure","procedure":"residence.temporary-register"}`})
	c.say("dang ky tam tru").pick("residence.temporary-register")
	answer := "Dạ cần. Chủ hộ hoặc chủ nhà ghi ý kiến đồng ý trên tờ khai CT01."
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for range 20 {
			fake.script("answer", fakeReply{Text: answer, Stream: true})
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/sessions/"+c.id+"/messages", strings.NewReader(`{"text":"tạm trú có cần chủ nhà đồng ý không?"}`))
			req.Header.Set("Accept", "text/event-stream")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Eval-Token", testEvalToken) // a session of no station
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			sc := bufio.NewScanner(resp.Body)
			first := time.Duration(0)
			for sc.Scan() {
				if first == 0 && strings.ReplaceAll(sc.Text(), " ", "") == "event:token" {
					first = time.Since(start)
				}
			}
			resp.Body.Close()
			if first == 0 {
				b.Fatal("no token streamed")
			}
			ds = append(ds, first)
		}
	}
	reportLatency(b, ds, "ms")
}
