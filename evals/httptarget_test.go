package evals

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

const evalToken = "evaluator-token-0123456789"

// startService runs the assistant, OCR and catalogue APIs as station serve
// does, on a test database with the shipped catalogue.
func startService(t *testing.T) *httptest.Server {
	t.Helper()
	pool := dbtest.New(t)
	catalogue := procedurestest.Load(t, pool)
	ocrPool, err := ocr.NewPool(ocr.Config{Workers: 1, Queue: 4, QueueTimeout: time.Minute, Languages: []string{"vie"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ocrPool.Close)
	scans := ocr.NewStore(pool, t.TempDir(), seal.Ephemeral())
	cfg := assistant.Defaults()
	cfg.EvalToken = evalToken
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stations := kiosk.NewService(pool, kiosk.DefaultConfig(), log)
	assist, err := assistant.New(assistant.Deps{Pool: pool, Catalogue: catalogue, Scans: assistant.OCRScans{Results: scans}, Logger: log, Stations: stations, Sealer: seal.Ephemeral()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	reader := ocr.NewService(ocr.NewReader(ocrPool), scans)
	reader.Stations, reader.EvalToken = stations, evalToken
	srv := httptest.NewServer(httpserver.New(httpserver.Options{Logger: log}, &procedures.Handler{Catalogue: catalogue}, &ocr.Handler{Service: reader}, &assistant.Handler{Service: assist}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// TestHTTPTargetPlaysASuiteThroughTheAPI runs a suite against the service
// over HTTP, with the eval mode: a typed need, a tapped choice, a scanned
// card posted to the OCR endpoint, and assertions on the route label,
// citations and the session's fields.
func TestHTTPTargetPlaysASuiteThroughTheAPI(t *testing.T) {
	srv := startService(t)
	dir := t.TempDir()
	fixture, err := filepath.Abs("suites/fixtures/cccd-front-an.png")
	if err != nil {
		t.Fatal(err)
	}
	suite := `
providers: [{id: http, config: {url: "` + srv.URL + `"}}]
defaultTest: {options: {timeout_ms: 60000}}
tests:
  - description: tạm trú qua API
    turns:
      - text: "tôi muốn đăng ký tạm trú"
        assert:
          - {type: choices, value: ["p:residence.temporary-register"]}
          - {type: route, value: procedure_question}
          - {type: json_schema, value: ` + filepath.Join(mustAbs(t, "suites/schemas"), "reply.schema.json") + `}
      - choice: "p:residence.temporary-register"
        assert:
          - {type: cites, value: "residence.temporary-register#summary"}
          - {type: cites, value: "residence.temporary-register#steps"}
      - choice: next
        assert: [{type: stage, value: collect}]
      - image: "` + fixture + `"
        assert: [{type: route, value: scan}]
    assert:
      - {type: fields, value: {full_name: Nguyễn Văn An, id_number: "079048001234"}}
      - {type: stage, value: collect}
`
	path := filepath.Join(dir, "http.yaml")
	os.WriteFile(path, []byte(suite), 0o644)
	s, err := LoadSuite(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Targets: func(_ context.Context, p Provider) (Target, error) {
		return &HTTPTarget{BaseURL: p.Config.URL, EvalToken: evalToken, Provider: p.Name()}, nil
	}}
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	p := report.Suites[0].Providers[0]
	if !p.Passed {
		t.Fatalf("suite failed: %s", firstFailure(p.Cases[0]))
	}
	if p.Identity.PromptVersion == "" {
		t.Error("the identity lacks the prompt version")
	}
	first := p.Cases[0].Attempts[0].Transcript.Turns[0].Reply
	if first.Eval == nil || len(first.Eval.Retrieved) == 0 || len(first.Eval.Steps) == 0 {
		t.Errorf("eval mode details missing: %+v", first.Eval)
	}

	// station eval run --url: a shipped suite against the same service,
	// whatever providers the suite names.
	var out bytes.Buffer
	cfg := RunConfig{URL: srv.URL, Concurrency: 2, Timeout: time.Minute, NoStore: true}
	civil, err := LoadSuites("suites/civil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	report, err = RunSuites(context.Background(), cfg, Environment{EvalToken: evalToken, Suites: civil}, &out)
	if err != nil {
		t.Fatalf("RunSuites: %v\n%s", err, out.String())
	}
	if got := report.Suites[0].Providers[0]; got.Provider != ProviderHTTP || !got.Passed {
		t.Errorf("civil over HTTP: %s passed %v\n%s", got.Provider, got.Passed, out.String())
	}
}

func TestHTTPTargetReportsAPIErrors(t *testing.T) {
	srv := startService(t)
	ctx := context.Background()
	// Without a station, only the evaluator's token opens a session.
	target := &HTTPTarget{BaseURL: srv.URL, EvalToken: "wrong-token-0123456789"}
	_, err := target.Start(ctx)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401 device_token_invalid") {
		t.Fatalf("err = %v, want the API's 401 device_token_invalid", err)
	}
	gone := &httpConversation{target: &HTTPTarget{BaseURL: srv.URL, EvalToken: evalToken}, id: "no-such-session"}
	if _, err := gone.Send(ctx, Input{Text: "xin chào"}); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("err = %v, want a 404", err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
