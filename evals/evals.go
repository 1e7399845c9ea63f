// Package evals runs prompt test suites against the assistant: conversations
// written in YAML (promptfoo's conventions, plus what a kiosk conversation
// needs), played against the deterministic guide or a model, in-process or
// over HTTP, with weighted assertions on every reply and on the end state.
// Evaluators change prompts, models and catalogue entries and learn at once
// what got better and what broke: a terminal summary, JSON, JUnit XML, an
// HTML report, a case-by-case comparison of two runs, and past runs kept in
// PostgreSQL.
package evals

import (
	"context"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
)

// Target is what a suite talks to: the assistant in-process or a running
// service. The runner only needs to start a conversation and send turns.
type Target interface {
	// Identity names what answers: the provider, its model (empty for the
	// deterministic guide) and the prompt version. It keys the answer cache.
	Identity(ctx context.Context) (Identity, error)
	// Start opens a new conversation (an assistant session).
	Start(ctx context.Context) (Conversation, error)
}

// Conversation is one assistant session seen from outside.
type Conversation interface {
	// Send plays one resident turn and returns the assistant's reply.
	Send(ctx context.Context, in Input) (Reply, error)
	// State returns the session as stored: stage, procedure and the fields
	// collected so far.
	State(ctx context.Context) (State, error)
}

// Ender is a conversation that holds something until it ends (an
// in-process lane, a test station's orders). The runner ends every
// conversation it started, so the next attempt starts afresh.
type Ender interface {
	End(ctx context.Context) error
}

// Identity names what answers a conversation.
type Identity struct {
	Provider      string `json:"provider"`
	Model         string `json:"model,omitempty"`
	PromptVersion string `json:"prompt_version,omitempty"`
}

// Input is one resident turn: typed text, a tapped choice, or a scanned
// image for OCR (a path to a fixture, relative to the suite file).
type Input struct {
	Text   string `json:"text,omitempty" yaml:"text,omitempty"`
	Choice string `json:"choice,omitempty" yaml:"choice,omitempty"`
	Image  string `json:"image,omitempty" yaml:"image,omitempty"`
}

// Reply is the assistant's answer to one turn, as the API returns it, plus
// what the eval mode adds and the time the turn took.
type Reply struct {
	Reply         string              `json:"reply"`
	Stage         string              `json:"stage"`
	Status        string              `json:"status"`
	Procedure     *Procedure          `json:"procedure,omitempty"`
	Choices       []Choice            `json:"choices,omitempty"`
	MissingFields []string            `json:"missing_fields,omitempty"`
	Citations     []Citation          `json:"citations,omitempty"`
	PromptVersion string              `json:"prompt_version,omitempty"`
	Eval          *assistant.EvalInfo `json:"eval,omitempty"` // the route, passages, model, tokens and steps
	// Payment and Bills are what the kiosk services gave: their amounts
	// are facts a reply may name.
	Payment *struct {
		Amount int64  `json:"amount"`
		Code   string `json:"code"`
	} `json:"payment,omitempty"`
	Bills []struct {
		Amount int64 `json:"amount"`
	} `json:"bills,omitempty"`
	// The codes the services issued (a dossier's or a report's tracking
	// code, a payment's code) are not facts about a procedure.
	Dossier *struct {
		TrackingCode string `json:"tracking_code"`
	} `json:"dossier,omitempty"`
	Report *struct {
		Code string `json:"code"`
	} `json:"report,omitempty"`
	DossierStatus *struct {
		TrackingCode string `json:"tracking_code"`
	} `json:"dossier_status,omitempty"`
	// Raw is the reply's JSON as received; json_schema assertions check it.
	Raw []byte `json:"-"`
	// LatencyMS is how long the turn took, measured by the runner (or
	// recorded when the answer was cached).
	LatencyMS float64 `json:"latency_ms"`
}

// Procedure is the procedure a conversation has chosen.
type Procedure struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Choice is a button the kiosk shows.
type Choice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Citation points at the catalogue entry and section a reply relies on.
type Citation struct {
	Slug    string `json:"slug"`
	Section string `json:"section"`
	Text    string `json:"text,omitempty"`
}

// State is a session's stored state.
type State struct {
	Stage     string           `json:"stage"`
	Procedure *Procedure       `json:"procedure,omitempty"`
	Fields    map[string]Field `json:"fields,omitempty"`
}

// Field is one collected value and where it came from.
type Field struct {
	Value      string `json:"value"`
	Provenance string `json:"provenance,omitempty"`
}

// Turn is one step of a transcript: what was sent and what came back, or
// the error that ended the conversation there.
type Turn struct {
	Input Input  `json:"input"`
	Reply Reply  `json:"reply"`
	Error string `json:"error,omitempty"`
}

// Transcript is a played conversation, the unit the cache stores.
type Transcript struct {
	Turns []Turn `json:"turns"`
	// States holds the state after each turn (by index) whose assertions
	// needed it; End is the state after the last turn.
	States map[int]State `json:"states,omitempty"`
	End    *State        `json:"end,omitempty"`
	At     time.Time     `json:"at"`
}
