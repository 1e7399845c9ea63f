package evals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/ocr"
)

// InProcess builds targets that run the assistant inside this process, on
// the service's own database and catalogue: the deterministic guide for
// provider "guide", and the guide helped by a model through langchaingo for
// "openai" and "ollama".
type InProcess struct {
	Pool      *pgxpool.Pool
	Catalogue assistant.Catalogue
	Scans     assistant.Scans
	// Recognise runs OCR on a fixture image and returns the stored result's
	// id; nil when OCR is not available in-process.
	Recognise func(ctx context.Context, path string) (string, error)
	// Services are the kiosk services the assistant carries residents
	// through; StationID is the station sessions start at ("eval" when
	// empty, which files no dossier).
	Services  assistant.Services
	Dossiers  assistant.Dossiers
	StationID string
	// Base is the assistant's configuration; the provider sets the model.
	Base assistant.Config
	// Logger receives the assistant's logs (default: discarded, so the
	// terminal shows the summary).
	Logger *slog.Logger
}

// Target builds the assistant for provider p.
func (ip *InProcess) Target(ctx context.Context, p Provider) (Target, error) {
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
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
	}
	log := ip.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	model, err := assistant.OpenModel(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
	}
	svc, err := assistant.New(assistant.Deps{Pool: ip.Pool, Catalogue: ip.Catalogue, Scans: ip.Scans, Model: model, Logger: log,
		Services: ip.Services, Dossiers: ip.Dossiers}, cfg)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
	}
	id := Identity{Provider: p.Name(), PromptVersion: svc.PromptVersion()}
	if model != nil {
		id.Model = model.Name()
	}
	return &AssistantTarget{Service: svc, ID: id, Recognise: ip.Recognise, StationID: ip.StationID}, nil
}

// AssistantTarget talks to an assistant service directly, in eval mode.
type AssistantTarget struct {
	Service   *assistant.Service
	ID        Identity
	Recognise func(ctx context.Context, path string) (string, error)
	StationID string
}

// Identity names the provider, model and prompt version.
func (t *AssistantTarget) Identity(context.Context) (Identity, error) { return t.ID, nil }

// Start opens a session as a station called "eval" would.
func (t *AssistantTarget) Start(ctx context.Context) (Conversation, error) {
	station := t.StationID
	if station == "" {
		station = "eval"
	}
	r, err := t.Service.Start(ctx, assistant.StartRequest{StationID: station})
	if err != nil {
		return nil, err
	}
	return &assistantConversation{target: t, id: r.SessionID}, nil
}

type assistantConversation struct {
	target *AssistantTarget
	id     string
}

func (c *assistantConversation) Send(ctx context.Context, in Input) (Reply, error) {
	m := assistant.Message{Text: in.Text, Choice: in.Choice}
	if in.Image != "" {
		if c.target.Recognise == nil {
			return Reply{}, errors.New("fixture images need OCR, which is not available in-process; use --url")
		}
		id, err := c.target.Recognise(ctx, in.Image)
		if err != nil {
			return Reply{}, fmt.Errorf("OCR of %s: %w", in.Image, err)
		}
		m.OCRResultID = id
	}
	r, err := c.target.Service.Send(ctx, c.id, m, assistant.SendOptions{Eval: true})
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
	v, err := c.target.Service.Get(ctx, c.id)
	if err != nil {
		return State{}, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return State{}, err
	}
	return decodeState(raw)
}

// OCR reads fixture images in-process with the service's own reader and
// store, so a scan turn goes through Tesseract exactly as at the kiosk.
// Tesseract starts on the first image; Close stops it.
type OCR struct {
	Config  ocr.Config
	Store   *ocr.Store
	once    sync.Once
	service *ocr.Service
	pool    *ocr.Pool
	err     error
}

// Recognise reads the image at path, stores the result and returns its id.
func (o *OCR) Recognise(ctx context.Context, path string) (string, error) {
	o.once.Do(func() {
		o.pool, o.err = ocr.NewPool(o.Config)
		if o.err == nil {
			o.service = ocr.NewService(ocr.NewReader(o.pool), o.Store)
		}
	})
	if o.err != nil {
		return "", o.err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	res, err := o.service.Read(ctx, ocr.Request{Image: data}, "")
	if err != nil {
		return "", err
	}
	return res.ID, nil
}

// Close stops Tesseract if it was started.
func (o *OCR) Close() {
	if o.pool != nil {
		o.pool.Close()
	}
}
