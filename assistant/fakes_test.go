package assistant

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeLLM is a model server outside the machine, played back: it speaks the
// real wire protocols — OpenAI's /chat/completions (JSON or SSE chunks) and
// Ollama's /api/chat (NDJSON) — so that langchaingo's real clients run
// against it. Each request gets the next scripted reply for its kind.
type fakeLLM struct {
	t        testing.TB
	srv      *httptest.Server
	mu       sync.Mutex
	scripts  map[string][]fakeReply // "understand", "answer" or "phrase"
	requests []fakeRequest
}

// fakeReply is one recorded answer.
type fakeReply struct {
	Text   string        // the content
	Stream bool          // send as chunks, one per word
	Status int           // an HTTP error status instead of an answer
	Delay  time.Duration // before answering (a timeout when long)
}

type fakeRequest struct {
	Kind   string
	System string
	User   string
	Stream bool
	JSON   bool
}

func newFakeLLM(t testing.TB) *fakeLLM {
	f := &fakeLLM{t: t, scripts: map[string][]fakeReply{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.openai)
	mux.HandleFunc("POST /api/chat", f.ollama)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// script queues replies for requests of kind understand or answer.
func (f *fakeLLM) script(kind string, replies ...fakeReply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts[kind] = append(f.scripts[kind], replies...)
}

func (f *fakeLLM) calls() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

func (f *fakeLLM) next(req fakeRequest) fakeReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	q := f.scripts[req.Kind]
	if len(q) == 0 {
		return fakeReply{Status: http.StatusServiceUnavailable, Text: "no scripted reply for " + req.Kind}
	}
	f.scripts[req.Kind] = q[1:]
	return q[0]
}

type wireMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func kindOf(system string) string {
	switch {
	case strings.Contains(system, "bộ phận hiểu ý"):
		return "understand"
	case strings.Contains(system, "viết lại lời giải thích"):
		return "phrase"
	}
	return "answer"
}

func (f *fakeLLM) openai(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Messages       []wireMessage   `json:"messages"`
		Stream         bool            `json:"stream"`
		ResponseFormat json.RawMessage `json:"response_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	req, reply, ok := f.receive(r, fakeRequest{Stream: body.Stream, JSON: strings.Contains(string(body.ResponseFormat), "json")}, body.Messages)
	if !ok {
		return
	}
	if reply.Status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(reply.Status)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"server_error"}}`, reply.Text)
		return
	}
	if !body.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "fake",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": reply.Text}}},
			"usage":   map[string]any{"prompt_tokens": len(req.User) / 4, "completion_tokens": len(reply.Text) / 4, "total_tokens": (len(req.User) + len(reply.Text)) / 4},
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	for _, tok := range tokens(reply.Text) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "fake",
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": tok}, "finish_reason": nil}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "fake",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}})
	fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
	fl.Flush()
}

func (f *fakeLLM) ollama(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Messages []wireMessage `json:"messages"`
		Stream   bool          `json:"stream"`
		Format   any           `json:"format"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	req, reply, ok := f.receive(r, fakeRequest{Stream: body.Stream, JSON: body.Format == "json"}, body.Messages)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	if reply.Status != 0 {
		w.WriteHeader(reply.Status)
		fmt.Fprintf(w, "{\"error\":%q}\n", reply.Text)
		return
	}
	enc := json.NewEncoder(w)
	parts := []string{reply.Text}
	if body.Stream {
		parts = tokens(reply.Text)
	}
	fl := w.(http.Flusher)
	for _, p := range parts {
		enc.Encode(map[string]any{"model": "fake", "created_at": "2026-11-24T00:00:00Z", "message": map[string]any{"role": "assistant", "content": p}, "done": false})
		fl.Flush()
	}
	enc.Encode(map[string]any{"model": "fake", "created_at": "2026-11-24T00:00:00Z", "message": map[string]any{"role": "assistant", "content": ""},
		"done": true, "done_reason": "stop", "prompt_eval_count": len(req.User) / 4, "eval_count": len(reply.Text) / 4})
}

// receive reads a request's system and user messages, records it and
// returns its scripted reply after the reply's delay; false when the
// client gave up waiting.
func (f *fakeLLM) receive(r *http.Request, req fakeRequest, msgs []wireMessage) (fakeRequest, fakeReply, bool) {
	for _, m := range msgs {
		switch m.Role {
		case "system":
			req.System = m.Content
		case "user":
			req.User = m.Content
		}
	}
	req.Kind = kindOf(req.System)
	reply := f.next(req)
	return req, reply, f.wait(r, reply)
}

// wait sleeps for the reply's delay unless the client gives up first.
func (f *fakeLLM) wait(r *http.Request, reply fakeReply) bool {
	if reply.Delay == 0 {
		return true
	}
	select {
	case <-time.After(reply.Delay):
		return true
	case <-r.Context().Done():
		return false
	}
}

// tokens splits text the way a model streams it: a word and its space.
func tokens(text string) []string {
	var out []string
	for _, w := range strings.SplitAfter(text, " ") {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
