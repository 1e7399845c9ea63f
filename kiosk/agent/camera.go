package agent

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Camera takes one picture with the station's document camera through
// ffmpeg: a V4L2 device (/dev/video0) at a station, or, in tests, any input
// ffmpeg reads (format image2 and a card's image file), as SANE's pnm
// backend stands in for the flatbed.
type Camera struct {
	// Program is ffmpeg.
	Program string
	// Device is what ffmpeg reads: /dev/video0 for V4L2.
	Device string
	// Format is ffmpeg's input format: v4l2 at a station.
	Format string
	// Args are more input options, e.g. "-input_format mjpeg -video_size 1920x1080".
	Args []string

	inUse
}

var (
	errCameraMissing = apperr.New(apperr.Unavailable, "camera_missing", "Trạm chưa nhận được máy chụp giấy tờ. Bác chạm “Gọi cán bộ”, hoặc tự nhập thông tin.")
	errCameraBusy    = apperr.New(apperr.Conflict, "camera_busy", "Máy chụp giấy tờ đang bận. Bác chờ vài giây rồi thử lại.")
)

// Capture takes one picture as PNG; nothing is written to disk.
func (c *Camera) Capture(ctx context.Context) ([]byte, error) {
	return c.use(errCameraBusy, func() ([]byte, error) { return c.capture(ctx) })
}

func (c *Camera) capture(ctx context.Context) ([]byte, error) {
	if _, err := os.Stat(c.Device); err != nil {
		return nil, apperr.Wrap(err, errCameraMissing.Kind, errCameraMissing.Code, errCameraMissing.Message)
	}
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-f", c.Format}
	args = append(args, c.Args...)
	args = append(args, "-i", c.Device, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-")
	cmd := exec.CommandContext(ctx, c.Program, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil || out.Len() == 0 {
		return nil, apperr.Wrap(fmt.Errorf("%s: %v: %s", c.Program, err, strings.TrimSpace(stderr.String())),
			apperr.Unavailable, "camera_failed", "Máy chụp giấy tờ không chụp được. Bác thử lại, hoặc chạm “Gọi cán bộ”.")
	}
	return out.Bytes(), nil
}

// Status is the camera's state as the heartbeat reports it: noDevice when
// its device file is gone, deviceBusy while taking a picture,
// hardwareError after a picture failed, online otherwise.
func (c *Camera) Status() kiosk.Peripheral {
	out := kiosk.Peripheral{ID: "camera", Class: "camera", Status: "online", Model: filepath.Base(c.Device)}
	busy, last := c.state()
	switch _, err := os.Stat(c.Device); {
	case busy:
		out.Status = "deviceBusy"
	case err != nil:
		out.Status, out.ErrorCode = "noDevice", "camera_missing"
	case last != "":
		out.Status, out.ErrorCode = "hardwareError", last
	}
	return out
}
