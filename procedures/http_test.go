package procedures_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

// TestHTTPScenarios is the catalogue's read API, listing, one entry and
// search, as one table of requests against the shipped catalogue. It is
// over 80 lines because the table has a row per case, most with the few
// lines that check its answer; the loop after it is short.
func TestHTTPScenarios(t *testing.T) {
	c := procedurestest.Load(t, dbtest.New(t))
	srv := httpserver.New(httpserver.Options{}, &procedures.Handler{Catalogue: c})
	long := "/api/v1/search?q=" + strings.Repeat("a", 501)
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantCode   string // of an error
		check      func(t *testing.T, body map[string]any)
	}{
		{"list all", "/api/v1/procedures", 200, "", func(t *testing.T, b map[string]any) {
			if n := len(b["procedures"].([]any)); n != 47 {
				t.Errorf("%d procedures, want 47", n)
			}
		}},
		{"list services", "/api/v1/procedures?kind=service", 200, "", func(t *testing.T, b map[string]any) {
			ps := b["procedures"].([]any)
			if len(ps) != 11 {
				t.Errorf("%d services, want 11", len(ps))
			}
			for _, p := range ps {
				if p.(map[string]any)["kind"] != "service" {
					t.Errorf("not a service: %v", p)
				}
			}
		}},
		{"list a group", "/api/v1/procedures?group=residence&kind=procedure", 200, "", func(t *testing.T, b map[string]any) {
			if n := len(b["procedures"].([]any)); n != 10 {
				t.Errorf("%d residence procedures, want 10", n)
			}
		}},
		{"bad kind", "/api/v1/procedures?kind=thing", 400, "invalid_kind", nil},
		{"bad group", "/api/v1/procedures?group=DROP%20TABLE", 400, "invalid_group", nil},
		{"one entry", "/api/v1/procedures/residence.temporary-register", 200, "", func(t *testing.T, b map[string]any) {
			if b["name"] != "Đăng ký tạm trú" {
				t.Errorf("name %v", b["name"])
			}
			fields := b["form"].(map[string]any)["fields"].([]any)
			if fields[0].(map[string]any)["from_scan"] != "full_name" {
				t.Errorf("first field %v", fields[0])
			}
			fees := b["fees"].([]any)
			if fees[0].(map[string]any)["amount"] != 15000.0 || fees[0].(map[string]any)["online_amount"] != 7000.0 {
				t.Errorf("fees %v", fees)
			}
		}},
		{"no such entry", "/api/v1/procedures/residence.nothing", 404, "procedure_not_found", nil},
		{"search", "/api/v1/search?q=lam+lai+cccd+bi+mat&k=3", 200, "", func(t *testing.T, b map[string]any) {
			rs := b["results"].([]any)
			if len(rs) != 3 {
				t.Fatalf("%d results, want 3", len(rs))
			}
			r := rs[0].(map[string]any)
			if r["slug"] != "idcard.reissue" || r["name"] != "Cấp lại thẻ căn cước (bị mất)" || r["score"].(float64) <= 0 {
				t.Errorf("first result %v", r)
			}
			cit := r["citations"].([]any)[0].(map[string]any)
			if cit["section"] == "" || !strings.Contains(cit["text"].(string), "ă") && !strings.Contains(cit["text"].(string), "ư") {
				t.Errorf("citation should show the stored text with diacritics: %v", cit)
			}
		}},
		{"default k", "/api/v1/search?q=t%E1%BA%A1m%20tr%C3%BA", 200, "", func(t *testing.T, b map[string]any) {
			if n := len(b["results"].([]any)); n != 5 {
				t.Errorf("%d results, want the default 5", n)
			}
		}},
		{"empty query", "/api/v1/search?q=%20%20", 400, "query_empty", nil},
		{"only punctuation", "/api/v1/search?q=%3F%3F%3F", 200, "", func(t *testing.T, b map[string]any) {
			if n := len(b["results"].([]any)); n != 0 {
				t.Errorf("%d results for \"???\"", n)
			}
		}},
		{"missing query", "/api/v1/search", 400, "query_empty", nil},
		{"long query", long, 400, "query_too_long", nil},
		{"not UTF-8", "/api/v1/search?q=%FF%FEabc", 400, "query_invalid_encoding", nil},
		{"bad k", "/api/v1/search?q=ho+chieu&k=abc", 400, "invalid_k", nil},
		{"k too big", "/api/v1/search?q=ho+chieu&k=500", 400, "invalid_k", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body is not JSON: %s", rec.Body)
			}
			if tt.wantCode != "" {
				e := body["error"].(map[string]any)
				if e["code"] != tt.wantCode || e["message"] == "" {
					t.Errorf("error %v, want code %s with a message", e, tt.wantCode)
				}
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}
