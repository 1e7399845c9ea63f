package assistant

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

// testModel opens the real langchaingo client of provider against fake.
func testModel(t testing.TB, provider string, fake *fakeLLM, mutate ...func(*Config)) *Model {
	t.Helper()
	cfg := Defaults()
	cfg.LLMProvider, cfg.LLMModel = provider, "fake-model"
	cfg.LLMURL = fake.srv.URL
	if provider == "openai" {
		cfg.LLMURL += "/v1"
	}
	cfg.LLMTimeout, cfg.LLMRetries = 2*time.Second, 1
	for _, m := range mutate {
		m(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	m, err := OpenModel(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestModelProviders runs the same subtests against both providers' real
// clients and a fake model server: understanding with the phone masked (or
// not, when allowed), a streamed answer, invalid JSON, retries after a 500
// and a timeout. It is over 80 lines because each subtest scripts its own
// fake; they stay in one function so both providers meet the same list.
func TestModelProviders(t *testing.T) {
	prompts, err := LoadPrompts(DefaultPrompts)
	if err != nil {
		t.Fatal(err)
	}
	field := &procedures.Field{Name: "date_of_birth", Label: "Ngày sinh", Type: procedures.FieldDate}
	passages := []procedures.Citation{{Slug: "residence.temporary-register", Section: "steps", Text: "Nộp tại Công an phường nơi dự kiến tạm trú."}}
	for _, provider := range []string{"openai", "ollama"} {
		t.Run(provider, func(t *testing.T) {
			t.Run("normal JSON understanding", func(t *testing.T) {
				fake := newFakeLLM(t)
				fake.script("understand", fakeReply{Text: "```json\n{\"intent\":\"field_value\",\"value\":\"12/3/1950\"}\n```"})
				m := testModel(t, provider, fake)
				u, usage, err := m.Understand(context.Background(), nil, StageCollect, field, nil, nil, "tôi sinh 12/3/1950, số điện thoại 0903123456", prompts)
				if err != nil || u.Intent != "field_value" || u.Value != "12/3/1950" {
					t.Fatalf("Understand = %+v, %v", u, err)
				}
				if usage.PromptTokens == 0 || usage.CompletionTokens == 0 {
					t.Errorf("usage not read: %+v", usage)
				}
				req := fake.calls()[0]
				if !req.JSON {
					t.Error("JSON mode not requested")
				}
				if strings.Contains(req.User, "0903123456") || strings.Contains(req.User, "3456") || !strings.Contains(req.User, "[SO_DIEN_THOAI_A]") {
					t.Errorf("phone not masked before the model: %q", req.User)
				}
			})
			t.Run("PII allowed", func(t *testing.T) {
				fake := newFakeLLM(t)
				fake.script("understand", fakeReply{Text: `{"intent":"unclear"}`})
				m := testModel(t, provider, fake, func(c *Config) { c.LLMPII = "allow" })
				m.Understand(context.Background(), nil, StageIdentify, nil, nil, nil, "số 0903123456", prompts)
				if !strings.Contains(fake.calls()[0].User, "0903123456") {
					t.Error("allow still masks")
				}
			})
			t.Run("streaming answer", func(t *testing.T) {
				fake := newFakeLLM(t)
				want := "Bác nộp hồ sơ tại Công an phường nơi dự kiến tạm trú."
				fake.script("answer", fakeReply{Text: want, Stream: true})
				m := testModel(t, provider, fake)
				var chunks []string
				got, _, err := m.Answer(context.Background(), nil, "nộp ở đâu", passages, prompts, func(s string) { chunks = append(chunks, s) })
				if err != nil || got != want {
					t.Fatalf("Answer = %q, %v", got, err)
				}
				if len(chunks) < 5 || strings.Join(chunks, "") != want {
					t.Fatalf("streamed %d chunks %q", len(chunks), chunks)
				}
				if !fake.calls()[0].Stream {
					t.Error("stream not requested")
				}
			})
			t.Run("invalid JSON", func(t *testing.T) {
				fake := newFakeLLM(t)
				fake.script("understand", fakeReply{Text: `Dạ, bác muốn làm tạm trú ạ.`}, fakeReply{Text: `{"intent":"fly_to_moon"}`})
				m := testModel(t, provider, fake)
				for range 2 {
					if _, _, err := m.Understand(context.Background(), nil, StageIdentify, nil, nil, nil, "tam tru", prompts); !errors.Is(err, errInvalidOutput) {
						t.Fatalf("err = %v, want errInvalidOutput", err)
					}
				}
			})
			t.Run("500 is retried then fails", func(t *testing.T) {
				fake := newFakeLLM(t)
				fake.script("understand", fakeReply{Status: 500, Text: "boom"}, fakeReply{Status: 500, Text: "boom"})
				m := testModel(t, provider, fake)
				if _, _, err := m.Understand(context.Background(), nil, StageIdentify, nil, nil, nil, "tam tru", prompts); err == nil {
					t.Fatal("no error after two 500s")
				}
				if n := len(fake.calls()); n != 2 {
					t.Errorf("%d calls, want 2 (one retry)", n)
				}
			})
			t.Run("500 then success", func(t *testing.T) {
				fake := newFakeLLM(t)
				fake.script("understand", fakeReply{Status: 500, Text: "boom"}, fakeReply{Text: `{"intent":"go_back"}`})
				m := testModel(t, provider, fake)
				u, _, err := m.Understand(context.Background(), nil, StageIdentify, nil, nil, nil, "quay lai", prompts)
				if err != nil || u.Intent != "go_back" {
					t.Fatalf("Understand = %+v, %v", u, err)
				}
			})
			t.Run("timeout", func(t *testing.T) {
				fake := newFakeLLM(t)
				fake.script("understand", fakeReply{Delay: 5 * time.Second, Text: `{"intent":"unclear"}`}, fakeReply{Delay: 5 * time.Second, Text: `{"intent":"unclear"}`})
				m := testModel(t, provider, fake, func(c *Config) { c.LLMTimeout = 150 * time.Millisecond })
				start := time.Now()
				_, _, err := m.Understand(context.Background(), nil, StageIdentify, nil, nil, nil, "tam tru", prompts)
				if err == nil {
					t.Fatal("no error from a model that does not answer")
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("gave up after %v", d)
				}
			})
		})
	}
}

func TestEvalTokenFlagIsShared(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var other string
	fs.StringVar(&other, "eval-token", "", "registered first by another part")
	var c Config
	c.RegisterFlags(fs) // must not panic on the second registration
	if err := fs.Parse([]string{"-eval-token", "0123456789abcdef-token"}); err != nil {
		t.Fatal(err)
	}
	if c.evalToken() != "0123456789abcdef-token" {
		t.Fatalf("token %q", c.evalToken())
	}
}
