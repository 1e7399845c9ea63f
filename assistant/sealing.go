package assistant

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/seal"
)

// The contexts bind each sealed value to its session and its place in it,
// so a value copied to another row or column does not open. Session ids
// are written in lower case whatever the caller sent.
func stateContext(session string) string { return "assistant/" + strings.ToLower(session) + "/state" }

func fieldContext(session, name string) string {
	return "assistant/" + strings.ToLower(session) + "/field/" + name
}

func turnContext(session, seq, part string) string {
	return "assistant/" + strings.ToLower(session) + "/turn/" + seq + "/" + part
}

func photoContext(session string) string { return "assistant/" + strings.ToLower(session) + "/photo" }

// SealedColumns name the assistant's sealed columns with the columns their
// contexts are made of and how, for station rekey.
func SealedColumns() []seal.Column {
	return []seal.Column{
		{Table: "assistant_sessions", Column: "state_sealed", Keys: []string{"id::text"},
			Context: func(k []string) string { return stateContext(k[0]) }},
		{Table: "assistant_fields", Column: "value_sealed", Keys: []string{"session_id::text", "name"},
			Context: func(k []string) string { return fieldContext(k[0], k[1]) }},
		{Table: "assistant_turns", Column: "input_sealed", Keys: []string{"session_id::text", "seq::text"},
			Context: func(k []string) string { return turnContext(k[0], k[1], "input") }},
		{Table: "assistant_turns", Column: "reply_sealed", Keys: []string{"session_id::text", "seq::text"},
			Context: func(k []string) string { return turnContext(k[0], k[1], "reply") }},
		{Table: "assistant_photos", Column: "data_sealed", Keys: []string{"session_id::text"},
			Context: func(k []string) string { return photoContext(k[0]) }},
	}
}

func (s *Store) sealState(session string, state *State) ([]byte, error) {
	plain, err := json.Marshal(state)
	if err != nil {
		return nil, err
	}
	return s.seal.Seal(string(plain), stateContext(session)), nil
}

func (s *Store) openState(session string, sealed []byte, state *State) error {
	plain, err := s.seal.Open(sealed, stateContext(session))
	if err != nil {
		return fmt.Errorf("state of session %s: %w", session, err)
	}
	if err := json.Unmarshal([]byte(plain), state); err != nil {
		return fmt.Errorf("state of session %s: %w", session, err)
	}
	return nil
}

// openFields opens the fields Get reads as one JSON object of name to
// value sealed (base64), provenance, confidence and confirmation.
func (s *Store) openFields(session string, raw []byte) (map[string]Value, error) {
	var sealed map[string]struct {
		Sealed []byte `json:"sealed"`
		Value
	}
	if err := json.Unmarshal(raw, &sealed); err != nil {
		return nil, fmt.Errorf("session fields: %w", err)
	}
	out := make(map[string]Value, len(sealed))
	for name, f := range sealed {
		v, err := s.seal.Open(f.Sealed, fieldContext(session, name))
		if err != nil {
			return nil, fmt.Errorf("field %s of session %s: %w", name, session, err)
		}
		f.Value.Value = v
		out[name] = f.Value
	}
	return out, nil
}

func (s *Store) openTurn(session string, seq int, input, reply []byte) (in, out string, err error) {
	if in, err = s.seal.Open(input, turnContext(session, strconv.Itoa(seq), "input")); err == nil {
		out, err = s.seal.Open(reply, turnContext(session, strconv.Itoa(seq), "reply"))
	}
	if err != nil {
		return "", "", fmt.Errorf("turn %d of session %s: %w", seq, session, err)
	}
	return in, out, nil
}

// plainBatches are the columns of the guide's tables stored in the clear
// before migration 01900, each with its name for errors.
var plainBatches = []struct {
	name string
	seal.Plain
}{
	{"sessions", seal.Plain{
		Select: `SELECT id::text, stage, state::text FROM assistant_sessions WHERE state IS NOT NULL LIMIT 200 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE assistant_sessions SET state_sealed = $3, state = NULL WHERE id = $1::uuid AND stage = $2`,
		Seal:   func(s *seal.Sealer, id, _, plain string) ([]byte, error) { return s.Seal(plain, stateContext(id)), nil },
	}},
	{"fields", seal.Plain{
		Select: `SELECT session_id::text, name, value FROM assistant_fields WHERE value IS NOT NULL LIMIT 200 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE assistant_fields SET value_sealed = $3, value = NULL WHERE session_id = $1::uuid AND name = $2`,
		Seal: func(s *seal.Sealer, id, name, plain string) ([]byte, error) {
			return s.Seal(plain, fieldContext(id, name)), nil
		},
	}},
	{"turn inputs", seal.Plain{
		Select: `SELECT session_id::text, seq::text, input FROM assistant_turns WHERE input IS NOT NULL LIMIT 200 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE assistant_turns SET input_sealed = $3, input = NULL WHERE session_id = $1::uuid AND seq = $2::int`,
		Seal: func(s *seal.Sealer, id, seq, plain string) ([]byte, error) {
			return s.Seal(plain, turnContext(id, seq, "input")), nil
		},
	}},
	{"turn replies", seal.Plain{
		Select: `SELECT session_id::text, seq::text, reply FROM assistant_turns WHERE reply IS NOT NULL LIMIT 200 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE assistant_turns SET reply_sealed = $3, reply = NULL WHERE session_id = $1::uuid AND seq = $2::int`,
		Seal: func(s *seal.Sealer, id, seq, plain string) ([]byte, error) {
			return s.Seal(plain, turnContext(id, seq, "reply")), nil
		},
	}},
	{"photos", seal.Plain{
		Select: `SELECT id::text, session_id::text, encode(data, 'base64') FROM assistant_photos WHERE data IS NOT NULL LIMIT 20 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE assistant_photos SET data_sealed = $3, data = NULL WHERE id = $1::uuid AND session_id = $2::uuid`,
		Seal: func(s *seal.Sealer, _, session, plain string) ([]byte, error) {
			data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(plain, "\n", ""))
			return s.Seal(string(data), photoContext(session)), err
		},
	}},
}

// SealPlain seals what the guide's tables held in the clear before
// migration 01900, in short batches; it is part of migration 01901
// (app.SealPlain), after which 01902 drops the plain columns.
func SealPlain(ctx context.Context, pool *pgxpool.Pool, sealer *seal.Sealer) (int, error) {
	total := 0
	for _, b := range plainBatches {
		n, err := sealer.SealPlain(ctx, pool, b.Plain)
		total += n
		if err != nil {
			return total, fmt.Errorf("seal the guide's %s: %w", b.name, err)
		}
	}
	return total, nil
}
