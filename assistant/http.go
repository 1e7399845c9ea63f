package assistant

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// Handler serves the assistant's routes.
type Handler struct{ Service *Service }

// RegisterRoutes adds the assistant's API:
//
//	POST /api/v1/sessions                 open a session → {"id", …the welcome reply}
//	POST /api/v1/sessions/{id}/messages   {"text"} | {"choice"} | {"ocr_result_id"} → reply (SSE with Accept: text/event-stream)
//	GET  /api/v1/sessions/{id}            the session's state, turns and current question
//	POST /api/v1/sessions/{id}/slip       print a save-and-resume slip → {"code", "expires_at", "qr_png"}
//	POST /api/v1/sessions/resume          {"code", "last4"} → the session's state
//	GET  /api/v1/slips/{code}/qr.png      the slip's QR code
//	POST /api/v1/sessions/{id}/photos     a report's photo from the station's camera (multipart "photo", or the JPEG/PNG as the body) → {"photo_id", "count", "max"}
//	GET  /api/v1/sessions/{id}/payment/events  SSE: "payment" events as the session's order changes, until it is paid, expired or failed
//
// Every route is the station's: the caller is authenticated by the
// station's device token (Authorization: Bearer cst_…), the session is
// opened at that station, never at one the body names, and a session is
// served only to the station it belongs to. An evaluator holding the
// evaluator token (X-Eval-Token, no Authorization) plays sessions of no
// station.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	s := h.Service
	auth := s.authenticate()
	g := r.Group("/api/v1", httpserver.LimitBody(16<<10), auth)
	g.POST("/sessions", s.handleStart)
	g.POST("/sessions/resume", s.handleResume)
	g.GET("/slips/:code/qr.png", s.handleSlipQR)
	own := g.Group("/sessions/:id", s.requireOwnSession)
	own.GET("", s.handleGet)
	own.POST("/messages", s.handleMessage)
	own.POST("/slip", s.handleSlip)
	own.GET("/payment/events", s.handlePaymentEvents)
	r.POST("/api/v1/sessions/:id/photos", httpserver.LimitBody(MaxPhotoBytes+1<<20), auth, s.requireOwnSession, s.handlePhoto)
}

// authenticate is the stations' middleware, or a refusal of everyone
// when the service was built without one.
func (s *Service) authenticate() gin.HandlerFunc {
	if s.stations == nil {
		return httpserver.RefuseStations
	}
	return s.stations.RequireStation(s.cfg.evalToken())
}

// requireOwnSession serves a session only to the station it was opened at:
// another station's session is "not found", as if it did not exist.
func (s *Service) requireOwnSession(c *gin.Context) {
	station, err := s.store.StationOf(c.Request.Context(), c.Param("id"), s.now())
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	if station != httpserver.StationOf(c) {
		httpserver.Error(c, errSessionNotFound)
		return
	}
	c.Next()
}

// bindAtStation reads the request body into req, sets its station to the
// caller's (never one the body names) and checks the visit it names.
func (s *Service) bindAtStation(c *gin.Context, req any, station, visit *string) error {
	if err := bind(c, req); err != nil {
		return err
	}
	*station = httpserver.StationOf(c)
	return s.visitOf(c, *visit)
}

// visitOf checks the visit a request names is an open one of the caller's
// station; an evaluator has no visits.
func (s *Service) visitOf(c *gin.Context, visit string) error {
	visit = strings.TrimSpace(visit)
	if visit == "" {
		return nil
	}
	station := httpserver.StationOf(c)
	if station == "" {
		return apperr.New(apperr.Invalid, "kiosk_session_invalid", "Phiên làm việc không thuộc trạm này.")
	}
	return s.stations.CheckVisit(c.Request.Context(), station, visit)
}

// handlePhoto keeps a photo the kiosk's camera took for the report.
func (s *Service) handlePhoto(c *gin.Context) {
	name, data, err := readPhoto(c)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	r, err := s.AddPhoto(c.Request.Context(), c.Param("id"), name, data)
	httpserver.Reply(c, http.StatusCreated, r, err)
}

// readPhoto reads the multipart field "photo", or the whole body.
func readPhoto(c *gin.Context) (string, []byte, error) {
	tooLarge := func(err error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errPhotoTooLarge
		}
		return apperr.Wrap(err, apperr.Invalid, "photo_unreadable", "Không nhận được ảnh. Xin chụp lại.")
	}
	if !strings.HasPrefix(c.ContentType(), "multipart/") {
		data, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return "", nil, tooLarge(err)
		}
		return "", data, nil
	}
	fh, err := c.FormFile("photo")
	if err != nil {
		return "", nil, tooLarge(err)
	}
	if err := httpserver.FormText(c.Request.MultipartForm); err != nil {
		return "", nil, err
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, tooLarge(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return "", nil, tooLarge(err)
	}
	return fh.Filename, data, nil
}

