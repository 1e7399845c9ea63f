package imagelimit_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/imagelimit"
	"github.com/citizenstation/citizenstation/internal/imagelimit/imagelimittest"
)

func TestCheck(t *testing.T) {
	var small bytes.Buffer
	jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 64, 48)), nil)
	tests := []struct {
		name   string
		data   []byte
		w, h   int // upright
		reason error
	}{
		{"a phone photo's size", imagelimittest.JPEG(4000, 3000, 0), 4000, 3000, nil},
		{"turned sideways", imagelimittest.JPEG(4000, 3000, 6), 3000, 4000, nil},
		{"a small JPEG", small.Bytes(), 64, 48, nil},
		{"a 40-megapixel PNG bomb", imagelimittest.PNG(8000, 5000), 0, 0, imagelimit.ErrTooManyPixels},
		{"a 16k × 16k JPEG turned by EXIF", imagelimittest.JPEG(16384, 16384, 6), 0, 0, imagelimit.ErrTooManyPixels},
		{"just over the limit", imagelimittest.JPEG(6000, 4001, 8), 0, 0, imagelimit.ErrTooManyPixels},
		{"a header cut short", small.Bytes()[:20], 0, 0, imagelimit.ErrUnreadable},
		{"not an image", []byte("GIF89a......"), 0, 0, imagelimit.ErrUnreadable},
		{"nothing", nil, 0, 0, imagelimit.ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := imagelimit.Check(tt.data)
			if !errors.Is(err, tt.reason) || (tt.reason == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.reason)
			}
			if tt.reason == imagelimit.ErrTooManyPixels && apperr.KindOf(err) != apperr.TooLarge {
				t.Errorf("kind %s", apperr.KindOf(err))
			}
			if w, ht := h.Upright(); err == nil && (w != tt.w || ht != tt.h) {
				t.Errorf("upright %dx%d, want %dx%d", w, ht, tt.w, tt.h)
			}
		})
	}
}

// The budget holds at most Budget pixels at once: a second image of the
// largest size waits until the first is released, and one that cannot
// get room in time is told to come back.
func TestReserveBounds(t *testing.T) {
	big := imagelimit.Header{Width: 6000, Height: 4000}
	release, err := imagelimit.Reserve(context.Background(), big)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := imagelimit.Reserve(ctx, big); !errors.Is(err, imagelimit.ErrBusy) {
		t.Fatalf("a second full image while the first decodes: %v, want busy", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := imagelimit.Reserve(context.Background(), big)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	release()
	release() // twice is harmless
	if err := <-got; err != nil {
		t.Fatalf("after the release: %v", err)
	}
}

// FuzzCheck reads any bytes as an upload's header: Check never panics, and
// whatever it lets through is within the pixel limit, as stored and as
// turned upright, with the size the format's own decoder reads.
func FuzzCheck(f *testing.F) {
	var small bytes.Buffer
	jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 40, 30)), nil)
	for _, seed := range [][]byte{small.Bytes(), imagelimittest.PNG(64, 48), imagelimittest.JPEG(16384, 16384, 6),
		imagelimittest.JPEG(300, 200, 8), imagelimittest.WithOrientation(small.Bytes(), 5), []byte("II*\x00\x08\x00\x00\x00"), small.Bytes()[:30]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := imagelimit.Check(data)
		if err != nil {
			if !errors.Is(err, imagelimit.ErrUnreadable) && !errors.Is(err, imagelimit.ErrTooManyPixels) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		w, ht := h.Upright()
		if h.Pixels() > imagelimit.MaxPixels || int64(w)*int64(ht) > imagelimit.MaxPixels || w <= 0 || ht <= 0 {
			t.Fatalf("let through %+v", h)
		}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && (cfg.Width != h.Width || cfg.Height != h.Height) {
			t.Fatalf("header says %dx%d, the decoder %dx%d", h.Width, h.Height, cfg.Width, cfg.Height)
		}
	})
}
