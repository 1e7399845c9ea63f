package ocr

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/tiff"

	"github.com/citizenstation/citizenstation/internal/apperr"
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
	errTooManyPixels = apperr.New(apperr.TooLarge, "image_too_large",
		"Ảnh có quá nhiều điểm ảnh (tối đa 40 megapixel). Xin vui lòng quét lại với độ phân giải thấp hơn.")
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
// header first and refuses more than MaxPixels before decoding anything, so
// a small file that would unpack to gigabytes never does.
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
	var (
		decodeConfig func([]byte) (image.Config, error)
		decode       func([]byte) (image.Image, error)
	)
	switch format {
	case FormatJPEG:
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	case FormatPNG:
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	case FormatTIFF:
		decodeConfig = func(b []byte) (image.Config, error) { return tiff.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return tiff.Decode(bytes.NewReader(b)) }
	}
	cfg, err := decodeConfig(data)
	if err != nil {
		return nil, format, errDamaged(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, format, errTooManyPixels
	}
	if cfg.Width < 32 || cfg.Height < 32 {
		return nil, format, errTooSmall
	}
	img, err := decode(data)
	if err != nil {
		return nil, format, errDamaged(err)
	}
	g := toGray(img)
	if format == FormatJPEG {
		g = orient(g, jpegOrientation(data))
	}
	return g, format, nil
}

// jpegOrientation returns the EXIF orientation (1–8) of a JPEG, 1 when it
// has none or it cannot be read.
func jpegOrientation(data []byte) int {
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
