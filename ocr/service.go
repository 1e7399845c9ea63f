package ocr

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/procedures"
)

// Service reads scans and keeps every result, so that the assistant and
// staff can refer to it by its ID.
type Service struct {
	Reader *Reader
	Store  *Store
	// Catalogue, when set, gives the form fields of a procedure named in
	// a request, for matching a form's labels.
	Catalogue Catalogue
	// Stations authenticates the stations that upload scans; without it
	// the upload route refuses every caller.
	Stations Stations
	// EvalToken lets an evaluator upload as no station.
	EvalToken string
}

// Stations authenticates the callers of the upload: a kiosk by its device
// token (or an evaluator, as no station), and the visit it names
// (kiosk.Service provides both).
type Stations interface {
	RequireStation(evalToken string) gin.HandlerFunc
	CheckVisit(ctx context.Context, stationID, visitID string) error
}

// Catalogue is the part of procedures.Catalogue the service uses.
type Catalogue interface {
	Get(ctx context.Context, slug string) (*procedures.Entry, error)
}

var errNoCatalogue = apperr.New(apperr.Unavailable, "catalogue_unavailable",
	"Chưa tra được mẫu tờ khai của thủ tục này. Xin vui lòng thử lại sau.")

// FormFields returns the form fields of the procedure called slug.
func (s *Service) FormFields(ctx context.Context, slug string) ([]procedures.Field, error) {
	if s.Catalogue == nil {
		return nil, errNoCatalogue
	}
	e, err := s.Catalogue.Get(ctx, slug)
	if err != nil {
		return nil, err
	}
	return e.Form.Fields, nil
}

// NewService returns a service that reads with reader and keeps results
// in store.
func NewService(reader *Reader, store *Store) *Service {
	return &Service{Reader: reader, Store: store}
}

var errBadKioskSession = apperr.New(apperr.Invalid, "invalid_kiosk_session_id",
	"Mã phiên làm việc tại trạm không hợp lệ.")

// Read recognises req's scan and returns the result. With a kiosk visit
// (kioskSessionID) the result is stored with the scan, bound to the visit
// (only its conversations may use it) and erased when the visit ends;
// without one it is returned with no ID and not kept.
func (s *Service) Read(ctx context.Context, req Request, kioskSessionID string) (*Result, error) {
	kioskSessionID = strings.TrimSpace(kioskSessionID)
	if len(kioskSessionID) > 128 || !utf8.ValidString(kioskSessionID) {
		return nil, errBadKioskSession
	}
	res, err := s.Reader.Read(ctx, req)
	if err != nil {
		return nil, err
	}
	res.KioskSessionID = kioskSessionID
	if kioskSessionID == "" {
		// No visit to bind it to, none to erase it with: shown, never kept.
		return res, nil
	}
	if err := s.Store.Save(ctx, res, req.Image); err != nil {
		return nil, err
	}
	return res, nil
}

// ReadForEvaluator recognises req's scan for an evaluator's conversation,
// which belongs to no visit: the result is kept unbound, and only
// conversations of no visit may use it.
func (s *Service) ReadForEvaluator(ctx context.Context, req Request) (*Result, error) {
	res, err := s.Reader.Read(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Save(ctx, res, req.Image); err != nil {
		return nil, err
	}
	return res, nil
}

// Get returns a stored result.
func (s *Service) Get(ctx context.Context, id string) (*Result, error) {
	return s.Store.Get(ctx, id)
}
