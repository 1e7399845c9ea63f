package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/sethvargo/go-retry"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/citizenstation/citizenstation/internal/pii"
	"github.com/citizenstation/citizenstation/procedures"
)

// Model is a language model behind langchaingo's llms.Model, used only to
// understand the resident and to word answers from retrieved passages.
// Every call has a time limit and retries with backoff; any failure,
// timeout or invalid output makes the turn fall back to the deterministic
// guide.
type Model struct {
	llm     llms.Model
	name    string
	timeout time.Duration
	retries int
	mask    bool
	schema  *jsonschema.Schema
	log     *slog.Logger
}

// Usage counts a model's tokens in a turn.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// OpenModel returns the configured model, or nil when the provider is none.
func OpenModel(cfg Config, log *slog.Logger) (*Model, error) {
	hc := &http.Client{} // each call's context carries its time limit
	var (
		llm llms.Model
		err error
	)
	switch cfg.LLMProvider {
	case "", "none":
		return nil, nil
	case "openai":
		key := cfg.LLMAPIKey
		if key == "" {
			key = "none" // local OpenAI-compatible servers need no key, the client wants one
		}
		llm, err = openai.New(openai.WithBaseURL(cfg.LLMURL), openai.WithModel(cfg.LLMModel), openai.WithToken(key), openai.WithHTTPClient(hc))
	case "ollama":
		llm, err = ollama.New(ollama.WithServerURL(cfg.LLMURL), ollama.WithModel(cfg.LLMModel), ollama.WithHTTPClient(hc))
	default:
		return nil, fmt.Errorf("unknown llm provider %q", cfg.LLMProvider)
	}
	if err != nil {
		return nil, fmt.Errorf("llm %s: %w", cfg.LLMProvider, err)
	}
	return NewModel(llm, cfg.LLMProvider+":"+cfg.LLMModel, cfg, log)
}

// NewModel wraps any llms.Model with the configured limits.
func NewModel(llm llms.Model, name string, cfg Config, log *slog.Logger) (*Model, error) {
	c := jsonschema.NewCompiler()
	var doc any
	if err := json.Unmarshal([]byte(understandSchema), &doc); err != nil {
		return nil, err
	}
	if err := c.AddResource("understand.json", doc); err != nil {
		return nil, err
	}
	schema, err := c.Compile("understand.json")
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Model{llm: llm, name: name, timeout: cfg.LLMTimeout, retries: cfg.LLMRetries, mask: cfg.LLMPII != "allow", schema: schema, log: log}, nil
}

// Name is provider:model, reported in eval mode and stored with turns.
func (m *Model) Name() string { return m.name }

// understandSchema is the shape the understanding step must return.
const understandSchema = `{
  "type": "object",
  "required": ["intent"],
  "properties": {
    "intent": {"enum": ["choose_procedure", "field_value", "question", "go_back", "ask_person", "small_talk", "out_of_scope", "unclear"]},
    "procedure": {"type": "string", "maxLength": 200},
    "value": {"type": "string", "maxLength": 300},
    "question": {"type": "string", "maxLength": 500}
  }
}`

// Understanding is the model's reading of a message.
type Understanding struct {
	Intent    string `json:"intent"`
	Procedure string `json:"procedure"`
	Value     string `json:"value"`
	Question  string `json:"question"`
}

// errInvalidOutput marks output that does not fit the schema.
var errInvalidOutput = errors.New("model output invalid")

// generate calls the model with retries. Streaming chunks go to onChunk;
// once one has been sent the call is not retried (the resident has seen
// it).
func (m *Model) generate(ctx context.Context, system, user string, jsonMode bool, onChunk func(string)) (string, Usage, error) {
	msgs := []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, system),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}
	opts := []llms.CallOption{llms.WithTemperature(0), llms.WithMaxTokens(400)}
	if jsonMode {
		opts = append(opts, llms.WithJSONMode())
	}
	streamed := false
	if onChunk != nil {
		opts = append(opts, llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			if len(chunk) > 0 {
				streamed = true
				onChunk(string(chunk))
			}
			return nil
		}))
	}
	var (
		text  string
		usage Usage
	)
	backoff := retry.WithMaxRetries(uint64(m.retries), retry.WithJitterPercent(20, retry.NewExponential(200*time.Millisecond)))
	err := retry.Do(ctx, backoff, func(ctx context.Context) error {
		cctx, cancel := context.WithTimeout(ctx, m.timeout)
		defer cancel()
		resp, err := m.llm.GenerateContent(cctx, msgs, opts...)
		if err != nil {
			if streamed || ctx.Err() != nil {
				return err
			}
			return retry.RetryableError(err)
		}
		if len(resp.Choices) == 0 {
			return errInvalidOutput
		}
		text = resp.Choices[0].Content
		usage.PromptTokens += toInt(resp.Choices[0].GenerationInfo["PromptTokens"])
		usage.CompletionTokens += toInt(resp.Choices[0].GenerationInfo["CompletionTokens"])
		return nil
	})
	return text, usage, err
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}

