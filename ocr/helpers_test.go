package ocr

import (
	"bytes"
	"image"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/ocr/corpus"
)

var (
	sharedOnce sync.Once
	sharedPool *Pool
	sharedErr  error
)

// testPool returns a pool shared by the package's tests: loading the
// language data is the slow part.
func testPool(t testing.TB) *Pool {
	t.Helper()
	sharedOnce.Do(func() {
		sharedPool, sharedErr = NewPool(Config{Workers: 2, Queue: 8, QueueTimeout: time.Minute, Languages: []string{"vie"}})
	})
	if sharedErr != nil {
		t.Fatalf("pool: %v", sharedErr)
	}
	return sharedPool
}

// testPage renders one corpus page.
func testPage(t testing.TB, seed uint64, kind, degradation string) corpus.Page {
	t.Helper()
	pg, err := corpus.Sample(seed, kind, degradation)
	if err != nil {
		t.Fatal(err)
	}
	return pg
}

// testScan is testPage's page and its image as the reader decodes a scan.
func testScan(t testing.TB, seed uint64, kind, degradation string) (corpus.Page, *image.Gray) {
	t.Helper()
	pg := testPage(t, seed, kind, degradation)
	g, _, err := Decode(pg.Image)
	if err != nil {
		t.Fatal(err)
	}
	return pg, g
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func blankPage(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	return g
}
