package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"time"

	"github.com/gabriel-vasile/mimetype"
	"github.com/rwcarlsen/goexif/exif"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/imagelimit"
)

// MediaLimits bound what a report may carry. The type of each file is
// decided by its content, never by its name or the declared type.
type MediaLimits struct {
	MaxPhotos     int
	MaxVideos     int
	MaxPhotoBytes int
	MaxVideoBytes int
	MaxVideo      time.Duration
}

// photoTypes and videoTypes are the content types taken.
var (
	photoTypes = []string{"image/jpeg", "image/png"}
	videoTypes = []string{"video/mp4", "video/quicktime", "video/3gpp"}
)

// storedMedia is a file ready to store: metadata removed, checked.
type storedMedia struct {
	Kind        string
	ContentType string
	Data        []byte
	SHA256      string
	Duration    time.Duration
	// GPS from the photo's EXIF, read before it was stripped.
	Lat, Lng *float64
}

// prepareMedia sniffs, checks and strips every upload, in order.
func prepareMedia(ctx context.Context, files []Upload, lim MediaLimits) ([]storedMedia, error) {
	var out []storedMedia
	count := map[string]int{}
	for _, f := range files {
		kind, ctype := sniff(f.Data)
		if kind == "" {
			return nil, apperr.Errorf(apperr.Unsupported, "unsupported_media",
				"Tệp %q không phải ảnh JPEG/PNG hay video MP4/MOV/3GP, nên không gửi được.", f.Name)
		}
		count[kind]++
		if err := lim.check(kind, count[kind], f); err != nil {
			return nil, err
		}
		if kind == "photo" {
			m, err := preparePhoto(ctx, ctype, f.Data)
			if apperr.IsKind(err, apperr.TooLarge) || apperr.IsKind(err, apperr.Unavailable) {
				return nil, err
			}
			if err != nil {
				return nil, apperr.Wrap(err, apperr.Invalid, "photo_unreadable", fmt.Sprintf("Không đọc được ảnh %q. Xin chụp lại.", f.Name))
			}
			out = append(out, m)
			continue
		}
		d, err := mp4Duration(f.Data)
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "video_unreadable", fmt.Sprintf("Không đọc được video %q.", f.Name))
		}
		if d > lim.MaxVideo {
			return nil, apperr.Errorf(apperr.TooLarge, "video_too_long", "Video %q dài quá %d giây.", f.Name, int(lim.MaxVideo.Seconds()))
		}
		out = append(out, storedMedia{Kind: "video", ContentType: ctype, Data: f.Data, SHA256: digest(f.Data), Duration: d})
	}
	return out, nil
}

// check applies the count and size limits to the n-th file of a kind
// (photo or video).
func (lim MediaLimits) check(kind string, n int, f Upload) error {
	most, maxBytes, word := lim.MaxPhotos, lim.MaxPhotoBytes, "ảnh"
	if kind == "video" {
		most, maxBytes, word = lim.MaxVideos, lim.MaxVideoBytes, "video"
	}
	if n > most {
		return apperr.Errorf(apperr.TooLarge, "too_many_"+kind+"s", "Mỗi phản ánh gửi được tối đa %d %s.", most, word)
	}
	if len(f.Data) > maxBytes {
		return apperr.Errorf(apperr.TooLarge, kind+"_too_large", "Tệp %s %q quá lớn (tối đa %d MB).", word, f.Name, maxBytes>>20)
	}
	return nil
}

