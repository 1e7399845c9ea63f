package procedures

import (
	"flag"
	"fmt"
	"net/url"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Embedder is langchaingo's embedder with a name for the model that makes
// the vectors. The catalogue stores the name beside its vectors and refuses
// to compare vectors made by different names.
type Embedder interface {
	embeddings.Embedder
	Name() string
}

// Config chooses the embedder: the local one (the default; no network, no
// model), an Ollama server or an OpenAI-compatible server.
type Config struct {
	Embedder string // local, ollama or openai
	URL      string
	Model    string
	Token    string // for OpenAI-compatible servers that want one
}

// RegisterFlags adds the embedder settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Embedder, "embedder", "local", "embedder for catalogue search: local, ollama or openai")
	fs.StringVar(&c.URL, "embed-url", "", "embedding server URL (ollama: http://127.0.0.1:11434; openai: the /v1 base URL)")
	fs.StringVar(&c.Model, "embed-model", "", "embedding model name (required for ollama and openai)")
	fs.StringVar(&c.Token, "embed-token", "", "API token for an OpenAI-compatible embedding server")
}

// Validate checks that the chosen embedder has what it needs.
func (c *Config) Validate() error {
	switch c.Embedder {
	case "local":
		return nil
	case "ollama", "openai":
	default:
		return config.Invalid("embedder", c.Embedder, "must be local, ollama or openai")
	}
	if c.Model == "" {
		return config.Invalid("embed-model", c.Model, "required when the embedder is "+c.Embedder)
	}
	if c.URL == "" && c.Embedder == "openai" {
		return config.Invalid("embed-url", c.URL, "required when the embedder is openai")
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return config.Invalid("embed-url", c.URL, "must be an http(s) URL")
		}
	}
	return nil
}

// NewEmbedder returns the configured embedder. Call Validate first.
func (c *Config) NewEmbedder() (Embedder, error) {
	var client embeddings.EmbedderClient
	var err error
	switch c.Embedder {
	case "", "local":
		return NewLocalEmbedder(), nil
	case "ollama":
		opts := []ollama.Option{ollama.WithModel(c.Model)}
		if c.URL != "" {
			opts = append(opts, ollama.WithServerURL(c.URL))
		}
		client, err = ollama.New(opts...)
	case "openai":
		token := c.Token
		if token == "" {
			token = "none" // langchaingo insists on one; local servers ignore it
		}
		client, err = openai.New(openai.WithBaseURL(c.URL), openai.WithToken(token), openai.WithEmbeddingModel(c.Model))
	default:
		return nil, config.Invalid("embedder", c.Embedder, "must be local, ollama or openai")
	}
	if err != nil {
		return nil, fmt.Errorf("%s embedder: %w", c.Embedder, err)
	}
	e, err := embeddings.NewEmbedder(client)
	if err != nil {
		return nil, fmt.Errorf("%s embedder: %w", c.Embedder, err)
	}
	return named{e, c.Embedder + ":" + c.Model}, nil
}

// named gives a langchaingo embedder its model's name.
type named struct {
	embeddings.Embedder
	name string
}

func (n named) Name() string { return n.name }
