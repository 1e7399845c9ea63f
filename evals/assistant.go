package evals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/ocr"
)

// InProcess builds targets that run the assistant inside this process,
// with the service's parts wired on scratch databases (lanes): the
// deterministic guide for provider "guide", and the guide helped by a
// model through langchaingo for "openai" and "ollama".
type InProcess struct {
	// Lanes are where conversations run, one at a time each; at least one.
	Lanes []*Lane
	// Base is the assistant's configuration; the provider sets the model.
	Base assistant.Config
	// Logger receives the assistant's logs (default: discarded, so the
	// terminal shows the summary).
	Logger *slog.Logger

	once sync.Once
	free chan *Lane
}

// Target builds the assistant for provider p on every lane.
func (ip *InProcess) Target(ctx context.Context, p Provider) (Target, error) {
	if len(ip.Lanes) == 0 {
		return nil, errors.New("in-process runs need at least one lane")
	}
	ip.once.Do(func() {
		ip.free = make(chan *Lane, len(ip.Lanes))
		for _, l := range ip.Lanes {
			ip.free <- l
		}
	})
	cfg := ip.Base
	switch p.ID {
	case ProviderGuide:
		cfg.LLMProvider = "none"
	case ProviderOpenAI, ProviderOllama:
		cfg.LLMProvider, cfg.LLMURL, cfg.LLMModel = p.ID, p.Config.URL, p.Config.Model
		if p.Config.APIKeyEnv != "" {
			if cfg.LLMAPIKey = os.Getenv(p.Config.APIKeyEnv); cfg.LLMAPIKey == "" {
				return nil, fmt.Errorf("provider %s: %s is empty", p.Name(), p.Config.APIKeyEnv)
			}
		}
	default:
		return nil, fmt.Errorf("provider %s cannot run in-process", p.Name())
	}
	if p.Prompts != "" {
		cfg.Prompts = p.Prompts
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
	}
	log := ip.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	model, err := assistant.OpenModel(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
	}
	t := &AssistantTarget{free: ip.free, services: map[*Lane]*assistant.Service{}}
	for _, lane := range ip.Lanes {
		deps := lane.Deps
		deps.Model, deps.Logger = model, log
		svc, err := assistant.New(deps, cfg)
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
		}
		t.services[lane] = svc
		t.ID = Identity{Provider: p.Name(), PromptVersion: svc.PromptVersion()}
	}
	if model != nil {
		t.ID.Model = model.Name()
	}
	return t, nil
}

// AssistantTarget talks to an assistant service directly, in eval mode,
// one conversation per lane at a time.
type AssistantTarget struct {
	ID       Identity
	free     chan *Lane
	services map[*Lane]*assistant.Service
}

// Identity names the provider, model and prompt version.
func (t *AssistantTarget) Identity(context.Context) (Identity, error) { return t.ID, nil }

// Start takes a free lane and opens a session at its station.
func (t *AssistantTarget) Start(ctx context.Context) (Conversation, error) {
	var lane *Lane
	select {
	case lane = <-t.free:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a free lane: %w", ctx.Err())
	}
	svc := t.services[lane]
	r, err := svc.Start(ctx, assistant.StartRequest{StationID: lane.StationID})
	if err != nil {
		t.release(lane)
		return nil, err
	}
	return &assistantConversation{target: t, lane: lane, service: svc, id: r.SessionID}, nil
}

// release resets a lane and hands it to the next attempt.
func (t *AssistantTarget) release(lane *Lane) error {
	// The reset runs even when the attempt's context has ended.
	err := lane.Reset(context.Background())
	t.free <- lane
	return err
}

type assistantConversation struct {
	target  *AssistantTarget
	lane    *Lane
	service *assistant.Service
	id      string
}

// End gives the conversation's lane back, emptied of what it wrote.
func (c *assistantConversation) End(context.Context) error { return c.target.release(c.lane) }

func (c *assistantConversation) Send(ctx context.Context, in Input) (Reply, error) {
	m := assistant.Message{Text: in.Text, Choice: in.Choice}
	if in.Image != "" {
		if c.lane.Recognise == nil {
			return Reply{}, errors.New("fixture images need OCR, which is not available in-process; use --url")
		}
		id, err := c.lane.Recognise(ctx, in.Image)
		if err != nil {
			return Reply{}, fmt.Errorf("OCR of %s: %w", in.Image, err)
		}
		m.OCRResultID = id
	}
	r, err := c.service.Send(ctx, c.id, m, assistant.SendOptions{Eval: true})
	if err != nil {
		return Reply{}, err
	}
	// Through JSON, exactly as the HTTP API would show it.
	raw, err := json.Marshal(r)
	if err != nil {
		return Reply{}, err
	}
	var reply Reply
	if err := json.Unmarshal(raw, &reply); err != nil {
		return Reply{}, err
	}
	reply.Raw = raw
	return reply, nil
}

func (c *assistantConversation) State(ctx context.Context) (State, error) {
	v, err := c.service.Get(ctx, c.id)
	if err != nil {
		return State{}, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return State{}, err
	}
	return decodeState(raw)
}

// OCR reads fixture images in-process with the service's own reader, so a
// scan turn goes through Tesseract exactly as at the kiosk. Tesseract
// starts on the first image; Close stops it.
type OCR struct {
	Config ocr.Config
	once   sync.Once
	reader *ocr.Reader
	pool   *ocr.Pool
	err    error
}

// Into returns a function that reads an image into store and returns the
// stored result's id: a lane's Recognise.
func (o *OCR) Into(store *ocr.Store) func(ctx context.Context, path string) (string, error) {
	return func(ctx context.Context, path string) (string, error) {
		o.once.Do(func() {
			if o.pool, o.err = ocr.NewPool(o.Config); o.err == nil {
				o.reader = ocr.NewReader(o.pool)
			}
		})
		if o.err != nil {
			return "", o.err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		res, err := ocr.NewService(o.reader, store).ReadForEvaluator(ctx, ocr.Request{Image: data})
		if err != nil {
			return "", err
		}
		return res.ID, nil
	}
}

// Close stops Tesseract if it was started.
func (o *OCR) Close() {
	if o.pool != nil {
		o.pool.Close()
	}
}
