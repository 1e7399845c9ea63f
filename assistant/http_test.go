package assistant

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/kiosktest"
)

// TestHTTP is the guide's API as a station calls it: one session started,
// then a table of requests with that session, another station's and none,
// then eval mode and slips. It is kept whole over 80 lines because the
// rows talk to the one session (a description moves it to confirm, and
// later rows read that state and print its slip); the later parts are
// already named steps.
func TestHTTP(t *testing.T) {
	svc := newTestService(t, nil, nil)
	h := httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, &Handler{Service: svc}).Handler()
	station, other := kiosktest.Add(t, svc.stations.(*kiosk.Service), ""), kiosktest.Add(t, svc.stations.(*kiosk.Service), "")
	visit, othersVisit := station.Visit(t), other.Visit(t)
	// do sends a request as station unless header sets Authorization.
	var do sender = func(method, path, body string, header ...string) (int, map[string]any, http.Header) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", station.Bearer())
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var out map[string]any
		b, _ := io.ReadAll(w.Body)
		json.Unmarshal(b, &out)
		return w.Code, out, w.Header()
	}

	code, started, _ := do("POST", "/api/v1/sessions", `{"kiosk_session_id":"`+visit+`"}`)
	id, _ := started["id"].(string)
	if code != http.StatusCreated || id == "" || started["stage"] != "identify" || started["status"] != "answered" || started["prompt_version"] != svc.PromptVersion() {
		t.Fatalf("start: %d %v", code, started)
	}
	msgs := "/api/v1/sessions/" + id + "/messages"

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		header     []string
		wantStatus int
		want       map[string]any // top-level fields of the body
		wantError  string         // error code
	}{
		{"no body starts a session", "POST", "/api/v1/sessions", "", nil, 201, map[string]any{"stage": "identify"}, ""},
		{"bad JSON", "POST", "/api/v1/sessions", `{"kiosk_session_id":`, nil, 400, nil, "body_invalid"},
		{"no device token", "POST", "/api/v1/sessions", "", []string{"Authorization", ""}, 401, nil, "device_token_invalid"},
		{"a wrong device token", "POST", "/api/v1/sessions", "", []string{"Authorization", "Bearer cst_forged"}, 401, nil, "device_token_invalid"},
		{"a station named in the body", "POST", "/api/v1/sessions", `{"station_id":"` + other.ID + `"}`, nil, 400, nil, "body_invalid"},
		{"another station's visit", "POST", "/api/v1/sessions", `{"kiosk_session_id":"` + othersVisit + `"}`, nil, 400, nil, "kiosk_session_invalid"},
		{"another station's session", "GET", "/api/v1/sessions/" + id, "", []string{"Authorization", other.Bearer()}, 404, nil, "session_not_found"},
		{"another station's session: messages", "POST", msgs, `{"text":"a"}`, []string{"Authorization", other.Bearer()}, 404, nil, "session_not_found"},
		{"a session without a token", "GET", "/api/v1/sessions/" + id, "", []string{"Authorization", ""}, 401, nil, "device_token_invalid"},
		{"unknown field", "POST", msgs, `{"texte":"a"}`, nil, 400, nil, "body_invalid"},
		{"two inputs at once", "POST", msgs, `{"text":"a","choice":"back"}`, nil, 400, nil, "message_invalid"},
		{"nothing to say", "POST", msgs, `{}`, nil, 400, nil, "message_invalid"},
		{"too long", "POST", msgs, `{"text":"` + strings.Repeat("a", 600) + `"}`, nil, 400, nil, "message_too_long"},
		{"unknown session", "POST", "/api/v1/sessions/00000000-0000-4000-8000-000000000000/messages", `{"text":"a"}`, nil, 404, nil, "session_not_found"},
		{"malformed session id", "GET", "/api/v1/sessions/abc", "", nil, 404, nil, "session_not_found"},
		{"a description", "POST", msgs, `{"text":"lam ho chieu"}`, nil, 200, map[string]any{"stage": "confirm", "status": "answered"}, ""},
		{"eval without token", "POST", msgs, `{"text":"lam ho chieu","eval":true}`, nil, 403, nil, "eval_forbidden"},
		{"eval with a wrong token", "POST", msgs + "?eval=1", `{"text":"lam ho chieu"}`, []string{"X-Eval-Token", "wrong"}, 403, nil, "eval_forbidden"},
		{"the state", "GET", "/api/v1/sessions/" + id, "", nil, 200, map[string]any{"stage": "confirm", "station_id": station.ID, "kiosk_session_id": visit}, ""},
		{"slip needs digits", "POST", "/api/v1/sessions/" + id + "/slip", "", nil, 400, nil, "slip_needs_digits"},
		{"slip", "POST", "/api/v1/sessions/" + id + "/slip", `{"last4":"4321"}`, nil, 201, nil, ""},
		{"resume with bad input", "POST", "/api/v1/sessions/resume", `{"code":"x","last4":"1"}`, nil, 400, nil, "slip_invalid"},
		{"resume unknown", "POST", "/api/v1/sessions/resume", `{"code":"AAAA-AAAA","last4":"4321"}`, nil, 404, nil, "slip_not_found"},
		{"QR of a bad code", "GET", "/api/v1/slips/xyz/qr.png", "", nil, 400, nil, "slip_code_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := do(tt.method, tt.path, tt.body, tt.header...)
			if code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", code, tt.wantStatus, body)
			}
			for k, v := range tt.want {
				if body[k] != v {
					t.Errorf("%s = %v, want %v", k, body[k], v)
				}
			}
			if tt.wantError != "" {
				e, _ := body["error"].(map[string]any)
				if e["code"] != tt.wantError || e["message"] == "" {
					t.Errorf("error %v, want code %s", body["error"], tt.wantError)
				}
			}
		})
	}

	httpEvalMode(t, do, msgs, svc.PromptVersion())
	httpSlipResumes(t, h, do, station, other, id)
}

