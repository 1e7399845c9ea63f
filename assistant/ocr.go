package assistant

import (
	"context"
	"slices"

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
	sc := &Scan{ID: r.ID, Kind: string(r.Kind), Text: r.Text, KioskSessionID: r.KioskSessionID,
		Fields: make(map[string]ScanField, len(r.Fields))}
	for name, f := range r.Fields {
		sf := ScanField{Value: f.Value, Confidence: f.Confidence, Source: f.Source, Kind: string(r.Kind)}
		for _, c := range f.Conflicts {
			sf.Conflicts = append(sf.Conflicts, ScanReading{Value: c.Value, Source: c.Source, Kind: string(r.Kind)})
		}
		sc.Fields[name] = sf
	}
	return sc, nil
}

// conflictConfidence caps a scanned value whose sources disagree, so that
// the resident confirms it and staff see it marked.
const conflictConfidence = 0.75

// mergeScanned puts a value read on a new scan beside the one an earlier
// scan gave. A scan of another side (the back after the front) that reads
// another value does not silently replace it: the more trusted source wins
// (a QR code, then an MRZ, then print; the newer scan when equal) and the
// other is kept as a conflict. A new scan of the same side replaces the old.
func mergeScanned(name string, prev, next ScanField) ScanField {
	if prev.Kind == next.Kind {
		return next
	}
	win, lose := next, prev
	if scanRank(prev.Source) > scanRank(next.Source) {
		win, lose = prev, next
	}
	win.Conflicts = append(slices.Clone(win.Conflicts), lose.Conflicts...)
	if ocr.Disagree(name, win.Value, lose.Value) {
		win.Conflicts = append(win.Conflicts, ScanReading{Value: lose.Value, Source: lose.Source, Kind: lose.Kind})
		win.Confidence = min(win.Confidence, conflictConfidence)
	}
	return win
}

// scanRank orders a scan's sources by trust.
func scanRank(source string) int {
	switch source {
	case "qr":
		return 2
	case "mrz":
		return 1
	}
	return 0
}
