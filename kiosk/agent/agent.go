// Package agent is `station agent`, the program on a kiosk PC between the
// kiosk page and the station's devices. It authenticates to the service
// with the station's device token and serves, on the loopback address and
// only to the kiosk page's origin, a small API: scan a document through
// SANE, or photograph it with the document camera, and send it straight
// to the OCR endpoint of the resident's visit (nothing is kept on the PC), print a paper through IPP and follow the job
// to its end, and read each peripheral's real state. It sends the
// station's heartbeats with those states, so the fleet console shows what
// is true and the kiosk page stops offering what does not work.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Agent is one kiosk PC's agent.
type Agent struct {
	// Server is the service's base URL; Token the station's device token.
	Server, Token string
	// Origins are the kiosk page's origins allowed to call the local API.
	Origins []string
	Scanner *Scanner // nil: the station has none
	Printer *Printer // nil: the station has none
	Camera  *Camera  // nil: the station has none
	// Version is reported in heartbeats.
	Version string
	Log     *slog.Logger

	http    *http.Client
	started time.Time
}

// Peripherals reads every peripheral's state now.
func (a *Agent) Peripherals(ctx context.Context) []kiosk.Peripheral {
	var out []kiosk.Peripheral
	if a.Scanner != nil {
		out = append(out, a.Scanner.Status(ctx))
	}
	if a.Printer != nil {
		out = append(out, a.Printer.Status(ctx))
	}
	if a.Camera != nil {
		out = append(out, a.Camera.Status())
	}
	return out
}

func (a *Agent) client() *http.Client {
	if a.http == nil {
		a.http = &http.Client{Timeout: 60 * time.Second}
	}
	return a.http
}

// call sends a request to the service as the station and decodes its JSON
// answer into out; a service error comes back as the apperr it carries.
func (a *Agent) call(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.Server, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := a.client().Do(req)
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "server_unreachable", "Trạm đang mất kết nối. Bác thử lại sau ít phút, hoặc chạm “Gọi cán bộ”.")
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(raw, &e)
		if e.Error.Code == "" {
			e.Error.Code, e.Error.Message = "server_error", "Có lỗi xảy ra. Bác thử lại hoặc chạm “Gọi cán bộ”."
		}
		return apperr.Wrap(fmt.Errorf("%s %s: %s", method, path, res.Status), kindOf(res.StatusCode), e.Error.Code, e.Error.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func kindOf(status int) apperr.Kind {
	switch {
	case status == http.StatusUnauthorized:
		return apperr.Unauthorized
	case status == http.StatusNotFound:
		return apperr.NotFound
	case status == http.StatusConflict:
		return apperr.Conflict
	case status < 500:
		return apperr.Invalid
	}
	return apperr.Unavailable
}

// Beat sends one heartbeat with the peripherals' states now and returns
// the interval the service asks for.
func (a *Agent) Beat(ctx context.Context) (time.Duration, error) {
	_, d, err := a.beat(ctx, a.Peripherals(ctx))
	return d, err
}

func (a *Agent) beat(ctx context.Context, p []kiosk.Peripheral) ([]kiosk.Peripheral, time.Duration, error) {
	if a.started.IsZero() {
		a.started = time.Now()
	}
	hb := kiosk.Heartbeat{AppVersion: a.Version, UptimeSeconds: int64(time.Since(a.started) / time.Second),
		Network: kiosk.Network{Type: "other"}, Peripherals: p}
	body, _ := json.Marshal(hb)
	var reply kiosk.HeartbeatReply
	if err := a.call(ctx, http.MethodPost, "/api/v1/kiosk/heartbeat", "application/json", bytes.NewReader(body), &reply); err != nil {
		return nil, 0, err
	}
	return p, time.Duration(reply.IntervalSeconds) * time.Second, nil
}

// Heartbeats beats until ctx ends: at the interval the service asks for
// (at most every), and at once when a peripheral's state changes, which
// it reads every look.
func (a *Agent) Heartbeats(ctx context.Context, every, look time.Duration) {
	var sent []kiosk.Peripheral
	var last time.Time
	for {
		now := a.Peripherals(ctx)
		if last.IsZero() || time.Since(last) >= every || !slices.Equal(now, sent) {
			p, d, err := a.beat(ctx, now)
			if err != nil {
				a.Log.Warn("heartbeat failed", "err", err)
			} else {
				sent, last = p, time.Now()
				if d > 0 && d < every {
					every = d
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(look):
		}
	}
}

// The devices a page can be read with.
const (
	FromScanner = "scanner"
	FromCamera  = "camera"
)

// ScanToVisit reads a page with the scanner or the camera (from) and sends
// it to the OCR endpoint for the resident's visit; it returns the OCR
// answer and the image for the page to show and attach. The image is never
// written to the PC's disk.
func (a *Agent) ScanToVisit(ctx context.Context, visitID, kind, from string) (json.RawMessage, []byte, error) {
	png, err := a.read(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	f, _ := w.CreateFormFile("file", "scan.png")
	f.Write(png)
	if visitID != "" {
		w.WriteField("kiosk_session_id", visitID)
	}
	if kind != "" {
		w.WriteField("kind", kind)
	}
	w.Close()
	var ocr json.RawMessage
	if err := a.call(ctx, http.MethodPost, "/api/v1/ocr", w.FormDataContentType(), &body, &ocr); err != nil {
		return nil, nil, err
	}
	return ocr, png, nil
}

// read takes the page's picture with the device named by from.
func (a *Agent) read(ctx context.Context, from string) ([]byte, error) {
	switch {
	case from == FromCamera && a.Camera != nil:
		return a.Camera.Capture(ctx)
	case from == FromCamera:
		return nil, errCameraMissing
	case a.Scanner != nil:
		return a.Scanner.Scan(ctx)
	}
	return nil, errScannerMissing
}
