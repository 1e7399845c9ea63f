package assistant

import (
	"context"

	"github.com/citizenstation/citizenstation/ocr"
)

// OCRScans reads the OCR package's stored results for the guide.
type OCRScans struct {
	Results interface {
		Get(ctx context.Context, id string) (*ocr.Result, error)
	}
}

// Scan returns the stored result id as the guide uses it.
func (s OCRScans) Scan(ctx context.Context, id string) (*Scan, error) {
	r, err := s.Results.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	sc := &Scan{ID: r.ID, Kind: string(r.Kind), Text: r.Text, Fields: make(map[string]ScanField, len(r.Fields))}
	for name, f := range r.Fields {
		sc.Fields[name] = ScanField{Value: f.Value, Confidence: f.Confidence, Source: f.Source}
	}
	return sc, nil
}