// data prepares resident or scan text for the model: names, dates of
// birth, ID and phone numbers replaced by ph's placeholders when personal
// data must not leave, and unable to close the block it is put in.
func (m *Model) data(ph *pii.Placeholders, s string) string {
	if m.mask {
		s = ph.Hide(s)
	}
	return strings.NewReplacer("<", "‹", ">", "›").Replace(s)
}

// Understand asks the model what a message means, given where the
// conversation stands. The answer must fit the schema; a value or question
// it gives has ph's placeholders replaced by what they stand for.
func (m *Model) Understand(ctx context.Context, ph *pii.Placeholders, stage Stage, field *procedures.Field, candidates []ProcedureRef, history []string, text string, prompts *PromptSet) (Understanding, Usage, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "<stage>%s</stage>\n", stage)
	if field != nil {
		fmt.Fprintf(&b, "<field name=%q type=%q>%s</field>\n", field.Name, field.Type, field.Label)
	}
	b.WriteString("<candidates>\n")
	for _, c := range candidates {
		fmt.Fprintf(&b, "%s: %s\n", c.Slug, c.Name)
	}
	b.WriteString("</candidates>\n<history>\n")
	for _, h := range history {
		b.WriteString(m.data(ph, h) + "\n")
	}
	b.WriteString("</history>\n<resident>" + m.data(ph, text) + "</resident>")
	out, usage, err := m.generate(ctx, prompts.Understand, b.String(), true, nil)
	if err != nil {
		return Understanding{}, usage, err
	}
	u, err := m.parseUnderstanding(out)
	u.Value, u.Question = ph.Restore(u.Value), ph.Restore(u.Question)
	return u, usage, err
}

func (m *Model) parseUnderstanding(out string) (Understanding, error) {
	raw := extractJSON(out)
	var doc any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return Understanding{}, fmt.Errorf("%w: not JSON: %v", errInvalidOutput, err)
	}
	if err := m.schema.Validate(doc); err != nil {
		return Understanding{}, fmt.Errorf("%w: %v", errInvalidOutput, err)
	}
	var u Understanding
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		return Understanding{}, fmt.Errorf("%w: %v", errInvalidOutput, err)
	}
	return u, nil
}

// extractJSON takes the object out of a reply that may wrap it in a code
// fence or a sentence.
func extractJSON(s string) string {
	i, j := strings.Index(s, "{"), strings.LastIndex(s, "}")
	if i < 0 || j < i {
		return s
	}
	return s[i : j+1]
}

// noAnswer is what the answer prompt tells the model to write when the
// passages do not answer.
const noAnswer = "KHONG_DU_THONG_TIN"

// Answer words an answer to question from passages, streaming it to
// onChunk when set. The answer keeps ph's placeholders: it is checked as
// the model wrote it, and restored for the resident (ph.Restore).
func (m *Model) Answer(ctx context.Context, ph *pii.Placeholders, question string, passages []procedures.Citation, prompts *PromptSet, onChunk func(string)) (string, Usage, error) {
	var b strings.Builder
	b.WriteString("<sources>\n")
	for i, p := range passages {
		fmt.Fprintf(&b, "[%d] (%s, %s) %s\n", i+1, p.Slug, p.Section, p.Text)
	}
	b.WriteString("</sources>\n<question>" + m.data(ph, question) + "</question>")
	out, usage, err := m.generate(ctx, prompts.Answer, b.String(), false, onChunk)
	if err != nil {
		return "", usage, err
	}
	out = strings.TrimSpace(out)
	if out == "" || strings.Contains(out, noAnswer) {
		return "", usage, fmt.Errorf("%w: no answer from the passages", errInvalidOutput)
	}
	return out, usage, nil
}

