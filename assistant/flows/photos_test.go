package flows_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/imagelimit/imagelimittest"
)

// cameraJPEG is a photo as a camera writes it: a real JPEG with an EXIF
// segment naming the camera.
func cameraJPEG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), shade, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	// A little-endian TIFF: IFD0 with one entry, Make = "STATION".
	tiff := make([]byte, 34)
	le := binary.LittleEndian
	copy(tiff, "II")
	le.PutUint16(tiff[2:], 42)
	le.PutUint32(tiff[4:], 8)
	le.PutUint16(tiff[8:], 1)
	le.PutUint16(tiff[10:], 0x010F)
	le.PutUint16(tiff[12:], 2)
	le.PutUint32(tiff[14:], 8)
	le.PutUint32(tiff[18:], 26)
	copy(tiff[26:], "STATION\x00")
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{0xFF, 0xD8}, append(seg, payload...)...)
	return append(out, buf.Bytes()[2:]...)
}

// upload sends a photo as the kiosk does, multipart or as the body, and
// returns the status and the decoded answer.
func (e *env) upload(t *testing.T, sessionID string, data []byte, multi bool) (int, map[string]any) {
	t.Helper()
	body, ctype := bytes.NewReader(data), "image/jpeg"
	if multi {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		part, _ := w.CreateFormFile("photo", "camera.jpg")
		part.Write(data)
		w.Close()
		body, ctype = bytes.NewReader(buf.Bytes()), w.FormDataContentType()
	}
	req, _ := http.NewRequest("POST", e.api.URL+"/api/v1/sessions/"+sessionID+"/photos", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// toPhotos takes a resident through a report up to the photos step.
func toPhotos(c *conversation) {
	c.t.Helper()
	c.choose("p:" + assistant.SlugReport)
	c.choose(assistant.ChoiceSkip)
	c.choose("opt:theft")
	c.choose("opt:" + assistant.HappeningOver)
	c.say("Hai thanh niên đi xe máy giật túi xách của một bà cụ")
	c.say("Trước cổng chung cư, 12 Nguyễn Huệ")
	c.say(time.Now().Format("02/01/2006"))
	c.expect(assistant.StageCollect, "Chụp ảnh", "tối đa 5 ảnh")
	if p := c.last.Photos; p == nil || p.URL != "/api/v1/sessions/"+c.id+"/photos" || p.Label != "Chụp ảnh" {
		c.t.Fatalf("photos step offers no camera: %+v", p)
	}
	if c.last.Field == nil || c.last.Field.Name != assistant.PhotoField || !c.hasChoice(assistant.ChoiceNext) ||
		!c.hasChoice(assistant.ChoiceSkip) || !c.hasChoice(assistant.ChoiceBack) || !c.hasChoice(assistant.ChoiceHandoff) {
		c.t.Fatalf("photos step: field %+v choices %+v", c.last.Field, c.last.Choices)
	}
}

// Photos from the station's camera reach the stored report through the
// reports service, their EXIF stripped.
func TestReportWithPhotos(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)

	// Before the report, the station takes no photo.
	if status, body := e.upload(t, c.id, cameraJPEG(t, 10), true); status != http.StatusConflict || errorCode(body) != "photo_not_expected" {
		t.Fatalf("photo before the report: %d %v", status, body)
	}
	toPhotos(c)
	c.choose(assistant.ChoiceNext) // "Tiếp tục" before any photo
	c.expect(assistant.StageCollect, "chưa nhận được ảnh nào")

	for _, tc := range []struct {
		name   string
		data   []byte
		multi  bool
		status int
		code   string
	}{
		{"a camera JPEG, multipart", cameraJPEG(t, 20), true, http.StatusCreated, ""},
		{"a camera JPEG as the body", cameraJPEG(t, 30), false, http.StatusCreated, ""},
		{"not an image", []byte("%PDF-1.4 not a photo"), true, http.StatusUnsupportedMediaType, "photo_type"},
		{"a broken JPEG", []byte("\xff\xd8\xff\xe0 broken"), false, http.StatusBadRequest, "photo_unreadable"},
		// Security review, High 2: bombs are refused from their header.
		{"a 40-megapixel PNG bomb", imagelimittest.PNG(8000, 5000), true, http.StatusRequestEntityTooLarge, "image_too_large"},
		{"a 16k × 16k JPEG turned by EXIF", imagelimittest.JPEG(16384, 16384, 6), false, http.StatusRequestEntityTooLarge, "image_too_large"},
	} {
		status, body := e.upload(t, c.id, tc.data, tc.multi)
		if status != tc.status || errorCode(body) != tc.code {
			t.Fatalf("%s: %d %v", tc.name, status, body)
		}
		if msg, _ := body["message"].(string); status == http.StatusCreated && !strings.HasPrefix(msg, "Trạm đã nhận ") {
			t.Fatalf("%s: the kiosk is not told how many photos it holds: %v", tc.name, body)
		}
	}
	c.say("xong rồi")
	c.expect(assistant.StageCollect, "2 ảnh")
	c.choose(assistant.ChoiceSkip) // name
	c.choose(assistant.ChoiceSkip) // phone: anonymous
	c.expect(assistant.StageReview, "Ảnh chụp: 2 ảnh")
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, "Mã theo dõi tin báo")

	ctx := context.Background()
	rows, err := e.pool.Query(ctx, `SELECT m.kind, m.data FROM report_media m JOIN reports r ON r.id = m.report_id
		WHERE r.code = $1 ORDER BY m.position`, c.last.Report.Code)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var kind string
		var data []byte
		if err := rows.Scan(&kind, &data); err != nil {
			t.Fatal(err)
		}
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil || kind != "photo" {
			t.Fatalf("stored %s does not decode: %v", kind, err)
		}
		if bytes.Contains(data, []byte("Exif")) || bytes.Contains(data, []byte("STATION")) {
			t.Fatal("the stored photo keeps its EXIF")
		}
		n++
	}
	if rows.Err() != nil || n != 2 {
		t.Fatalf("report has %d photos (%v), want 2", n, rows.Err())
	}
	var kept int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM assistant_photos`).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("%d photos still kept with the conversation (%v)", kept, err)
	}
}

// At most five photos; those of a visit that ends unsent are erased.
func TestReportPhotosLimitAndErasure(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	toPhotos(c)
	for i := range 5 {
		if status, body := e.upload(t, c.id, cameraJPEG(t, uint8(i*40)), true); status != http.StatusCreated || body["count"] != float64(i+1) {
			t.Fatalf("photo %d: %d %v", i+1, status, body)
		}
	}
	status, body := e.upload(t, c.id, cameraJPEG(t, 250), true)
	if status != http.StatusRequestEntityTooLarge || errorCode(body) != "too_many_photos" ||
		!strings.Contains(body["error"].(map[string]any)["message"].(string), "tối đa 5 ảnh") {
		t.Fatalf("sixth photo: %d %v", status, body)
	}
	c.choose(assistant.ChoiceBack) // back to "when"
	if c.last.Field == nil || c.last.Field.Name != "occurred_at" {
		t.Fatalf("back from the photos asks %+v", c.last.Field)
	}
	if status, body := e.upload(t, c.id, cameraJPEG(t, 5), true); status != http.StatusConflict || errorCode(body) != "photo_not_expected" {
		t.Fatalf("photo while another step is asked: %d %v", status, body)
	}
	// The visit ends unsent: the kiosk calls the assistant's eraser.
	err := pgx.BeginFunc(context.Background(), e.pool, func(tx pgx.Tx) error {
		_, err := e.assistant.Store().EraseKioskSession(context.Background(), tx, e.visitID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var kept int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_photos`).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("%d photos left after the visit ended (%v)", kept, err)
	}
}
