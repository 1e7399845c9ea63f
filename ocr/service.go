package ocr

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Service reads scans and keeps every result, so that the assistant and
// staff can refer to it by its ID.
type Service struct {
	Reader *Reader
	Store  *Store
}

// NewService returns a service that reads with reader and keeps results
// in store.
func NewService(reader *Reader, store *Store) *Service {
	return &Service{Reader: reader, Store: store}
}

var errBadKioskSession = apperr.New(apperr.Invalid, "invalid_kiosk_session_id",
	"Mã phiên làm việc tại trạm không hợp lệ.")

// Read recognises req's scan, stores the result with the scan, and
// returns it with its ID. kioskSessionID, when set, ties the result to a
// resident's visit so that it is erased if the visit ends unsubmitted.
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
	if err := s.Store.Save(ctx, res, req.Image); err != nil {
		return nil, err
	}
	return res, nil
}

// Get returns a stored result.
func (s *Service) Get(ctx context.Context, id string) (*Result, error) {
	return s.Store.Get(ctx, id)
}
