// Package ocr reads scanned documents: Tesseract through gosseract for text,
// with the chip ID card's QR code and MRZ for the fields that must be exact.
package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"sync/atomic"

	"github.com/otiai10/gosseract/v2"
)

// LanguageCheck verifies that Tesseract can load the given languages' data,
// for the readiness probe. Once the data has loaded it does not vanish, so a
// success is remembered and later calls are free.
type LanguageCheck struct {
	Languages []string
	ok        atomic.Bool
}

// Check loads the language data by recognising a blank image.
func (lc *LanguageCheck) Check(ctx context.Context) error {
	if lc.ok.Load() {
		return nil
	}
	client := gosseract.NewClient()
	defer client.Close()
	if err := client.SetLanguage(lc.Languages...); err != nil {
		return err
	}
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	if err := client.SetImageFromBytes(buf.Bytes()); err != nil {
		return err
	}
	if _, err := client.Text(); err != nil {
		return fmt.Errorf("tesseract cannot load %v (install tesseract-ocr-vie): %w", lc.Languages, err)
	}
	lc.ok.Store(true)
	return nil
}
