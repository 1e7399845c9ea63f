package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Printer prints the kiosk's papers on an IPP printer (a receipt printer
// behind CUPS, or an IPP Everywhere printer) and follows each job to its
// end.
type Printer struct {
	ipp *ippClient
	// Poll is how often a job's state is read while it prints.
	Poll time.Duration
	// Limit is how long a job may take before it counts as failed.
	Limit time.Duration
}

// NewPrinter returns the printer at uri (ipp://host:port/path).
func NewPrinter(uri string) *Printer {
	return &Printer{ipp: &ippClient{uri: uri, http: &http.Client{Timeout: 10 * time.Second}},
		Poll: 250 * time.Millisecond, Limit: 2 * time.Minute}
}

// Status reads the printer's state as the heartbeat reports it: online,
// deviceBusy while it prints, offline when it does not answer, userError
// (with the paper state) when it is out of paper or jammed, hardwareError
// for any other reason it stopped.
func (p *Printer) Status(ctx context.Context) kiosk.Peripheral {
	out := kiosk.Peripheral{ID: "printer", Class: "receipt_printer", Status: "online", Paper: "full"}
	r, err := p.ipp.do(ctx, opGetPrinterAttributes, []ippAttr{
		ippString(tagKeyword, "requested-attributes", "printer-state"),
		ippString(tagKeyword, "", "printer-state-reasons"),
		ippString(tagKeyword, "", "printer-make-and-model"),
	}, nil)
	if err != nil || r.Status >= 0x0400 {
		out.Status, out.Paper, out.ErrorCode = "offline", "", "unreachable"
		return out
	}
	if m := r.strings("printer-make-and-model"); len(m) > 0 {
		out.Model = truncate(m[0], 100)
	}
	state, _ := r.int("printer-state")
	reasons := r.strings("printer-state-reasons")
	has := func(prefix string) bool {
		return slices.ContainsFunc(reasons, func(s string) bool { return strings.HasPrefix(s, prefix) })
	}
	switch {
	case has("media-empty") || has("media-needed"):
		out.Status, out.Paper, out.ErrorCode = "userError", "out", "media_empty"
	case has("media-jam"):
		out.Status, out.Paper, out.ErrorCode = "userError", "jammed", "media_jam"
	case has("offline") || has("shutdown"):
		out.Status, out.ErrorCode = "offline", "offline"
	case state == printerStopped:
		out.Status, out.ErrorCode = "hardwareError", truncate(strings.Join(reasons, ","), 64)
	case state == printerProcessing:
		out.Status = "deviceBusy"
	}
	if has("media-low") && out.Paper == "full" {
		out.Paper = "low"
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Errors of printing, each with a sentence for the resident.
var (
	errPrinterOffline = apperr.New(apperr.Unavailable, "printer_offline", "Máy in đang tạm ngưng. Bác ghi lại mã tra cứu trên màn hình, hoặc chạm “Gọi cán bộ”.")
	errPrintFailed    = apperr.New(apperr.Unavailable, "print_failed", "Máy in không in được (có thể hết giấy hoặc kẹt giấy). Bác ghi lại mã tra cứu, hoặc chạm “Gọi cán bộ”.")
	errPrintTooSlow   = apperr.New(apperr.Timeout, "print_timeout", "Máy in không in xong. Bác ghi lại mã tra cứu, hoặc chạm “Gọi cán bộ”.")
)

// Print sends a PDF as one job and waits until the printer says it is
// done; a job stopped, cancelled or aborted, or not done within Limit, is
// an error. It returns the job's id.
func (p *Printer) Print(ctx context.Context, pdf []byte, name string) (int, error) {
	r, err := p.ipp.do(ctx, opPrintJob, []ippAttr{
		ippString(tagName, "requesting-user-name", "citizenstation"),
		ippString(tagName, "job-name", truncate(name, 200)),
		ippString(tagMimeType, "document-format", "application/pdf"),
	}, bytes.NewReader(pdf))
	if err != nil {
		return 0, apperr.Wrap(err, apperr.Unavailable, errPrinterOffline.Code, errPrinterOffline.Message)
	}
	id, ok := r.int("job-id")
	if r.Status >= 0x0400 || !ok {
		return 0, apperr.Wrap(fmt.Errorf("print-job: status 0x%04x", r.Status), apperr.Unavailable, errPrintFailed.Code, errPrintFailed.Message)
	}
	ctx, cancel := context.WithTimeout(ctx, p.Limit)
	defer cancel()
	for {
		state, reasons, err := p.jobState(ctx, id)
		switch {
		case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
			return id, errPrintTooSlow
		case err != nil:
			return id, apperr.Wrap(err, apperr.Unavailable, errPrinterOffline.Code, errPrinterOffline.Message)
		case state == jobCompleted:
			return id, nil
		case state == jobCanceled || state == jobAborted || state == jobProcessingStopped:
			return id, apperr.Wrap(fmt.Errorf("job %d ended in state %d (%s)", id, state, strings.Join(reasons, ",")),
				apperr.Unavailable, errPrintFailed.Code, errPrintFailed.Message)
		}
		select {
		case <-ctx.Done():
			return id, errPrintTooSlow
		case <-time.After(p.Poll):
		}
	}
}

func (p *Printer) jobState(ctx context.Context, id int) (int, []string, error) {
	r, err := p.ipp.do(ctx, opGetJobAttributes, []ippAttr{
		ippInt(tagInteger, "job-id", int32(id)),
		ippString(tagKeyword, "requested-attributes", "job-state"),
		ippString(tagKeyword, "", "job-state-reasons"),
	}, nil)
	if err != nil {
		return 0, nil, err
	}
	state, ok := r.int("job-state")
	if !ok {
		return 0, nil, fmt.Errorf("get-job-attributes: status 0x%04x, no job-state", r.Status)
	}
	return state, r.strings("job-state-reasons"), nil
}