// handlePaymentEvents streams the state of the session's payment order, so
// the kiosk shows the money arriving without asking; when the order
// settles the kiosk sends the "check" choice for the receipt turn. The
// stream reads the replica's one listener (it holds no connection of the
// pool), counts against the station's and the address's stream caps, and
// ends when the order settles, the kiosk leaves or the replica stops.
func (s *Service) handlePaymentEvents(c *gin.Context) {
	release, err := s.streams.Open(httpserver.StationOf(c), c.ClientIP())
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	defer release()
	ctx, cancel := context.WithCancel(c.Request.Context())
	defer cancel()
	// The watcher hands each state over unbuffered, so every state is
	// written before the watcher's end is seen.
	orders, done := make(chan *PaymentOrder), make(chan error, 1)
	go func() {
		done <- s.WatchPayment(ctx, c.Param("id"), func(p *PaymentOrder) bool {
			select {
			case orders <- p:
				return p.State == PaymentPending
			case <-ctx.Done():
				return false
			}
		})
	}()
	keepalive := time.NewTicker(httpserver.DefaultKeepalive)
	defer keepalive.Stop()
	started := false
	for {
		select {
		case p := <-orders:
			httpserver.StartEvents(c)
			started = true
			c.SSEvent("payment", p)
		case err := <-done:
			if err != nil && !started {
				httpserver.Error(c, err)
			}
			return
		case <-keepalive.C:
			if !started {
				continue
			}
			httpserver.Keepalive(c)
		}
		c.Writer.Flush()
	}
}

// bind reads an optional JSON body into v.
func bind(c *gin.Context, v any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty body sent without a length
		}
		return httpserver.BodyError(err)
	}
	return nil
}

type startResponse struct {
	ID string `json:"id"`
	*Reply
}

func (s *Service) handleStart(c *gin.Context) {
	var req StartRequest
	if err := s.bindAtStation(c, &req, &req.StationID, &req.KioskSessionID); err != nil {
		httpserver.Error(c, err)
		return
	}
	reply, err := s.Start(c.Request.Context(), req)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, startResponse{ID: reply.SessionID, Reply: reply})
}

func (s *Service) handleGet(c *gin.Context) {
	v, err := s.Get(c.Request.Context(), c.Param("id"))
	httpserver.Reply(c, http.StatusOK, v, err)
}

type messageRequest struct {
	Message
	// Eval asks for the pipeline's workings; honoured only with the
	// evaluator token in X-Eval-Token.
	Eval bool `json:"eval,omitempty"`
}

func (s *Service) handleMessage(c *gin.Context) {
	var req messageRequest
	if err := bind(c, &req); err != nil {
		httpserver.Error(c, err)
		return
	}
	if req.Eval || c.Query("eval") == "1" {
		if !s.evalAllowed(c.GetHeader("X-Eval-Token")) {
			httpserver.Error(c, apperr.New(apperr.Forbidden, "eval_forbidden", "Chế độ đánh giá cần mã của người đánh giá."))
			return
		}
		req.Eval = true
	}
	opts := SendOptions{Eval: req.Eval}
	if !strings.Contains(c.GetHeader("Accept"), "text/event-stream") {
		reply, err := s.Send(c.Request.Context(), c.Param("id"), req.Message, opts)
		httpserver.Reply(c, http.StatusOK, reply, err)
		return
	}
	// Server-sent events: "token" events as a model streams, then one
	// "reply" event with the whole reply, which is authoritative (the
	// output check may have replaced what was streamed). Errors before
	// the stream starts are plain JSON errors.
	sse := &sseWriter{c: c}
	opts.OnToken = func(text string) { sse.event("token", gin.H{"text": text}) }
	reply, err := s.Send(c.Request.Context(), c.Param("id"), req.Message, opts)
	if err != nil {
		if !sse.started {
			httpserver.Error(c, err)
			return
		}
		e := apperr.From(err)
		httpserver.LoggerFrom(c).Warn("stream failed", "code", apperr.CodeOf(e), "cause", e.Error())
		sse.event("error", httpserver.ErrorBody{Error: httpserver.ErrorDetail{Code: apperr.CodeOf(e), Message: e.Message, RequestID: httpserver.RequestID(c)}})
		return
	}
	sse.event("reply", reply)
}

// sseWriter writes server-sent events with Gin's SSE support, starting
// the stream on the first.
type sseWriter struct {
	c       *gin.Context
	started bool
}

func (w *sseWriter) event(name string, data any) {
	httpserver.StartEvents(w.c)
	w.started = true
	w.c.SSEvent(name, data)
	w.c.Writer.Flush()
}

func (s *Service) evalAllowed(token string) bool {
	want := s.cfg.evalToken()
	return want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

func (s *Service) handleSlip(c *gin.Context) {
	var req struct {
		Last4 string `json:"last4"`
	}
	if err := bind(c, &req); err != nil {
		httpserver.Error(c, err)
		return
	}
	slip, err := s.SaveSlip(c.Request.Context(), c.Param("id"), req.Last4)
	httpserver.Reply(c, http.StatusCreated, slip, err)
}

func (s *Service) handleResume(c *gin.Context) {
	var req ResumeRequest
	if err := s.bindAtStation(c, &req, &req.StationID, &req.KioskSessionID); err != nil {
		httpserver.Error(c, err)
		return
	}
	client := c.ClientIP()
	if req.StationID != "" {
		client = "station:" + req.StationID
	}
	v, err := s.Resume(c.Request.Context(), req, client)
	httpserver.Reply(c, http.StatusOK, v, err)
}

func (s *Service) handleSlipQR(c *gin.Context) {
	png, err := SlipQR(c.Param("code"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, "image/png", png)
}
