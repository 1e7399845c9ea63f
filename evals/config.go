package evals

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Config holds the evals' settings of station serve.
type Config struct {
	// Token is the evaluator token (STATION_EVAL_TOKEN): it opens
	// GET /api/v1/evals/runs and, in the assistant, the eval mode. Empty
	// disables both.
	Token string
	// shared is the assistant's -eval-token flag when it was registered
	// first: both parts read the one variable.
	shared flag.Value
}

// RegisterFlags adds -eval-token to fs, or shares it when the assistant
// registered it already.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	if f := fs.Lookup("eval-token"); f != nil {
		c.shared = f.Value
		return
	}
	fs.StringVar(&c.Token, "eval-token", "", "evaluator token for /api/v1/evals and the assistant's eval mode (empty: disabled)")
}

// EvalToken is the token in force.
func (c *Config) EvalToken() string {
	if c.shared != nil {
		return c.shared.String()
	}
	return c.Token
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if t := c.EvalToken(); t != "" && len(t) < 16 {
		return config.Invalid("eval-token", "…", "must be at least 16 characters")
	}
	return nil
}

// RunConfig holds the settings of station eval run.
type RunConfig struct {
	Provider    string
	Concurrency int
	Repeat      int
	Timeout     time.Duration
	JSON        string
	JUnit       string
	HTML        string
	// URL, when set, plays every suite against a running service instead
	// of each suite's provider matrix.
	URL     string
	Label   string
	NoCache bool
	NoStore bool
	// Judge is the model that grades rubric assertions. (similar uses the
	// catalogue's configured embedder.)
	Judge ModelConfig
}

// ModelConfig names a model reached through langchaingo.
type ModelConfig struct {
	Provider string // openai or ollama
	URL      string
	Model    string
	// APIKeyEnv names the variable holding the key (not the key itself).
	APIKeyEnv string
}

// RegisterFlags adds the settings of station eval run to fs.
func (c *RunConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Provider, "provider", "", "run only the provider of this name (label or id) of each suite's matrix")
	fs.IntVar(&c.Concurrency, "concurrency", 4, "conversations in flight at once")
	fs.IntVar(&c.Repeat, "repeat", 0, "play each case this many times and report its pass rate (0: as the suite says)")
	fs.DurationVar(&c.Timeout, "timeout", 30*time.Second, "time limit of each turn, unless a suite sets timeout_ms")
	fs.StringVar(&c.JSON, "json", "", "write the results as JSON to this file")
	fs.StringVar(&c.JUnit, "junit", "", "write JUnit XML to this file")
	fs.StringVar(&c.HTML, "html", "", "write a self-contained HTML report to this file")
	fs.StringVar(&c.URL, "url", "", "play every suite against the service at this URL instead of in-process")
	fs.StringVar(&c.Label, "label", "", "a name for this run in the stored history (a git ref, a prompt change)")
	fs.BoolVar(&c.NoCache, "no-cache", false, "always ask the models; do not reuse cached answers")
	fs.BoolVar(&c.NoStore, "no-store", false, "do not store the run in PostgreSQL")
	fs.StringVar(&c.Judge.Provider, "judge-provider", "openai", "judge model of rubric assertions: openai (any OpenAI-compatible server) or ollama")
	fs.StringVar(&c.Judge.URL, "judge-url", "", "judge model's base URL (empty: rubric assertions fail for want of a judge)")
	fs.StringVar(&c.Judge.Model, "judge-model", "", "judge model name")
	fs.StringVar(&c.Judge.APIKeyEnv, "judge-api-key-env", "", "the environment variable that holds the judge's API key")
}

// Validate checks the settings.
func (c *RunConfig) Validate() error {
	if c.Concurrency < 1 || c.Concurrency > 256 {
		return config.Invalid("concurrency", c.Concurrency, "want 1 to 256")
	}
	if c.Repeat < 0 || c.Repeat > 100 {
		return config.Invalid("repeat", c.Repeat, "want 0 to 100")
	}
	if c.Timeout <= 0 {
		return config.Invalid("timeout", c.Timeout, "must be positive")
	}
	if m := c.Judge; m.URL != "" {
		if m.Provider != ProviderOpenAI && m.Provider != ProviderOllama {
			return config.Invalid("judge-provider", m.Provider, "want openai or ollama")
		}
		if m.Model == "" {
			return config.Invalid("judge-model", m.Model, "required with -judge-url")
		}
	}
	return nil
}

// Enabled says whether a model is configured.
func (m ModelConfig) Enabled() bool { return m.URL != "" }

// LLM builds the langchaingo model m names.
func (m ModelConfig) LLM() (llms.Model, error) {
	switch m.Provider {
	case ProviderOllama:
		return ollama.New(ollama.WithServerURL(m.URL), ollama.WithModel(m.Model))
	case ProviderOpenAI, "":
		// langchaingo insists on a token even for local servers.
		key := "none"
		if m.APIKeyEnv != "" {
			if key = os.Getenv(m.APIKeyEnv); key == "" {
				return nil, fmt.Errorf("%s is empty", m.APIKeyEnv)
			}
		}
		return openai.New(openai.WithBaseURL(m.URL), openai.WithModel(m.Model), openai.WithEmbeddingModel(m.Model), openai.WithToken(key))
	}
	return nil, fmt.Errorf("unknown model provider %q", m.Provider)
}