// Phrase rewrites a step's explanation in simpler words, streaming it to
// onChunk when set. The caller checks the result against the source.
func (m *Model) Phrase(ctx context.Context, ph *pii.Placeholders, step string, prompts *PromptSet, onChunk func(string)) (string, Usage, error) {
	out, usage, err := m.generate(ctx, prompts.Phrase, "<step>"+m.data(ph, step)+"</step>", false, onChunk)
	if err != nil {
		return "", usage, err
	}
	out = strings.TrimSpace(out)
	if out == "" {
		return "", usage, fmt.Errorf("%w: empty", errInvalidOutput)
	}
	return out, usage, nil
}

// understand runs the model's understanding for the routing step and maps
// it onto the guide's intents. ok is false when the model failed or said
// something the guide cannot use; the deterministic intent then stands.
func (t router) understand(ctx context.Context, fallback Intent) (Intent, bool) {
	m := t.svc.model
	var field *procedures.Field
	if f, ok := t.currentField(); ok && t.sess.Stage == StageCollect {
		field = &f
	}
	candidates := t.sess.State.Candidates
	history := t.svc.store.recentInputs(ctx, t.sess.ID, 3)
	start := time.Now()
	u, usage, err := m.Understand(ctx, t.placeholders(), t.sess.Stage, field, candidates, history, t.text, t.svc.prompts)
	t.addUsage(usage)
	in, ok := Intent{}, err == nil
	if ok {
		in, ok = t.fromUnderstanding(u, candidates, field)
		if !ok {
			err = fmt.Errorf("%w: %s with %q", errInvalidOutput, u.Intent, u.Procedure)
		}
	}
	t.modelStep("model_understand", start, err)
	if !ok {
		return fallback, false
	}
	return in, true
}

func (t router) fromUnderstanding(u Understanding, candidates []ProcedureRef, field *procedures.Field) (Intent, bool) {
	switch u.Intent {
	case "choose_procedure":
		for _, c := range candidates {
			if c.Slug == u.Procedure {
				return Intent{Action: "choose", Arg: c.Slug}, true
			}
		}
		if t.sess.Stage == StageIdentify {
			return Intent{Action: "describe"}, true
		}
		return Intent{}, false
	case "field_value":
		if field == nil || u.Value == "" || strings.Contains(u.Value, "***") {
			return Intent{}, false
		}
		if _, err := ParseValue(*field, u.Value); err != nil {
			return Intent{}, false
		}
		return Intent{Action: "value", Arg: u.Value, Provenance: procedures.FromModel}, true
	case "question":
		q := u.Question
		if q == "" {
			q = t.text
		}
		return Intent{Action: "question", Question: q}, true
	case "go_back":
		return Intent{Action: "back"}, true
	case "ask_person":
		return Intent{Action: "handoff"}, true
	case "small_talk":
		return Intent{Action: "greet"}, true
	case "out_of_scope":
		return Intent{Action: "out_of_scope"}, true
	case "unclear":
		return Intent{Action: "unclear"}, true
	}
	return Intent{}, false
}

// pickProcedure lets the model put the procedure it thinks the resident
// means first among those that cleared the relevance check; the resident
// still confirms it. It never brings one the check refused: below the
// floor the guide says so and offers staff, whatever a model thinks.
func (t router) pickProcedure(ctx context.Context) {
	var refs []ProcedureRef
	for _, r := range t.relevant {
		refs = append(refs, ProcedureRef{Slug: r.Slug, Name: r.Name})
	}
	start := time.Now()
	u, usage, err := t.svc.model.Understand(ctx, t.placeholders(), StageIdentify, nil, refs, nil, t.rewritten, t.svc.prompts)
	t.addUsage(usage)
	t.modelStep("model_pick", start, err)
	if err != nil || u.Intent != "choose_procedure" {
		return
	}
	for i, r := range t.relevant {
		if r.Slug == u.Procedure {
			t.relevant[0], t.relevant[i] = t.relevant[i], t.relevant[0]
			return
		}
	}
}

// modelAnswer words the answer from passages; ok is false when the model
// failed, and the guide then shows the passages themselves.
func (t answerer) modelAnswer(ctx context.Context, q string, passages []procedures.Citation) (string, bool) {
	start := time.Now()
	gate := t.gate()
	text, usage, err := t.svc.model.Answer(ctx, t.placeholders(), q, passages, t.svc.prompts, gate.stream())
	t.addUsage(usage)
	if err == nil && len(GuardModelText(text, t.entry, (servicePresenter{t.turn}).allowedAmounts()...)) == 0 {
		gate.flush()
	}
	t.modelStep("model_answer", start, err)
	return text, err == nil
}
