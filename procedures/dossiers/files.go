package dossiers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the sizes of scans
	_ "image/png"

	_ "golang.org/x/image/webp"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// fileStore keeps attachment files under the data directory, named by the
// SHA-256 of their content: the same scan uploaded twice is stored once, and
// a name says nothing about whose it is.
type fileStore struct{ dir string }

// acceptedTypes are the sniffed content types taken as attachments.
var acceptedTypes = map[string]bool{
	"image/jpeg":      true,
	"image/png":       true,
	"image/webp":      true,
	"application/pdf": true,
}

// path is where the file with hex digest sha lives.
func (fs fileStore) path(sha string) string {
	return filepath.Join(fs.dir, "attachments", sha[:2], sha)
}

// upload is a file received but not yet in place.
type upload struct {
	tmp         string
	sha         string
	size        int64
	contentType string
}

// receive copies r into a temporary file, at most max bytes, hashing and
// sniffing it on the way.
func (fs fileStore) receive(r io.Reader, max int64) (*upload, error) {
	dir := filepath.Join(fs.dir, "attachments")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	u := &upload{tmp: f.Name()}
	fail := func(err error) (*upload, error) {
		os.Remove(u.tmp)
		return nil, err
	}
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fail(readError(err))
	}
	head = head[:n]
	if n == 0 {
		return fail(apperr.New(apperr.Invalid, "file_empty", "Tệp gửi lên bị trống."))
	}
	u.contentType = http.DetectContentType(head)
	if !acceptedTypes[u.contentType] {
		return fail(apperr.New(apperr.Unsupported, "file_type", "Chỉ nhận ảnh chụp (JPEG, PNG, WebP) hoặc tệp PDF."))
	}
	w := io.MultiWriter(f, h)
	if _, err := w.Write(head); err != nil {
		return fail(err)
	}
	rest, err := io.Copy(w, io.LimitReader(r, max-int64(n)+1))
	if err != nil {
		return fail(readError(err))
	}
	u.size = int64(n) + rest
	if u.size > max {
		return fail(apperr.Errorf(apperr.TooLarge, "file_too_large", "Tệp quá lớn (tối đa %d MB).", max>>20))
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	u.sha = hex.EncodeToString(h.Sum(nil))
	return u, nil
}

// place moves the upload to its content address; if the same content is
// already there, the upload is dropped.
func (fs fileStore) place(u *upload) (string, error) {
	dst := fs.path(u.sha)
	if _, err := os.Stat(dst); err == nil {
		os.Remove(u.tmp)
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", err
	}
	if err := os.Rename(u.tmp, dst); err != nil {
		return "", fmt.Errorf("store attachment: %w", err)
	}
	return dst, nil
}

func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.Wrap(err, apperr.TooLarge, "file_too_large", "Tệp quá lớn.")
	}
	return apperr.Wrap(err, apperr.Invalid, "upload_broken", "Tệp gửi lên bị gián đoạn. Xin thử lại.")
}

// imageSize is the pixel size of an image attachment, read from its header;
// zero for a PDF or a file that cannot be read.
func (fs fileStore) imageSize(a Attachment) (width, height int) {
	if a.ContentType != "image/jpeg" && a.ContentType != "image/png" && a.ContentType != "image/webp" {
		return 0, 0
	}
	f, err := os.Open(fs.path(a.SHA256))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}
