package ocr

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/imagelimit/imagelimittest"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/kiosktest"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// upload builds a multipart request to POST /api/v1/ocr.
func upload(t *testing.T, file []byte, fields map[string]string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if file != nil {
		fw, err := w.CreateFormFile("file", "scan.png")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/ocr", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

// bombPNG is a valid PNG header claiming 10000 × 5000 pixels (50 MP) with
// almost no data behind it: it must be refused before decoding.
func bombPNG(t *testing.T) []byte {
	t.Helper()
	data := pngOf(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	// IHDR starts at byte 16: width, height, big-endian.
	copy(data[16:], []byte{0, 0, 0x27, 0x10, 0, 0, 0x13, 0x88})
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

// TestOCREndpoint is one table of requests against one server, pool and
// database, since the cases share the stations, the visit and the results
// stored by earlier ones; it is longer than 80 lines for the table.
func TestOCREndpoint(t *testing.T) {
	pool := testPool(t)
	db := dbtest.New(t)
	svc := NewService(NewReader(pool), NewStore(db, t.TempDir(), seal.Ephemeral()))
	svc.Stations = kiosk.NewService(db, kiosk.DefaultConfig(), nil)
	handler := httpserver.New(httpserver.Options{}, &Handler{Service: svc}).Handler()
	station, other := kiosktest.Add(t, svc.Stations.(*kiosk.Service), ""), kiosktest.Add(t, svc.Stations.(*kiosk.Service), "")
	visit := station.Visit(t)
	as := func(bearer string, req *http.Request) *http.Request {
		req.Header.Set("Authorization", bearer)
		return req
	}

	card := testPage(t, 7, corpus.Front, corpus.Clean)
	clean := pngOf(t, blankPage(600, 400))
	var huge bytes.Buffer
	huge.Write(clean[:64])
	huge.Write(make([]byte, MaxBytes))

	tests := []struct {
		name       string
		req        *http.Request
		status     int
		code       string
		retryAfter bool
	}{
		{"an ID card's front", upload(t, card.Image, map[string]string{"kiosk_session_id": visit}), 200, "", false},
		{"no device token", as("", upload(t, card.Image, nil)), 401, "device_token_invalid", false},
		{"a forged device token", as("Bearer cst_forged", upload(t, card.Image, nil)), 401, "device_token_invalid", false},
		{"another station's visit", as(other.Bearer(), upload(t, card.Image, map[string]string{"kiosk_session_id": visit})), 400, "kiosk_session_invalid", false},
		{"no file", upload(t, nil, nil), 400, "file_missing", false},
		{"an empty file", upload(t, []byte{}, nil), 400, "empty_file", false},
		{"text named .png", upload(t, []byte("Xin chào, đây không phải là ảnh."), nil), 415, "not_an_image", false},
		{"a PDF", upload(t, []byte("%PDF-1.7\n..."), nil), 415, "pdf_not_supported", false},
		{"a truncated PNG", upload(t, card.Image[:len(card.Image)/2], nil), 400, "damaged_image", false},
		{"a PNG header only", upload(t, card.Image[:20], nil), 400, "damaged_image", false},
		{"over 15 MB", upload(t, huge.Bytes(), nil), 413, "", false},
		{"a 50-megapixel bomb", upload(t, bombPNG(t), nil), 413, "image_too_large", false},
		{"a 40-megapixel bomb, all its data there", upload(t, imagelimittest.PNG(8000, 5000), nil), 413, "image_too_large", false},
		{"a 16k × 16k JPEG turned by EXIF", upload(t, imagelimittest.JPEG(16384, 16384, 6), nil), 413, "image_too_large", false},
		{"a blank page", upload(t, clean, nil), 400, "no_text", false},
		{"an unknown kind", upload(t, card.Image, map[string]string{"kind": "visa"}), 400, "unknown_kind", false},
		{"a QR asked of a form", upload(t, clean, map[string]string{"kind": "cccd_qr"}), 400, "qr_not_found", false},
		{"a kiosk session id too long", upload(t, card.Image, map[string]string{"kiosk_session_id": strings.Repeat("x", 200)}), 400, "kiosk_session_invalid", false},
		// This branch runs without the catalogue: a form's procedure
		// cannot be looked up, and the service says so rather than guess.
		{"a procedure without the catalogue", upload(t, card.Image, map[string]string{"procedure": "dang-ky-tam-tru"}), 503, "catalogue_unavailable", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, set := tt.req.Header["Authorization"]; !set {
				tt.req.Header.Set("Authorization", station.Bearer())
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, tt.req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.code != "" {
				var e httpserver.ErrorBody
				json.Unmarshal(rec.Body.Bytes(), &e)
				if e.Error.Code != tt.code || e.Error.Message == "" {
					t.Fatalf("error = %+v, want code %s with a message", e.Error, tt.code)
				}
			}
		})
	}

	// Without a visit a scan is read and shown, never kept: there is no
	// visit to erase it with (security review, Medium).
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, as(station.Bearer(), upload(t, card.Image, nil)))
	var unbound response
	json.Unmarshal(rec.Body.Bytes(), &unbound)
	var kept int
	db.QueryRow(context.Background(), `SELECT count(*) FROM ocr_results WHERE kiosk_session_id IS NULL`).Scan(&kept)
	if rec.Code != 200 || unbound.ID != "" || unbound.Fields["id_number"].Value != card.Fields["id_number"] || kept != 0 {
		t.Fatalf("a scan without a visit: %d, id %q, %d kept", rec.Code, unbound.ID, kept)
	}

	// The card's result has the shape and is stored, but is never
	// served back by its id.
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, as(station.Bearer(), upload(t, card.Image, map[string]string{"kiosk_session_id": station.Visit(t)})))
	var got map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "kind", "fields", "text", "warnings", "duration_ms"} {
		if _, ok := got[k]; !ok {
			t.Errorf("response lacks %q: %s", k, rec.Body)
		}
	}
	var res response
	json.Unmarshal(rec.Body.Bytes(), &res)
	if res.Kind != KindCCCDFront || res.Fields["id_number"].Value != card.Fields["id_number"] || res.Fields["id_number"].Source != SourceQR {
		t.Fatalf("result = %+v, want the card's id %s from the QR", res, card.Fields["id_number"])
	}
	stored, err := svc.Get(context.Background(), res.ID)
	if err != nil || stored.Fields["date_of_birth"].Value != card.Fields["date_of_birth"] {
		t.Fatalf("stored result: %+v, %v", stored, err)
	}
	// Personal data is never served back over HTTP.
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/ocr/"+res.ID, nil))
	if rec.Code != 404 || strings.Contains(rec.Body.String(), card.Fields["id_number"]) {
		t.Fatalf("GET stored result: %d %s", rec.Code, rec.Body)
	}
}

func TestBusyPoolAnswers503WithRetryAfter(t *testing.T) {
	pool, err := NewPool(Config{Workers: 1, Queue: 0, QueueTimeout: time.Second, Languages: []string{"vie"}})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := dbtest.New(t)
	svc := NewService(NewReader(pool), NewStore(db, t.TempDir(), seal.Ephemeral()))
	svc.Stations = kiosk.NewService(db, kiosk.DefaultConfig(), nil)
	handler := httpserver.New(httpserver.Options{}, &Handler{Service: svc}).Handler()
	station := kiosktest.Add(t, svc.Stations.(*kiosk.Service), "")

	// Hold the only worker.
	held, release := make(chan struct{}), make(chan struct{})
	go pool.Do(context.Background(), func(*Client) error {
		close(held)
		<-release
		return nil
	})
	<-held
	rec := httptest.NewRecorder()
	req := upload(t, testPage(t, 3, corpus.Form, corpus.Clean).Image, nil)
	req.Header.Set("Authorization", station.Bearer())
	handler.ServeHTTP(rec, req)
	close(release)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503; %s", rec.Code, rec.Body)
	}
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
	body, _ := io.ReadAll(rec.Body)
	if !strings.Contains(string(body), "ocr_busy") {
		t.Fatalf("body = %s", body)
	}
}
