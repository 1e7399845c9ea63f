package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/tiff"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/imagelimit"
)

// Format is an image format the reader takes, decided by the file's bytes.
type Format string

const (
	FormatJPEG Format = "jpeg"
	FormatPNG  Format = "png"
	FormatTIFF Format = "tiff"
)

// Sniff returns the format of data by its magic bytes; the file's name and
// declared type are never trusted.
func Sniff(data []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return FormatJPEG, true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG, true
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return FormatTIFF, true
	}
	return "", false
}

// The errors a resident may meet when a scan cannot be read. Codes are
// stable; messages are for the kiosk screen.
var (
	errEmpty = apperr.New(apperr.Invalid, "empty_file",
		"Tệp gửi lên không có dữ liệu. Xin vui lòng quét lại giấy tờ.")
	errTooBig = apperr.New(apperr.TooLarge, "file_too_large",
		"Tệp ảnh quá lớn (tối đa 15 MB). Xin vui lòng quét lại với độ phân giải thấp hơn.")
	errNotImage = apperr.New(apperr.Unsupported, "not_an_image",
		"Tệp gửi lên không phải là ảnh JPEG, PNG hoặc TIFF. Xin vui lòng quét lại giấy tờ.")
	errPDF = apperr.New(apperr.Unsupported, "pdf_not_supported",
		"Chưa đọc được tệp PDF. Xin vui lòng gửi ảnh chụp (JPEG, PNG hoặc TIFF) của giấy tờ.")
	errTooSmall = apperr.New(apperr.Invalid, "image_too_small",
		"Ảnh quá nhỏ để đọc được chữ. Xin vui lòng quét lại rõ hơn.")
	errNoText = apperr.New(apperr.Invalid, "no_text",
		"Không tìm thấy chữ nào trên ảnh. Xin vui lòng đặt giấy tờ ngay ngắn, mặt có chữ hướng lên, rồi quét lại.")
)

func errDamaged(cause error) error {
	return apperr.Wrap(cause, apperr.Invalid, "damaged_image",
		"Ảnh bị hỏng hoặc chưa gửi lên hết. Xin vui lòng quét lại giấy tờ.")
}

// Decode checks an uploaded scan and decodes it to greyscale, turned
// upright by its EXIF orientation. It reads the image's dimensions from its
// header first (imagelimit.Check) and refuses more than MaxPixels before
// decoding anything, so a small file that would unpack to gigabytes never
// does. The caller holds the pixels against the budget (imagelimit.Reserve).
func Decode(data []byte) (*image.Gray, Format, error) {
	if len(data) == 0 {
		return nil, "", errEmpty
	}
	if len(data) > MaxBytes {
		return nil, "", errTooBig
	}
	format, ok := Sniff(data)
	if !ok {
		if bytes.HasPrefix(data, []byte("%PDF")) {
			return nil, "", errPDF
		}
		return nil, "", errNotImage
	}
	h, err := imagelimit.Check(data)
	if err != nil {
		if errors.Is(err, imagelimit.ErrUnreadable) {
			return nil, format, errDamaged(err)
		}
		return nil, format, err
	}
	var decode func(io.Reader) (image.Image, error)
	switch format {
	case FormatJPEG:
		decode = jpeg.Decode
	case FormatPNG:
		decode = png.Decode
	case FormatTIFF:
		decode = tiff.Decode
	}
	if h.Width < 32 || h.Height < 32 {
		return nil, format, errTooSmall
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, format, errDamaged(err)
	}
	g := toGray(img)
	if format == FormatJPEG {
		g = orient(g, h.Orientation)
	}
	return g, format, nil
}

// reserve holds a scan's pixels against the process's decoding budget
// while it is read. A scan whose header is wrong holds nothing: Decode
// then says what is wrong with it.
func reserve(ctx context.Context, data []byte) (release func(), err error) {
	h, err := imagelimit.Check(data)
	if err != nil {
		return func() {}, nil
	}
	return imagelimit.Reserve(ctx, h)
}
