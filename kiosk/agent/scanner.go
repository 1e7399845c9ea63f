package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Scanner scans through SANE's scanimage: a flatbed (or SANE's test and
// pnm backends in tests, the latter "scanning" a given image file).
type Scanner struct {
	// Program is scanimage.
	Program string
	// Device is the SANE device name (`scanimage -L`), e.g. "genesys:libusb:001:004".
	Device string
	// Resolution is the scan's dpi: 300 is what OCR of ID cards wants.
	Resolution int
	// Args are more options for the device, e.g. "--filename=card.pnm" for pnm.
	Args []string

	inUse
}

// SANE's status codes, which scanimage exits with when a read fails.
var saneErrors = map[int]*apperr.Error{
	3:  apperr.New(apperr.Conflict, "scanner_busy", "Máy quét đang bận. Bác chờ vài giây rồi thử lại."),
	6:  apperr.New(apperr.Unavailable, "scanner_jammed", "Giấy bị kẹt trong máy quét. Bác chạm “Gọi cán bộ” để được giúp."),
	7:  apperr.New(apperr.Invalid, "scanner_no_document", "Máy quét chưa thấy giấy tờ. Bác đặt giấy tờ úp xuống mặt kính rồi thử lại."),
	8:  apperr.New(apperr.Invalid, "scanner_cover_open", "Nắp máy quét đang mở. Bác đặt giấy tờ úp xuống mặt kính, đóng nắp rồi thử lại."),
	9:  apperr.New(apperr.Unavailable, "scanner_io_error", "Máy quét gặp lỗi. Bác thử lại, hoặc chạm “Gọi cán bộ”."),
	11: apperr.New(apperr.Unavailable, "scanner_access_denied", "Máy quét chưa sẵn sàng. Bác chạm “Gọi cán bộ” để được giúp."),
}

var errScannerMissing = apperr.New(apperr.Unavailable, "scanner_missing", "Trạm chưa nhận được máy quét. Bác chạm “Gọi cán bộ”, hoặc tự nhập thông tin.")

// Scan scans one page to PNG; nothing is written to disk.
func (s *Scanner) Scan(ctx context.Context) ([]byte, error) {
	return s.use(saneErrors[3], func() ([]byte, error) { return s.scan(ctx) })
}

func (s *Scanner) scan(ctx context.Context) ([]byte, error) {
	args := append([]string{"-d", s.Device, "--format=png", "--resolution", strconv.Itoa(s.Resolution)}, s.Args...)
	cmd := exec.CommandContext(ctx, s.Program, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil && out.Len() > 0:
		return out.Bytes(), nil
	case errors.As(err, &exit) && saneErrors[exit.ExitCode()] != nil:
		e := saneErrors[exit.ExitCode()]
		return nil, apperr.Wrap(fmt.Errorf("scanimage: %s", strings.TrimSpace(stderr.String())), e.Kind, e.Code, e.Message)
	case strings.Contains(stderr.String(), "open of device"):
		return nil, apperr.Wrap(fmt.Errorf("scanimage: %s", strings.TrimSpace(stderr.String())), errScannerMissing.Kind, errScannerMissing.Code, errScannerMissing.Message)
	}
	return nil, apperr.Wrap(fmt.Errorf("scanimage: %v: %s", err, strings.TrimSpace(stderr.String())),
		apperr.Unavailable, "scanner_failed", "Máy quét không quét được. Bác thử lại, hoặc chạm “Gọi cán bộ”.")
}

// Status is the scanner's state as the heartbeat reports it: noDevice when
// SANE does not list it, deviceBusy while scanning, userError after a scan
// failed for something the resident can fix (lid open, no document),
// hardwareError after any other failure, online otherwise.
func (s *Scanner) Status(ctx context.Context) kiosk.Peripheral {
	out := kiosk.Peripheral{ID: "scanner", Class: "document_scanner", Status: "online"}
	busy, last := s.state()
	if busy {
		out.Status = "deviceBusy"
		return out
	}
	list, err := exec.CommandContext(ctx, s.Program, "-f", "%d%n").Output()
	if err != nil || !containsLine(string(list), s.Device) {
		out.Status, out.ErrorCode = "noDevice", "scanner_missing"
		return out
	}
	switch last {
	case "":
	case "scanner_cover_open", "scanner_no_document":
		out.Status, out.ErrorCode = "userError", last
	default:
		out.Status, out.ErrorCode = "hardwareError", last
	}
	return out
}

// inUse is what a device remembers between uses: whether it is in use
// now, and the error code of its last use until one succeeds.
type inUse struct {
	mu      sync.Mutex
	busy    bool
	lastErr string
}

// use runs read unless the device is in use already (then busy is the
// error), and remembers how it ended.
func (d *inUse) use(busy error, read func() ([]byte, error)) ([]byte, error) {
	d.mu.Lock()
	if d.busy {
		d.mu.Unlock()
		return nil, busy
	}
	d.busy = true
	d.mu.Unlock()
	out, err := read()
	d.mu.Lock()
	d.busy, d.lastErr = false, ""
	if err != nil {
		d.lastErr = apperr.CodeOf(err)
	}
	d.mu.Unlock()
	return out, err
}

// state says whether the device is in use and how its last use failed.
func (d *inUse) state() (busy bool, lastErr string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.busy, d.lastErr
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}
