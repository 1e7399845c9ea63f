// Package imagelimit guards every path that decodes an uploaded image: the
// photos of a report, the kiosk camera's photos and the OCR scans. Check
// reads an image's size from its header, turned upright by its EXIF
// orientation, and refuses more than MaxPixels before anything is decoded,
// so a small file that would unpack to gigabytes never does. Reserve then
// holds the image's pixels against a budget for the whole process while it
// is decoded, so however many uploads arrive together the memory their
// pixels take stays bounded.
package imagelimit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"time"

	"golang.org/x/image/tiff"
	"golang.org/x/sync/semaphore"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// MaxPixels is the most pixels an uploaded image may have: more than a
// 300 dpi scan of an A3 page (17 MP) or a phone's 12 or 20 MP photo. Decoded
// and turned, an image costs about 8 bytes a pixel at most (under 200 MB).
const MaxPixels = 24_000_000

// Budget is how many pixels one process decodes at once: one image of the
// largest size, or several of the usual ones.
const Budget = MaxPixels

// Wait is how long an upload waits for room in the budget before it is
// told to try again.
const Wait = 20 * time.Second

// Errors a caller passes on as they are: a clear sentence and a stable code.
var (
	ErrTooManyPixels = apperr.New(apperr.TooLarge, "image_too_large",
		"Ảnh có quá nhiều điểm ảnh (tối đa 24 megapixel). Xin chụp hoặc quét lại với độ phân giải thấp hơn.")
	ErrBusy = &apperr.Error{Kind: apperr.Unavailable, Code: "images_busy",
		Message: "Trạm đang xử lý nhiều ảnh cùng lúc. Xin thử lại sau ít giây.", RetryAfter: 5 * time.Second}
)

// ErrUnreadable is wrapped by Check's error for a file whose header is not
// that of a JPEG, PNG or TIFF image; callers say so in their own words.
var ErrUnreadable = errors.New("imagelimit: not a readable image header")

// Header is what an image's header says of it.
type Header struct {
	Format        string // jpeg, png or tiff
	Width, Height int    // as stored
	// Orientation is the JPEG's EXIF orientation (1–8; 1 when none).
	Orientation int
}

// Pixels is the image's pixel count.
func (h Header) Pixels() int64 { return int64(h.Width) * int64(h.Height) }

// Upright returns the size of the image turned as its orientation says.
func (h Header) Upright() (width, height int) {
	if h.Orientation >= 5 && h.Orientation <= 8 {
		return h.Height, h.Width
	}
	return h.Width, h.Height
}

// Check reads data's header and refuses an image over MaxPixels, as stored
// and as turned upright, without decoding any pixel.
func Check(data []byte) (Header, error) {
	var h Header
	var cfg image.Config
	var err error
	r := bytes.NewReader(data)
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		h.Format = "jpeg"
		cfg, err = jpeg.DecodeConfig(r)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		h.Format = "png"
		cfg, err = png.DecodeConfig(r)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		h.Format = "tiff"
		cfg, err = tiff.DecodeConfig(r)
	default:
		return h, ErrUnreadable
	}
	if err != nil {
		return h, fmt.Errorf("%w: %s: %w", ErrUnreadable, h.Format, err)
	}
	h.Width, h.Height, h.Orientation = cfg.Width, cfg.Height, 1
	if h.Format == "jpeg" {
		h.Orientation = JPEGOrientation(data)
	}
	if h.Width <= 0 || h.Height <= 0 {
		return h, fmt.Errorf("%w: %dx%d", ErrUnreadable, h.Width, h.Height)
	}
	w, ht := h.Upright()
	if h.Pixels() > MaxPixels || int64(w)*int64(ht) > MaxPixels {
		return h, ErrTooManyPixels
	}
	return h, nil
}

var budget = semaphore.NewWeighted(Budget)

// Reserve holds h's pixels against the process's budget until release is
// called, waiting up to Wait for room; it refuses with ErrBusy after that.
// Call it after Check and before decoding.
func Reserve(ctx context.Context, h Header) (release func(), err error) {
	n := min(max(h.Pixels(), 1), Budget)
	ctx, cancel := context.WithTimeout(ctx, Wait)
	defer cancel()
	if err := budget.Acquire(ctx, n); err != nil {
		return nil, ErrBusy
	}
	released := false
	return func() {
		if !released {
			released = true
			budget.Release(n)
		}
	}, nil
}

// JPEGOrientation returns the EXIF orientation (1–8) of a JPEG, 1 when it
// has none or it cannot be read.
func JPEGOrientation(data []byte) int {
	// Walk the markers up to the start of scan, looking for APP1 "Exif".
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		size := int(binary.BigEndian.Uint16(data[i+2:]))
		if size < 2 || i+2+size > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+size]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from the first IFD of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := int(order.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	n := int(order.Uint16(t[ifd:]))
	for k := range n {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if order.Uint16(t[e:]) == 0x0112 {
			v := int(order.Uint16(t[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