// sniff decides a file's kind from its first bytes.
func sniff(data []byte) (kind, contentType string) {
	m := mimetype.Detect(data)
	for _, t := range photoTypes {
		if m.Is(t) {
			return "photo", t
		}
	}
	for _, t := range videoTypes {
		if m.Is(t) {
			return "video", t
		}
	}
	return "", m.String()
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// preparePhoto reads the GPS position from a JPEG's EXIF and returns the
// photo with its metadata removed. Its size is read from its header first:
// a photo over imagelimit.MaxPixels is refused before anything decodes it.
func preparePhoto(ctx context.Context, ctype string, data []byte) (storedMedia, error) {
	m := storedMedia{Kind: "photo", ContentType: ctype}
	h, err := imagelimit.Check(data)
	if err != nil {
		return m, err
	}
	switch ctype {
	case "image/jpeg":
		orientation := 1
		if x, xerr := exif.Decode(bytes.NewReader(data)); xerr == nil {
			if lat, lng, gerr := x.LatLong(); gerr == nil && validLatLng(lat, lng) {
				m.Lat, m.Lng = &lat, &lng
			}
			if tag, terr := x.Get(exif.Orientation); terr == nil {
				if o, oerr := tag.Int(0); oerr == nil {
					orientation = o
				}
			}
		}
		m.Data, err = stripJPEG(data)
		if err == nil && orientation >= 2 && orientation <= 8 {
			// Without its EXIF the photo would show sideways: turn the
			// pixels themselves, the one case worth a new encoding.
			m.Data, err = reorient(ctx, h, m.Data, orientation)
		}
	case "image/png":
		m.Data, err = stripPNG(data)
	}
	if err != nil {
		return m, err
	}
	m.SHA256 = digest(m.Data)
	return m, nil
}

func validLatLng(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && !(lat == 0 && lng == 0)
}

// stripJPEG copies a JPEG without the segments that carry metadata: APP1
// (EXIF with GPS, XMP), APP13 (IPTC) and comments. APP0 (JFIF), APP2 (the
// colour profile) and APP14 (Adobe colour transform) stay, since they change
// how the picture looks. The image data itself is copied untouched, which is
// much cheaper than decoding and encoding it again.
func stripJPEG(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errors.New("jpeg: no start of image")
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for {
		if i+4 > len(data) || data[i] != 0xFF {
			return nil, errors.New("jpeg: bad segment marker")
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD9 { // end of image before any scan
			return nil, errors.New("jpeg: no image data")
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		end := i + 2 + n
		if n < 2 || end > len(data) {
			return nil, errors.New("jpeg: truncated segment")
		}
		drop := marker == 0xE1 || marker == 0xED || marker == 0xFE
		if !drop {
			out = append(out, data[i:end]...)
		}
		i = end
		if marker == 0xDA { // start of scan: the rest is image data
			return append(out, data[i:]...), nil
		}
	}
}

// stripPNG copies a PNG without its text and EXIF chunks.
func stripPNG(data []byte) ([]byte, error) {
	const sig = "\x89PNG\r\n\x1a\n"
	if len(data) < len(sig) || string(data[:len(sig)]) != sig {
		return nil, errors.New("png: bad signature")
	}
	out := append(make([]byte, 0, len(data)), sig...)
	for i := len(sig); i < len(data); {
		if i+12 > len(data) {
			return nil, errors.New("png: truncated chunk")
		}
		n := int(binary.BigEndian.Uint32(data[i:]))
		end := i + 12 + n
		if n < 0 || end > len(data) {
			return nil, errors.New("png: truncated chunk")
		}
		typ := string(data[i+4 : i+8])
		if crc32.ChecksumIEEE(data[i+4:i+8+n]) != binary.BigEndian.Uint32(data[i+8+n:]) {
			return nil, errors.New("png: bad chunk checksum")
		}
		switch typ {
		case "tEXt", "iTXt", "zTXt", "eXIf", "tIME":
		default:
			out = append(out, data[i:end]...)
		}
		i = end
		if typ == "IEND" {
			return out, nil
		}
	}
	return nil, errors.New("png: no end chunk")
}

// reorient decodes a JPEG, turns it upright as EXIF orientation o (2–8)
// says, and encodes it again. Its pixels are held against the process's
// decoding budget meanwhile.
func reorient(ctx context.Context, h imagelimit.Header, data []byte, o int) ([]byte, error) {
	release, err := imagelimit.Reserve(ctx, h)
	if err != nil {
		return nil, err
	}
	defer release()
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	w, ht := b.Dx(), b.Dy()
	// Where the pixel at (x, y) of the stored picture goes in the upright one.
	var dw, dh int
	var to func(x, y int) (int, int)
	switch o {
	case 2:
		dw, dh, to = w, ht, func(x, y int) (int, int) { return w - 1 - x, y }
	case 3:
		dw, dh, to = w, ht, func(x, y int) (int, int) { return w - 1 - x, ht - 1 - y }
	case 4:
		dw, dh, to = w, ht, func(x, y int) (int, int) { return x, ht - 1 - y }
	case 5:
		dw, dh, to = ht, w, func(x, y int) (int, int) { return y, x }
	case 6:
		dw, dh, to = ht, w, func(x, y int) (int, int) { return ht - 1 - y, x }
	case 7:
		dw, dh, to = ht, w, func(x, y int) (int, int) { return ht - 1 - y, w - 1 - x }
	default: // 8
		dw, dh, to = ht, w, func(x, y int) (int, int) { return y, w - 1 - x }
	}
	// Each pixel converted once straight into its upright place: no
	// second full copy of the picture.
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < ht; y++ {
		for x := 0; x < w; x++ {
			dx, dy := to(x, y)
			i := dst.PixOffset(dx, dy)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = rgbAt(src, b.Min.X+x, b.Min.Y+y)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// rgbAt is the colour of a decoded JPEG's pixel, without the allocation
// of image.Image.At for the usual YCbCr and grey pictures.
func rgbAt(img image.Image, x, y int) (r, g, b, a uint8) {
	switch p := img.(type) {
	case *image.YCbCr:
		yi, ci := p.YOffset(x, y), p.COffset(x, y)
		r, g, b = color.YCbCrToRGB(p.Y[yi], p.Cb[ci], p.Cr[ci])
		return r, g, b, 0xFF
	case *image.Gray:
		v := p.Pix[p.PixOffset(x, y)]
		return v, v, v, 0xFF
	}
	c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
	return c.R, c.G, c.B, 0xFF
}

// mp4Duration reads a video's length from the movie header (moov/mvhd) of
// an ISO base media file (MP4, QuickTime).
func mp4Duration(data []byte) (time.Duration, error) {
	moov, ok := findBox(data, "moov")
	if !ok {
		return 0, errors.New("mp4: no moov box")
	}
	mvhd, ok := findBox(moov, "mvhd")
	if !ok || len(mvhd) < 4 {
		return 0, errors.New("mp4: no mvhd box")
	}
	var timescale uint32
	var duration uint64
	switch mvhd[0] { // version
	case 0:
		if len(mvhd) < 20 {
			return 0, errors.New("mp4: short mvhd")
		}
		timescale = binary.BigEndian.Uint32(mvhd[12:])
		duration = uint64(binary.BigEndian.Uint32(mvhd[16:]))
	case 1:
		if len(mvhd) < 32 {
			return 0, errors.New("mp4: short mvhd")
		}
		timescale = binary.BigEndian.Uint32(mvhd[20:])
		duration = binary.BigEndian.Uint64(mvhd[24:])
	default:
		return 0, fmt.Errorf("mp4: mvhd version %d", mvhd[0])
	}
	if timescale == 0 {
		return 0, errors.New("mp4: zero timescale")
	}
	if duration == 0xFFFFFFFF || duration == 0xFFFFFFFFFFFFFFFF {
		return 0, errors.New("mp4: unknown duration")
	}
	secs := duration / uint64(timescale)
	if secs > 1<<31 {
		return 0, errors.New("mp4: absurd duration")
	}
	frac := time.Duration(duration%uint64(timescale)) * time.Second / time.Duration(timescale)
	return time.Duration(secs)*time.Second + frac, nil
}

// findBox returns the payload of the first box of type typ among the boxes
// that make up data.
func findBox(data []byte, typ string) ([]byte, bool) {
	for i := 0; i+8 <= len(data); {
		size := uint64(binary.BigEndian.Uint32(data[i:]))
		header := uint64(8)
		switch size {
		case 0: // to the end
			size = uint64(len(data) - i)
		case 1: // 64-bit size follows
			if i+16 > len(data) {
				return nil, false
			}
			size = binary.BigEndian.Uint64(data[i+8:])
			header = 16
		}
		if size < header || uint64(i)+size > uint64(len(data)) {
			return nil, false
		}
		if string(data[i+4:i+8]) == typ {
			return data[uint64(i)+header : uint64(i)+size], true
		}
		i += int(size)
	}
	return nil, false
}
