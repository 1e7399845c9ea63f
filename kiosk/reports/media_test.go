package reports

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/rwcarlsen/goexif/exif"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/imagelimit/imagelimittest"
)

// testJPEG encodes a small picture; with gps it carries an EXIF APP1
// segment holding that position, as a phone camera writes it.
func testJPEG(t testing.TB, gps *[2]float64) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if gps == nil {
		return data
	}
	tiff := exifGPS(gps[0], gps[1])
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{0xFF, 0xD8}, seg...)
	return append(out, data[2:]...)
}

// exifGPS builds a little-endian TIFF with IFD0 pointing to a GPS IFD.
func exifGPS(lat, lng float64) []byte {
	le := binary.LittleEndian
	b := make([]byte, 128)
	copy(b, "II")
	le.PutUint16(b[2:], 42)
	le.PutUint32(b[4:], 8)
	entry := func(at int, tag, typ uint16, count, value uint32) {
		le.PutUint16(b[at:], tag)
		le.PutUint16(b[at+2:], typ)
		le.PutUint32(b[at+4:], count)
		le.PutUint32(b[at+8:], value)
	}
	le.PutUint16(b[8:], 1)
	entry(10, 0x8825, 4, 1, 26) // GPSInfo IFD at 26
	le.PutUint16(b[26:], 4)
	entry(28, 0x0001, 2, 2, uint32('N'))
	entry(40, 0x0002, 5, 3, 80)
	entry(52, 0x0003, 2, 2, uint32('E'))
	entry(64, 0x0004, 5, 3, 104)
	rationals := func(at int, v float64) {
		deg := math.Floor(v)
		minutes := math.Floor((v - deg) * 60)
		sec := ((v-deg)*60 - minutes) * 60
		for i, r := range [][2]uint32{{uint32(deg), 1}, {uint32(minutes), 1}, {uint32(math.Round(sec * 10000)), 10000}} {
			le.PutUint32(b[at+i*8:], r[0])
			le.PutUint32(b[at+i*8+4:], r[1])
		}
	}
	rationals(80, lat)
	rationals(104, lng)
	return b
}

// testPNG encodes a small PNG and slips a tEXt chunk (with a location in
// words) in after the header.
func testPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	text := []byte("Comment\x0012 Le Loi, Ben Thanh")
	chunk := make([]byte, 8, 12+len(text))
	binary.BigEndian.PutUint32(chunk, uint32(len(text)))
	copy(chunk[4:], "tEXt")
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	ihdrEnd := 8 + 25
	out := append([]byte{}, data[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, data[ihdrEnd:]...)
}

// testMP4 builds the boxes of an MP4 whose movie header says it lasts d:
// ftyp, moov with mvhd (version 0 or 1), and an mdat of padding bytes.
func testMP4(d time.Duration, version byte, pad int) []byte {
	box := func(typ string, payload []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
		return append(append(b, typ...), payload...)
	}
	ftyp := box("ftyp", append([]byte("isom\x00\x00\x02\x00"), "isomiso2avc1mp41"...))
	const timescale = 1000
	var mvhd []byte
	if version == 0 {
		mvhd = make([]byte, 100)
		binary.BigEndian.PutUint32(mvhd[12:], timescale)
		binary.BigEndian.PutUint32(mvhd[16:], uint32(d.Milliseconds()))
	} else {
		mvhd = make([]byte, 112)
		mvhd[0] = 1
		binary.BigEndian.PutUint32(mvhd[20:], timescale)
		binary.BigEndian.PutUint64(mvhd[24:], uint64(d.Milliseconds()))
	}
	moov := box("moov", box("mvhd", mvhd))
	out := append(ftyp, box("free", nil)...)
	out = append(out, moov...)
	return append(out, box("mdat", make([]byte, pad))...)
}

var testLimits = MediaLimits{MaxPhotos: 5, MaxVideos: 1, MaxPhotoBytes: 1 << 20, MaxVideoBytes: 2 << 20, MaxVideo: 60 * time.Second}

func TestMP4Duration(t *testing.T) {
	for _, tc := range []struct {
		d       time.Duration
		version byte
	}{{30 * time.Second, 0}, {90500 * time.Millisecond, 1}, {0, 0}} {
		got, err := mp4Duration(testMP4(tc.d, tc.version, 10))
		if err != nil || got != tc.d {
			t.Errorf("mp4Duration(v%d, %v) = %v, %v", tc.version, tc.d, got, err)
		}
	}
	if _, err := mp4Duration([]byte("\x00\x00\x00\x10ftypisom\x00\x00\x00\x00")); err == nil {
		t.Error("mp4 without moov: want an error")
	}
}

