package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/procedures"
)

// HTTPTarget plays conversations against a running service through its
// public API: POST /api/v1/sessions, POST /api/v1/sessions/{id}/messages,
// GET /api/v1/sessions/{id}, and POST /api/v1/ocr for fixture images. With
// an evaluator token it asks for the eval mode, whose replies carry the
// retrieved chunks, the route label and timings.
type HTTPTarget struct {
	BaseURL   string
	Client    *http.Client
	EvalToken string
	// Provider names the target in reports and cache keys.
	Provider string
	// Model is the model the service is configured with, as the suite's
	// provider config states it; the service does not say until a turn
	// uses the model. Answers are cached only when it is known.
	Model string
	// Stations, when set, are the test stations conversations start at,
	// so that the flow suites file, pay and report as at a real station.
	// A station serves one visit at a time, as at a kiosk: a conversation
	// takes a free one and gives it back when it ends.
	Stations chan *TestStation
}

// ErrNoTestStations says a service offers no test stations.
var ErrNoTestStations = errors.New("the service offers no test stations (POST /api/v1/evals/stations): suites that need a station will fail")

// AddTestStation asks the service at baseURL for a test station to play
// at (POST /api/v1/evals/stations, with the evaluator token); Retire
// revokes it when the run ends.
func AddTestStation(ctx context.Context, baseURL, evalToken string) (*TestStation, error) {
	t := &HTTPTarget{BaseURL: baseURL, EvalToken: evalToken}
	var st TestStation
	if err := t.doJSON(ctx, http.MethodPost, "/api/v1/evals/stations", map[string]any{}, &st); err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			return nil, ErrNoTestStations
		}
		return nil, fmt.Errorf("a test station: %w", err)
	}
	return &st, nil
}

// RetireTestStation revokes a test station.
func RetireTestStation(ctx context.Context, baseURL, evalToken string, st *TestStation) error {
	t := &HTTPTarget{BaseURL: baseURL, EvalToken: evalToken}
	return t.do(ctx, http.MethodDelete, "/api/v1/evals/stations/"+url.PathEscape(st.ID), nil, "", nil)
}

// Identity opens a session to learn the prompt version the service uses.
func (t *HTTPTarget) Identity(ctx context.Context) (Identity, error) {
	id := Identity{Provider: t.Provider, Model: t.Model}
	if id.Provider == "" {
		id.Provider = ProviderHTTP
	}
	conv, err := t.start(ctx)
	if err != nil {
		return id, err
	}
	defer conv.End(ctx)
	var st struct {
		PromptVersion string `json:"prompt_version"`
	}
	if err := t.send(ctx, http.MethodGet, "/api/v1/sessions/"+url.PathEscape(conv.id), nil, "", conv.station, &st); err != nil {
		return id, err
	}
	id.PromptVersion = st.PromptVersion
	return id, nil
}

// Start creates a session.
func (t *HTTPTarget) Start(ctx context.Context) (Conversation, error) { return t.start(ctx) }

func (t *HTTPTarget) start(ctx context.Context) (*httpConversation, error) {
	var created struct {
		ID string `json:"id"`
	}
	conv := &httpConversation{target: t}
	body := map[string]any{}
	if t.Stations != nil {
		// As the kiosk page does: a visit at the station, then the
		// assistant's session within it.
		select {
		case conv.station = <-t.Stations:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a free test station: %w", ctx.Err())
		}
		var visit struct {
			ID string `json:"id"`
		}
		if err := conv.do(ctx, http.MethodPost, "/api/v1/kiosk/sessions", nil, &visit); err != nil {
			t.Stations <- conv.station
			return nil, err
		}
		conv.visit = visit.ID
		// The station is the one whose token the requests carry.
		body["kiosk_session_id"] = visit.ID
	}
	if err := conv.do(ctx, http.MethodPost, "/api/v1/sessions", body, &created); err != nil {
		conv.End(ctx)
		return nil, err
	}
	if created.ID == "" {
		conv.End(ctx)
		return nil, fmt.Errorf("POST /api/v1/sessions returned no id")
	}
	conv.id = created.ID
	return conv, nil
}

type httpConversation struct {
	target  *HTTPTarget
	id      string
	station *TestStation // the test station it holds, if any
	visit   string       // the visit there
}

// do sends a request as the conversation's station.
func (c *httpConversation) do(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.target.send(ctx, method, path, bytes.NewReader(b), "application/json", c.station, out)
}

// End finishes the visit at the test station, as the kiosk does when the
// resident leaves, lets go of the orders it left pending so the next
// attempt can pay the same bill, and frees the station.
func (c *httpConversation) End(ctx context.Context) error {
	if c.station == nil {
		return nil
	}
	defer func() { c.target.Stations <- c.station }()
	if c.visit == "" {
		return nil
	}
	// Both run even when the attempt's context has ended.
	ctx = context.WithoutCancel(ctx)
	err := c.do(ctx, http.MethodPost, "/api/v1/kiosk/sessions/"+url.PathEscape(c.visit)+"/finish", nil, nil)
	path := "/api/v1/evals/stations/" + url.PathEscape(c.station.ID) + "/visits/" + url.PathEscape(c.visit) + "/end"
	if err2 := c.target.do(ctx, http.MethodPost, path, nil, "", nil); err == nil {
		err = err2
	}
	return err
}

