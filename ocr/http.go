package ocr

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// Handler serves the OCR routes.
type Handler struct{ Service *Service }

// RegisterRoutes adds the OCR endpoints:
//
//	POST /api/v1/ocr       multipart: file, optional kind, kiosk_session_id
//	                       and procedure (a catalogue slug whose form
//	                       fields a form's labels are matched to)
//
// A stored result is never served back over HTTP: it holds a resident's
// personal data and is read only inside the service (by the assistant, for
// its ocr_result_id), so no unauthenticated route can leak it.
//
// Only a station (by its device token) or an evaluator may upload, and a
// kiosk_session_id must be an open visit of that station.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	s := h.Service
	auth := httpserver.RefuseStations
	if s.Stations != nil {
		auth = s.Stations.RequireStation(s.EvalToken)
	}
	// The multipart envelope around a 15 MB scan needs a little room.
	r.POST("/api/v1/ocr", httpserver.LimitBody(MaxBytes+1<<20), auth, s.handleRead)
}

// response is the JSON of a result as the API returns it.
type response struct {
	ID         string           `json:"id"`
	Kind       Kind             `json:"kind"`
	Fields     map[string]Field `json:"fields"`
	Text       string           `json:"text"`
	Lines      []Line           `json:"lines"`
	Warnings   []string         `json:"warnings"`
	DurationMS int64            `json:"duration_ms"`
	// Shown are the fields as the kiosk shows them to the resident.
	Shown []Shown `json:"shown"`
}

func responseOf(res *Result) response {
	lines := res.Lines
	if lines == nil {
		lines = []Line{}
	}
	warnings := res.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return response{ID: res.ID, Kind: res.Kind, Fields: res.Fields, Text: res.Text, Lines: lines,
		Warnings: warnings, DurationMS: res.DurationMS, Shown: res.ShownFields()}
}

var errNoFile = apperr.New(apperr.Invalid, "file_missing",
	"Chưa có ảnh giấy tờ. Xin gửi ảnh trong trường \"file\".")

func (s *Service) handleRead(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpserver.Error(c, errTooBig)
			return
		}
		httpserver.Error(c, apperr.Wrap(err, errNoFile.Kind, errNoFile.Code, errNoFile.Message))
		return
	}
	if err := httpserver.FormText(c.Request.MultipartForm); err != nil {
		httpserver.Error(c, err)
		return
	}
	if fh.Size > MaxBytes {
		httpserver.Error(c, errTooBig)
		return
	}
	f, err := fh.Open()
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	req := Request{Image: data, Kind: Kind(c.PostForm("kind"))}
	if slug := c.PostForm("procedure"); slug != "" {
		if req.FormFields, err = s.FormFields(c.Request.Context(), slug); err != nil {
			httpserver.Error(c, err)
			return
		}
	}
	visit := strings.TrimSpace(c.PostForm("kiosk_session_id"))
	if visit != "" {
		station := httpserver.StationOf(c)
		if station == "" {
			httpserver.Error(c, errBadKioskSession)
			return
		}
		if err := s.Stations.CheckVisit(c.Request.Context(), station, visit); err != nil {
			httpserver.Error(c, err)
			return
		}
	}
	read := func(ctx context.Context, req Request) (*Result, error) { return s.Read(ctx, req, visit) }
	if httpserver.StationOf(c) == "" { // the evaluator (RequireStation let it in)
		read = s.ReadForEvaluator
	}
	res, err := read(c.Request.Context(), req)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, responseOf(res))
}
