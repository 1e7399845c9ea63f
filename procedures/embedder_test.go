package procedures_test

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/procedures"
)

// fakeVector is what the fake model servers answer: a small deterministic
// vector of the text.
func fakeVector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		h := fnv.New32a()
		h.Write([]byte{byte(i)})
		h.Write([]byte(text))
		v[i] = float32(h.Sum32()%1000)/1000 + 0.001
	}
	return v
}

// openAIServer speaks the OpenAI embeddings API: POST /v1/embeddings with
// {"model","input":[...]} answers {"data":[{"embedding":[...],"index":i}]}.
func openAIServer(t *testing.T, dim int, calls *atomic.Int64) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer sk-test" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"message":"bad token"}}`))
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "test-embed" {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		calls.Add(1)
		type item struct {
			Object    string    `json:"object"`
			Embedding []float32 `json:"embedding"`
			Index     int       `json:"index"`
		}
		resp := struct {
			Object string `json:"object"`
			Data   []item `json:"data"`
			Model  string `json:"model"`
		}{Object: "list", Model: req.Model}
		for i, in := range req.Input {
			resp.Data = append(resp.Data, item{Object: "embedding", Embedding: fakeVector(in, dim), Index: i})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
}

// ollamaServer speaks Ollama's POST /api/embed: {"model","input"} answers
// {"embeddings":[[...]]}.
func ollamaServer(t *testing.T, dim int) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/embed" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Model string `json:"model"`
			Input string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "nomic-embed-text" {
			http.Error(w, `{"error":"model not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": [][]float32{fakeVector(req.Input, dim)}})
	}))
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		cfg     procedures.Config
		wantErr string // the variable the error must name; empty for none
	}{
		{procedures.Config{Embedder: "local"}, ""},
		{procedures.Config{Embedder: "ollama", Model: "nomic-embed-text"}, ""},
		{procedures.Config{Embedder: "openai", URL: "http://127.0.0.1:8000/v1", Model: "m"}, ""},
		{procedures.Config{Embedder: "bert"}, "STATION_EMBEDDER"},
		{procedures.Config{Embedder: "ollama"}, "STATION_EMBED_MODEL"},
		{procedures.Config{Embedder: "openai", Model: "m"}, "STATION_EMBED_URL"},
		{procedures.Config{Embedder: "ollama", Model: "m", URL: "ftp://x"}, "STATION_EMBED_URL"},
	}
	for _, tc := range tests {
		err := tc.cfg.Validate()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", tc.cfg, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%+v: error %v, want one naming %s", tc.cfg, err, tc.wantErr)
		}
	}
}

func TestOllamaEmbedderSpeaksOllama(t *testing.T) {
	srv := ollamaServer(t, 16)
	defer srv.Close()
	cfg := procedures.Config{Embedder: "ollama", URL: srv.URL, Model: "nomic-embed-text"}
	e, err := cfg.NewEmbedder()
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != "ollama:nomic-embed-text" {
		t.Errorf("name %q", e.Name())
	}
	vs, err := e.EmbedDocuments(context.Background(), []string{"đăng ký tạm trú", "hộ chiếu"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || len(vs[0]) != 16 || vs[0][0] != fakeVector("đăng ký tạm trú", 16)[0] {
		t.Fatalf("vectors %v", vs)
	}
	bad := procedures.Config{Embedder: "ollama", URL: srv.URL, Model: "missing"}
	e, _ = bad.NewEmbedder()
	if _, err := e.EmbedQuery(context.Background(), "x"); err == nil {
		t.Error("an unknown model gave no error")
	}
}

// TestChangingTheEmbedderReembeds imports with an OpenAI-compatible
// embedder (through langchaingo's real client), then shows that searching
// with another embedder is refused with a clear error, and that importing
// with the local one re-embeds everything.
func TestChangingTheEmbedderReembeds(t *testing.T) {
	var calls atomic.Int64
	srv := openAIServer(t, 32, &calls)
	defer srv.Close()
	ctx := context.Background()
	pool := dbtest.New(t)
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}

	cfg := procedures.Config{Embedder: "openai", URL: srv.URL + "/v1", Model: "test-embed", Token: "sk-test"}
	remote, err := cfg.NewEmbedder()
	if err != nil {
		t.Fatal(err)
	}
	withRemote, err := procedures.New(pool, remote)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := withRemote.Import(ctx, entries)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dimension != 32 || rep.Embedder != "openai:test-embed" || calls.Load() == 0 {
		t.Fatalf("import report %+v after %d calls", rep, calls.Load())
	}
	if _, err := withRemote.Search(ctx, "đăng ký tạm trú", 3); err != nil {
		t.Fatalf("search with the embedder that made the vectors: %v", err)
	}

	local, err := procedures.New(pool, procedures.NewLocalEmbedder())
	if err != nil {
		t.Fatal(err)
	}
	_, err = local.Search(ctx, "đăng ký tạm trú", 3)
	if apperr.CodeOf(err) != "catalogue_embedder_mismatch" || apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("search with another embedder: %v, want catalogue_embedder_mismatch", err)
	}
	if err := local.Check(ctx); apperr.CodeOf(err) != "catalogue_embedder_mismatch" {
		t.Fatalf("readiness with another embedder: %v", err)
	}

	rep, err = local.Import(ctx, entries)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged || rep.Dimension != procedures.LocalDimension || rep.Version != 2 {
		t.Fatalf("re-import with the local embedder: %+v", rep)
	}
	res, err := local.Search(ctx, "đăng ký tạm trú", 3)
	if err != nil || len(res) == 0 || res[0].Slug != "residence.temporary-register" {
		t.Fatalf("search after re-embedding: %v %v", res, err)
	}
	if _, err := withRemote.Search(ctx, "x", 3); apperr.CodeOf(err) != "catalogue_embedder_mismatch" {
		t.Fatalf("the old embedder still searches: %v", err)
	}
}

// An embedder that fails leaves the previous catalogue as it was.
func TestFailedImportKeepsTheOldCatalogue(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := procedures.New(pool, procedures.NewLocalEmbedder())
	first, err := c.Import(ctx, entries)
	if err != nil {
		t.Fatal(err)
	}

	// Two entries with one slug pass the embedder but break the insert,
	// after the old rows were deleted inside the transaction.
	broken := append(entries[:1:1], entries...)
	broken[0].Name = "Tên khác"
	if _, err := c.Import(ctx, broken); err == nil {
		t.Fatal("import with a duplicate slug succeeded")
	}
	// A failing embedder stops the import before the transaction.
	var calls atomic.Int64
	srv := openAIServer(t, 8, &calls)
	defer srv.Close()
	cfg := procedures.Config{Embedder: "openai", URL: srv.URL + "/v1", Model: "test-embed", Token: "wrong"}
	e, _ := cfg.NewEmbedder()
	failing, _ := procedures.New(pool, e)
	if _, err := failing.Import(ctx, entries); err == nil {
		t.Fatal("import with a failing embedder succeeded")
	}

	s, err := c.Status(ctx)
	if err != nil || s.Version != first.Version || s.Entries != len(entries) {
		t.Fatalf("status after failed imports: %+v %v", s, err)
	}
	if _, err := c.Get(ctx, entries[0].Slug); err != nil {
		t.Fatalf("entry gone after failed import: %v", err)
	}
	res, err := c.Search(ctx, "làm lại căn cước bị mất", 1)
	if err != nil || len(res) != 1 || res[0].Slug != "idcard.reissue" {
		t.Fatalf("search after failed imports: %v %v", res, err)
	}
}

func TestImportIsIdempotent(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	entries, _ := procedures.Load(procedures.Shipped())
	c, _ := procedures.New(pool, procedures.NewLocalEmbedder())
	first, err := c.Import(ctx, entries)
	if err != nil || first.Unchanged || first.Version != 1 || first.Entries != len(entries) {
		t.Fatalf("first import %+v %v", first, err)
	}
	again, err := c.Import(ctx, entries)
	if err != nil || !again.Unchanged || again.Version != 1 || again.Chunks != first.Chunks {
		t.Fatalf("second import %+v %v", again, err)
	}
	entries[0].Summary += " Thêm một câu."
	changed, err := c.Import(ctx, entries)
	if err != nil || changed.Unchanged || changed.Version != 2 {
		t.Fatalf("import of a changed entry %+v %v", changed, err)
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM procedure_chunks`).Scan(&n)
	if n != changed.Chunks {
		t.Fatalf("%d chunks stored, report says %d", n, changed.Chunks)
	}
}

func TestSearchBeforeImport(t *testing.T) {
	c, _ := procedures.New(dbtest.New(t), procedures.NewLocalEmbedder())
	_, err := c.Search(context.Background(), "tạm trú", 3)
	if apperr.CodeOf(err) != "catalogue_not_imported" {
		t.Fatalf("search on an empty catalogue: %v", err)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Message == "" {
		t.Fatal("no message for residents")
	}
}
