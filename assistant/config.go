package assistant

import (
	"flag"
	"net/url"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Config holds the assistant's settings; each is a flag of station serve
// and a STATION_* variable.
type Config struct {
	// LLMProvider is none (the deterministic guide only), openai (any
	// OpenAI-compatible server: vLLM, llama.cpp, LM Studio, hosted APIs)
	// or ollama.
	LLMProvider string
	LLMURL      string
	LLMModel    string
	LLMAPIKey   string
	LLMTimeout  time.Duration
	LLMRetries  int
	// LLMPII is mask (names, dates of birth, ID and phone numbers become
	// placeholders before text reaches the model) or allow.
	LLMPII string
	// EvalToken enables eval mode for requests that carry it in
	// X-Eval-Token; empty disables eval mode.
	EvalToken string
	// evalShared is the -eval-token flag when another part registered it
	// first (the evals package): both read the one variable.
	evalShared flag.Value
	// RelevanceFloor is the search score under which a passage is not
	// used to answer.
	RelevanceFloor float64
	SearchK        int
	// SessionTTL is how long an idle session lives; SlipTTL how long a
	// session saved with a slip can be resumed.
	SessionTTL time.Duration
	SlipTTL    time.Duration
	Prompts    string
}

// RegisterFlags adds the assistant's settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.LLMProvider, "llm-provider", "none", "language model: none (deterministic guide), openai (OpenAI-compatible) or ollama")
	fs.StringVar(&c.LLMURL, "llm-url", "", "model server base URL, e.g. http://127.0.0.1:11434 (ollama) or http://127.0.0.1:8000/v1 (openai)")
	fs.StringVar(&c.LLMModel, "llm-model", "", "model name")
	fs.StringVar(&c.LLMAPIKey, "llm-api-key", "", "API key for the model server, when it needs one")
	fs.DurationVar(&c.LLMTimeout, "llm-timeout", 20*time.Second, "time limit of one model call; after it the guide answers without the model")
	fs.IntVar(&c.LLMRetries, "llm-retries", 2, "retries of a failed model call, with exponential backoff")
	fs.StringVar(&c.LLMPII, "llm-pii", "mask", "mask: names, dates of birth, ID and phone numbers become placeholders before text reaches the model; allow: sent as typed")
	if f := fs.Lookup("eval-token"); f != nil {
		c.evalShared = f.Value
	} else {
		fs.StringVar(&c.EvalToken, "eval-token", "", "token evaluators send in X-Eval-Token to get eval details with each reply (empty: eval mode off)")
	}
	fs.Float64Var(&c.RelevanceFloor, "assistant-relevance-floor", 0, "search score (reciprocal rank fusion) under which a result is not used; results above it must also share words with the question")
	fs.IntVar(&c.SearchK, "assistant-search-k", 5, "passages retrieved per question")
	fs.DurationVar(&c.SessionTTL, "assistant-session-ttl", 2*time.Hour, "how long an idle assistant session can be resumed by id")
	fs.DurationVar(&c.SlipTTL, "assistant-slip-ttl", 72*time.Hour, "how long a session saved with a printed slip can be resumed")
	fs.StringVar(&c.Prompts, "assistant-prompts", DefaultPrompts, "prompt set: a shipped one (a directory of assistant/prompts) or a directory on disk (a path with a slash)")
}

// Defaults returns the settings RegisterFlags gives, for tests and tools.
func Defaults() Config {
	return config.Defaults[Config]()
}

// Validate checks the settings.
func (c *Config) Validate() error {
	switch c.LLMProvider {
	case "none":
	case "openai", "ollama":
		u, err := url.Parse(c.LLMURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return config.Invalid("llm-url", c.LLMURL, "want an http(s) URL of the model server when llm-provider is "+c.LLMProvider)
		}
		if c.LLMModel == "" {
			return config.Invalid("llm-model", c.LLMModel, "name the model when llm-provider is "+c.LLMProvider)
		}
	default:
		return config.Invalid("llm-provider", c.LLMProvider, "want none, openai or ollama")
	}
	if c.LLMPII != "mask" && c.LLMPII != "allow" {
		return config.Invalid("llm-pii", c.LLMPII, "want mask or allow")
	}
	if c.LLMTimeout <= 0 {
		return config.Invalid("llm-timeout", c.LLMTimeout, "must be positive")
	}
	if c.LLMRetries < 0 || c.LLMRetries > 5 {
		return config.Invalid("llm-retries", c.LLMRetries, "want 0 to 5")
	}
	if c.RelevanceFloor < 0 {
		return config.Invalid("assistant-relevance-floor", c.RelevanceFloor, "must not be negative")
	}
	if c.SearchK < 1 || c.SearchK > 20 {
		return config.Invalid("assistant-search-k", c.SearchK, "want 1 to 20")
	}
	if c.SessionTTL < time.Minute {
		return config.Invalid("assistant-session-ttl", c.SessionTTL, "want at least a minute")
	}
	if c.SlipTTL < c.SessionTTL {
		return config.Invalid("assistant-slip-ttl", c.SlipTTL, "must not be shorter than the session TTL")
	}
	if t := c.evalToken(); t != "" && len(t) < 16 {
		return config.Invalid("eval-token", "…", "want at least 16 characters")
	}
	if _, err := LoadPrompts(c.Prompts); err != nil {
		return config.Invalid("assistant-prompts", c.Prompts, err.Error())
	}
	return nil
}

// evalToken is the evaluator token in force.
func (c *Config) evalToken() string {
	if c.evalShared != nil {
		return c.evalShared.String()
	}
	return c.EvalToken
}
