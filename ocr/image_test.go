package ocr

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// withOrientation inserts an EXIF APP1 segment holding orientation o right
// after a JPEG's start-of-image marker, as a phone camera writes it.
func withOrientation(jpg []byte, o uint16) []byte {
	var tiffData bytes.Buffer
	tiffData.WriteString("MM\x00*")
	binary.Write(&tiffData, binary.BigEndian, uint32(8)) // IFD0 offset
	binary.Write(&tiffData, binary.BigEndian, uint16(1)) // one entry
	binary.Write(&tiffData, binary.BigEndian, uint16(0x0112))
	binary.Write(&tiffData, binary.BigEndian, uint16(3)) // SHORT
	binary.Write(&tiffData, binary.BigEndian, uint32(1)) // count
	binary.Write(&tiffData, binary.BigEndian, o)
	binary.Write(&tiffData, binary.BigEndian, uint16(0))
	binary.Write(&tiffData, binary.BigEndian, uint32(0)) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiffData.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// marked is a 200 × 100 white image with a black block in its top-left
// corner, to follow through turns.
func marked() *image.Gray {
	g := blankPage(200, 100)
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			g.SetGray(x, y, color.Gray{0})
		}
	}
	return g
}

func TestDecodeFollowsEXIFOrientation(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, marked(), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		orientation uint16
		w, h        int
		dark        image.Point // where the marked corner ends up
	}{
		{1, 200, 100, image.Pt(5, 5)},
		{3, 200, 100, image.Pt(195, 95)},
		{6, 100, 200, image.Pt(95, 5)}, // turned 90° clockwise
		{8, 100, 200, image.Pt(5, 195)},
	}
	for _, tt := range tests {
		g, format, err := Decode(withOrientation(buf.Bytes(), tt.orientation))
		if err != nil {
			t.Fatal(err)
		}
		if format != FormatJPEG || g.Rect.Dx() != tt.w || g.Rect.Dy() != tt.h {
			t.Fatalf("orientation %d: %s %v, want %d×%d", tt.orientation, format, g.Rect, tt.w, tt.h)
		}
		if v := g.GrayAt(tt.dark.X, tt.dark.Y).Y; v > 60 {
			t.Errorf("orientation %d: pixel %v = %d, want the dark corner there", tt.orientation, tt.dark, v)
		}
	}
}

func TestDecodeTIFF(t *testing.T) {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, marked(), &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	g, format, err := Decode(buf.Bytes())
	if err != nil || format != FormatTIFF || g.Rect.Dx() != 200 || g.GrayAt(5, 5).Y != 0 {
		t.Fatalf("Decode TIFF = %v %s %v", g.Rect, format, err)
	}
}

func TestDeskewFindsTheTurn(t *testing.T) {
	_, g := testScan(t, 5, corpus.Form, corpus.Clean)
	for _, deg := range []float64{-3.5, -1.5, 2, 4} {
		turned := rotate(g, deg*math.Pi/180)
		got := skewAngle(turned) * 180 / math.Pi
		// Rotating by +deg makes lines slope by -deg in image coordinates,
		// or the other way round; either way the size must match.
		if math.Abs(math.Abs(got)-math.Abs(deg)) > 0.5 {
			t.Errorf("turned %.1f°: estimated %.2f°", deg, got)
		}
		straight, _ := Preprocess(turned, PreprocessOptions{Deskew: true})
		if rest := skewAngle(straight) * 180 / math.Pi; math.Abs(rest) > 0.5 {
			t.Errorf("turned %.1f°: %.2f° left after deskew", deg, rest)
		}
	}
}

func TestFlattenEvensTheLight(t *testing.T) {
	// Paper lit from the left: 250 falling to 120 across the page.
	g := image.NewGray(image.Rect(0, 0, 400, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 400; x++ {
			g.Pix[y*g.Stride+x] = uint8(250 - 130*x/400)
		}
	}
	f := flatten(g)
	for _, x := range []int{10, 200, 390} {
		if v := f.GrayAt(x, 100).Y; v < 230 {
			t.Errorf("paper at x=%d is %d after flattening, want near white", x, v)
		}
	}
}

func TestDecodeRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		kind apperr.Kind
		code string
	}{
		{"empty", nil, apperr.Invalid, "empty_file"},
		{"text", []byte("hello"), apperr.Unsupported, "not_an_image"},
		{"a GIF", []byte("GIF89a\x01\x00\x01\x00"), apperr.Unsupported, "not_an_image"},
		{"a JPEG start only", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16}, apperr.Invalid, "damaged_image"},
		{"a tiny image", pngOf(t, blankPage(8, 8)), apperr.Invalid, "image_too_small"},
	}
	for _, tt := range tests {
		_, _, err := Decode(tt.data)
		if apperr.KindOf(err) != tt.kind || apperr.CodeOf(err) != tt.code {
			t.Errorf("%s: %v, want %s/%s", tt.name, err, tt.kind, tt.code)
		}
	}
}

// FuzzDecode feeds the decoder entry point arbitrary bytes: it must never
// panic, and whatever it refuses it refuses as the resident's fault (4xx).
func FuzzDecode(f *testing.F) {
	var jpg, tif bytes.Buffer
	jpeg.Encode(&jpg, marked(), nil)
	tiff.Encode(&tif, marked(), nil)
	f.Add(pngOf(f, marked()))
	f.Add(jpg.Bytes())
	f.Add(withOrientation(jpg.Bytes(), 6))
	f.Add(tif.Bytes())
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("%PDF-1.4"))
	rng := rand.New(rand.NewPCG(1, 2))
	noisy := pngOf(f, marked())
	for i := 0; i < 20; i++ {
		noisy[40+rng.IntN(len(noisy)-40)] ^= byte(rng.IntN(256))
	}
	f.Add(noisy)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, _, err := Decode(data)
		if err != nil {
			switch apperr.KindOf(err) {
			case apperr.Invalid, apperr.Unsupported, apperr.TooLarge:
			default:
				t.Fatalf("refused as %s: %v", apperr.KindOf(err), err)
			}
			return
		}
		if g.Rect.Dx()*g.Rect.Dy() > MaxPixels {
			t.Fatalf("decoded %v, over the limit", g.Rect)
		}
	})
}