// Send posts one turn; an image is first sent to the OCR endpoint and the
// turn carries the recognition's id.
func (c *httpConversation) Send(ctx context.Context, in Input) (Reply, error) {
	body := map[string]any{}
	switch {
	case in.Text != "":
		body["text"] = in.Text
	case in.Choice != "":
		body["choice"] = in.Choice
	case in.Image != "":
		id, err := c.target.recognise(ctx, in.Image, c.station)
		if err != nil {
			return Reply{}, err
		}
		body["ocr_result_id"] = id
	}
	var raw json.RawMessage
	path := "/api/v1/sessions/" + url.PathEscape(c.id) + "/messages"
	if c.target.EvalToken != "" {
		path += "?eval=1"
	}
	if err := c.do(ctx, http.MethodPost, path, body, &raw); err != nil {
		return Reply{}, err
	}
	var r Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		return Reply{}, fmt.Errorf("reply is not the API's shape: %w", err)
	}
	r.Raw = raw
	return r, nil
}

// State reads the session.
func (c *httpConversation) State(ctx context.Context) (State, error) {
	var raw json.RawMessage
	if err := c.target.send(ctx, http.MethodGet, "/api/v1/sessions/"+url.PathEscape(c.id), nil, "", c.station, &raw); err != nil {
		return State{}, err
	}
	return decodeState(raw)
}

// decodeState reads a session's state; fields may come as a map of name to
// {value, provenance} or as a list of {name, value, provenance}.
func decodeState(raw []byte) (State, error) {
	var doc struct {
		Stage     string          `json:"stage"`
		Procedure *Procedure      `json:"procedure"`
		Fields    json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return State{}, fmt.Errorf("session state: %w", err)
	}
	st := State{Stage: doc.Stage, Procedure: doc.Procedure, Fields: map[string]Field{}}
	if len(doc.Fields) == 0 || string(doc.Fields) == "null" {
		return st, nil
	}
	if json.Unmarshal(doc.Fields, &st.Fields) == nil {
		return st, nil
	}
	var list []struct {
		Name string `json:"name"`
		Field
	}
	if err := json.Unmarshal(doc.Fields, &list); err != nil {
		return State{}, fmt.Errorf("session fields: %w", err)
	}
	for _, f := range list {
		st.Fields[f.Name] = f.Field
	}
	return st, nil
}

// recognise uploads a fixture image to the OCR endpoint.
func (t *HTTPTarget) recognise(ctx context.Context, path string, station *TestStation) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("fixture image: %w", err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", filepath.Base(path))
	if err != nil {
		return "", err
	}
	part.Write(data)
	if err := mw.Close(); err != nil {
		return "", err
	}
	var res struct {
		ID string `json:"id"`
	}
	if err := t.send(ctx, http.MethodPost, "/api/v1/ocr", &body, mw.FormDataContentType(), station, &res); err != nil {
		return "", fmt.Errorf("OCR of %s: %w", filepath.Base(path), err)
	}
	return res.ID, nil
}

func (t *HTTPTarget) doJSON(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return t.do(ctx, method, path, bytes.NewReader(b), "application/json", out)
}

// do sends one request and decodes the JSON answer into out; an error
// answer becomes an error naming its status and code.
func (t *HTTPTarget) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	return t.send(ctx, method, path, body, contentType, nil, out)
}

// send is do as a station, with its device token, when station is set.
func (t *HTTPTarget) send(ctx context.Context, method, path string, body io.Reader, contentType string, station *TestStation, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(t.BaseURL, "/")+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if t.EvalToken != "" {
		req.Header.Set("X-Eval-Token", t.EvalToken)
	}
	if station != nil {
		req.Header.Set("Authorization", "Bearer "+station.Token)
	}
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e httpserver.ErrorBody
		json.Unmarshal(data, &e)
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// APIError is an error answer of the service.
type APIError struct {
	Method, Path  string
	Status        int
	Code, Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// RemoteCatalogue reads the catalogue a running service answers from
// (GET /api/v1/procedures, then each entry), so that facts_from_catalogue
// checks a service's replies against that service's own entries.
func RemoteCatalogue(ctx context.Context, baseURL string) ([]procedures.Entry, error) {
	t := &HTTPTarget{BaseURL: baseURL}
	var list struct {
		Procedures []struct {
			Slug string `json:"slug"`
		} `json:"procedures"`
	}
	if err := t.do(ctx, http.MethodGet, "/api/v1/procedures", nil, "", &list); err != nil {
		return nil, err
	}
	entries := make([]procedures.Entry, len(list.Procedures))
	for i, p := range list.Procedures {
		if err := t.do(ctx, http.MethodGet, "/api/v1/procedures/"+url.PathEscape(p.Slug), nil, "", &entries[i]); err != nil {
			return nil, err
		}
	}
	return entries, nil
}