func TestPrepareMedia(t *testing.T) {
	photo := testJPEG(t, nil)
	big := append(testJPEG(t, nil), make([]byte, 1<<20)...)
	tests := []struct {
		name  string
		files []Upload
		code  string // "" for success
		kinds []string
	}{
		{"photos and a video", []Upload{{"a.jpg", photo}, {"b.png", testPNG(t)}, {"c.mp4", testMP4(20*time.Second, 0, 100)}}, "", []string{"photo", "photo", "video"}},
		{"five photos", []Upload{{"1", photo}, {"2", photo}, {"3", photo}, {"4", photo}, {"5", photo}}, "", []string{"photo", "photo", "photo", "photo", "photo"}},
		{"six photos", []Upload{{"1", photo}, {"2", photo}, {"3", photo}, {"4", photo}, {"5", photo}, {"6", photo}}, "too_many_photos", nil},
		{"two videos", []Upload{{"a.mp4", testMP4(time.Second, 0, 1)}, {"b.mp4", testMP4(time.Second, 0, 1)}}, "too_many_videos", nil},
		{"photo over the size limit", []Upload{{"big.jpg", big}}, "photo_too_large", nil},
		{"video over the size limit", []Upload{{"big.mp4", testMP4(time.Second, 0, 3<<20)}}, "video_too_large", nil},
		{"video too long", []Upload{{"long.mp4", testMP4(61*time.Second, 1, 10)}}, "video_too_long", nil},
		{"a PDF named like a photo", []Upload{{"x.jpg", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")}}, "unsupported_media", nil},
		{"text", []Upload{{"x.mp4", []byte("hello, this is not a video")}}, "unsupported_media", nil},
		{"a GIF", []Upload{{"x.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")}}, "unsupported_media", nil},
		{"truncated JPEG", []Upload{{"x.jpg", photo[:40]}}, "photo_unreadable", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := prepareMedia(context.Background(), tc.files, testLimits)
			if tc.code != "" {
				if apperr.CodeOf(err) != tc.code {
					t.Fatalf("err = %v, want code %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.kinds) {
				t.Fatalf("got %d files, want %d", len(got), len(tc.kinds))
			}
			for i, m := range got {
				if m.Kind != tc.kinds[i] {
					t.Errorf("file %d kind = %s, want %s", i, m.Kind, tc.kinds[i])
				}
			}
		})
	}
}

func TestPhotoGPSReadThenStripped(t *testing.T) {
	orig := testJPEG(t, &[2]float64{10.7725, 106.6932})
	if x, err := exif.Decode(bytes.NewReader(orig)); err != nil {
		t.Fatalf("test photo has no EXIF: %v", err)
	} else if _, _, err := x.LatLong(); err != nil {
		t.Fatalf("test photo has no GPS: %v", err)
	}
	got, err := prepareMedia(context.Background(), []Upload{{"gps.jpg", orig}}, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	m := got[0]
	if m.Lat == nil || math.Abs(*m.Lat-10.7725) > 1e-5 || math.Abs(*m.Lng-106.6932) > 1e-5 {
		t.Fatalf("GPS read = %v, %v; want 10.7725, 106.6932", m.Lat, m.Lng)
	}
	assertNoMetadata(t, m.Data)
	if len(m.Data) >= len(orig) {
		t.Errorf("stored copy (%d bytes) is not smaller than the original (%d)", len(m.Data), len(orig))
	}
}

// assertNoMetadata fails unless data is a decodable JPEG without EXIF.
func assertNoMetadata(t testing.TB, data []byte) {
	t.Helper()
	if bytes.Contains(data, []byte("Exif\x00\x00")) {
		t.Error("stored photo still contains an EXIF header")
	}
	if _, err := exif.Decode(bytes.NewReader(data)); err == nil {
		t.Error("stored photo still decodes as EXIF")
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("stored photo no longer decodes: %v", err)
	}
}

// withOrientation puts an EXIF APP1 segment holding only an Orientation tag
// in front of a JPEG, as a phone held upright writes it.
func withOrientation(data []byte, o uint16) []byte {
	return imagelimittest.WithOrientation(data, int(o))
}

func TestPhotoTurnedUpright(t *testing.T) {
	plain := testJPEG(t, nil) // 64×48
	for _, tc := range []struct {
		o    uint16
		w, h int
	}{{1, 64, 48}, {3, 64, 48}, {6, 48, 64}, {8, 48, 64}} {
		got, err := prepareMedia(context.Background(), []Upload{{"a.jpg", withOrientation(plain, tc.o)}}, testLimits)
		if err != nil {
			t.Fatal(err)
		}
		assertNoMetadata(t, got[0].Data)
		img, _ := jpeg.Decode(bytes.NewReader(got[0].Data))
		if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("orientation %d: stored %dx%d, want %dx%d", tc.o, b.Dx(), b.Dy(), tc.w, tc.h)
		}
		if tc.o == 6 {
			// The top-left pixel of the picture (dark red-green) ends up
			// at the top right once turned a quarter clockwise.
			r, g, _, _ := img.At(47, 0).RGBA()
			if r>>8 > 40 || g>>8 > 40 {
				t.Errorf("orientation 6: top right is %d,%d; want the dark corner", r>>8, g>>8)
			}
		}
	}
}

func TestPNGTextStripped(t *testing.T) {
	got, err := prepareMedia(context.Background(), []Upload{{"a.png", testPNG(t)}}, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got[0].Data, []byte("tEXt")) || bytes.Contains(got[0].Data, []byte("Ben Thanh")) {
		t.Error("stored PNG still carries its text chunk")
	}
	if _, err := png.Decode(bytes.NewReader(got[0].Data)); err != nil {
		t.Errorf("stored PNG no longer decodes: %v", err)
	}
}
