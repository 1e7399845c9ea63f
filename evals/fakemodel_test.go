package evals

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// fakeModel is an OpenAI-compatible server (the wire protocol of vLLM,
// llama.cpp and hosted APIs) that plays scripted chat answers and embeds
// text as a bag of folded words, so the real langchaingo clients run.
type fakeModel struct {
	*httptest.Server
	mu       sync.Mutex
	chat     func(messages []fakeMessage) string
	requests int
}

type fakeMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func newFakeModel(t *testing.T, chat func(messages []fakeMessage) string) *fakeModel {
	t.Helper()
	f := &fakeModel{chat: chat}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []json.RawMessage `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var msgs []fakeMessage
		for _, raw := range req.Messages {
			var m struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			}
			json.Unmarshal(raw, &m)
			var text string
			if json.Unmarshal(m.Content, &text) != nil {
				var parts []struct {
					Text string `json:"text"`
				}
				json.Unmarshal(m.Content, &parts)
				for _, p := range parts {
					text += p.Text
				}
			}
			msgs = append(msgs, fakeMessage{Role: m.Role, Content: text})
		}
		f.mu.Lock()
		f.requests++
		f.mu.Unlock()
		content := f.chat(msgs)
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "fake",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
			"usage": map[string]int{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
		})
	})
	mux.HandleFunc("POST /embeddings", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data := make([]map[string]any, len(req.Input))
		for i, text := range req.Input {
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": bagOfWords(text)}
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "fake-embed",
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeModel) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// bagOfWords hashes folded words into 64 dimensions.
func bagOfWords(text string) []float32 {
	v := make([]float32, 64)
	for _, w := range strings.Fields(vietnamese.Fold(text)) {
		h := fnv.New32a()
		h.Write([]byte(strings.Trim(w, ".,:;!?")))
		v[h.Sum32()%64]++
	}
	return v
}

func (f *fakeModel) llm(t *testing.T) *openai.LLM {
	t.Helper()
	llm, err := openai.New(openai.WithBaseURL(f.URL), openai.WithToken("test"), openai.WithModel("fake"),
		openai.WithEmbeddingModel("fake-embed"))
	if err != nil {
		t.Fatal(err)
	}
	return llm
}

func (f *fakeModel) embedder(t *testing.T) embeddings.Embedder {
	t.Helper()
	e, err := embeddings.NewEmbedder(f.llm(t))
	if err != nil {
		t.Fatal(err)
	}
	return e
}
