package agent

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// Handler is the local API the kiosk page calls:
//
//	GET  /v1/status  {"peripherals":[…]}         what works now
//	POST /v1/scan    {"kiosk_session_id","kind","device"} → {"ocr":{…},"image_png":"base64"}
//	POST /v1/print   a PDF (application/pdf)     → {"job_id","state":"completed"}
//
// Only the loopback address may call it, and only from one of Origins (a
// browser sends the page's origin; anything else is refused with 403), so
// no other page or machine drives the station's devices.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"peripherals": a.Peripherals(r.Context())})
	})
	mux.HandleFunc("POST /v1/scan", a.scan)
	mux.HandleFunc("POST /v1/print", a.print)
	return a.guard(mux)
}

func (a *Agent) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		origin := r.Header.Get("Origin")
		if ip == nil || !ip.IsLoopback() || !slices.Contains(a.Origins, origin) {
			writeError(w, apperr.New(apperr.Forbidden, "agent_origin_refused", "Chỉ màn hình của trạm được dùng thiết bị của trạm."))
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Vary", "Origin")
		h.Set("Cache-Control", "no-store")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			// Chromium's Private Network Access asks before a page reaches
			// the loopback address.
			h.Set("Access-Control-Allow-Private-Network", "true")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *Agent) scan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		KioskSessionID string `json:"kiosk_session_id"`
		Kind           string `json:"kind"`
		Device         string `json:"device"` // "scanner" (the default) or "camera"
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, httpserver.BodyError(err))
		return
	}
	ocr, png, err := a.ScanToVisit(r.Context(), in.KioskSessionID, in.Kind, in.Device)
	if err != nil {
		a.Log.Warn("scan failed", "code", apperr.CodeOf(err), "err", err)
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ocr": ocr, "image_png": base64.StdEncoding.EncodeToString(png)})
}

// MaxPrint is the largest paper the agent prints.
const MaxPrint = 10 << 20

func (a *Agent) print(w http.ResponseWriter, r *http.Request) {
	if a.Printer == nil {
		writeError(w, errPrinterOffline)
		return
	}
	pdf, err := io.ReadAll(io.LimitReader(r.Body, MaxPrint+1))
	if err != nil || len(pdf) > MaxPrint || !slices.Equal(pdf[:min(5, len(pdf))], []byte("%PDF-")) {
		writeError(w, apperr.New(apperr.Invalid, "print_not_pdf", "Giấy tờ cần in không hợp lệ."))
		return
	}
	start := time.Now()
	id, err := a.Printer.Print(r.Context(), pdf, "citizenstation "+start.Format(time.RFC3339))
	if err != nil {
		a.Log.Warn("print failed", "job", id, "code", apperr.CodeOf(err), "err", err)
		writeError(w, err)
		return
	}
	a.Log.Info("printed", "job", id, "bytes", len(pdf), "took", time.Since(start))
	writeJSON(w, http.StatusOK, map[string]any{"job_id": id, "state": "completed"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	e := apperr.From(err)
	writeJSON(w, httpserver.Status(e), map[string]any{"error": map[string]string{"code": apperr.CodeOf(e), "message": e.Message}})
}