// sender sends a request to the routes: method, path, a JSON body and
// header names and values; it returns the status, the decoded body and the
// headers.
type sender func(method, path, body string, header ...string) (int, map[string]any, http.Header)

// httpEvalMode: eval mode with the evaluator's token shows the pipeline's
// workings; without the flag, none.
func httpEvalMode(t *testing.T, do sender, msgs, promptVersion string) {
	// Eval mode with the evaluator's token shows the pipeline's workings.
	code, body, _ := do("POST", msgs, `{"text":"lam ho chieu","eval":true}`, "X-Eval-Token", testEvalToken)
	eval, _ := body["eval"].(map[string]any)
	if code != 200 || eval == nil || eval["route"] != "procedure_question" || eval["model"] != "none" || eval["prompt_version"] != promptVersion {
		t.Fatalf("eval: %d %v", code, body)
	}
	retrieved, _ := eval["retrieved"].([]any)
	steps, _ := eval["steps"].([]any)
	if len(retrieved) == 0 || retrieved[0].(map[string]any)["score"].(float64) <= 0 || len(steps) != 6 {
		t.Fatalf("eval retrieved %v steps %v", retrieved, steps)
	}
	for _, s := range steps {
		if _, ok := s.(map[string]any)["ms"].(float64); !ok {
			t.Fatalf("step without time: %v", s)
		}
	}
	// Without the flag, no eval details.
	if _, body, _ := do("POST", msgs, `{"text":"lam ho chieu"}`, "X-Eval-Token", testEvalToken); body["eval"] != nil {
		t.Fatal("eval details without the flag")
	}
}

// httpSlipResumes: the slip's QR is a PNG, and its code resumes the
// session at another station.
func httpSlipResumes(t *testing.T, h http.Handler, do sender, station, other *kiosktest.Station, id string) {
	// The slip's QR is a PNG; the code resumes the session.
	code, slip, _ := do("POST", "/api/v1/sessions/"+id+"/slip", `{"last4":"4321"}`)
	if code != 201 || slip["qr_png"] == "" {
		t.Fatalf("slip %d %v", code, slip)
	}
	req := httptest.NewRequest("GET", "/api/v1/slips/"+slip["code"].(string)+"/qr.png", nil)
	req.Header.Set("Authorization", station.Bearer())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !strings.HasPrefix(w.Body.String(), "\x89PNG") {
		t.Fatalf("QR %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	// Resumed at another station, the session moves there.
	code, resumed, _ := do("POST", "/api/v1/sessions/resume", `{"code":"`+slip["code"].(string)+`","last4":"4321"}`, "Authorization", other.Bearer())
	if code != 200 || resumed["id"] != id || resumed["station_id"] != other.ID {
		t.Fatalf("resume %d %v", code, resumed)
	}
	if cur, _ := resumed["current"].(map[string]any); cur["stage"] != "confirm" || cur["reply"] == "" {
		t.Fatalf("current %v", resumed["current"])
	}
}
