package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Speaker reads text aloud with espeak-ng, in Vietnamese or, for the
// tourist information's English screen, in English, each with its own voice.
// espeak-ng is a process per request, so a semaphore bounds how many run at
// once: a kiosk fleet pressing "Nghe đọc" together must not starve the
// server's two cores. A request that cannot get a slot soon is told to retry.
type Speaker struct {
	program  string
	slots    chan struct{}
	maxChars int
	// wait is how long a request waits for a free slot.
	wait time.Duration
}

// NewSpeaker returns a Speaker running program with at most concurrency
// processes, each reading at most maxChars characters.
func NewSpeaker(program string, concurrency, maxChars int) *Speaker {
	return &Speaker{program: program, slots: make(chan struct{}, concurrency), maxChars: maxChars, wait: 3 * time.Second}
}

// Speak checks text and writes it as WAV audio to w as espeak-ng produces
// it, so playback can start before the whole reply is synthesised. The text
// goes to espeak-ng on standard input, never as an argument, so nothing in it
// is read as an option.
func (s *Speaker) Speak(ctx context.Context, text, lang string, start func(), w io.Writer) error {
	text, err := s.clean(text)
	if err != nil {
		return err
	}
	voice, err := voiceFor(lang)
	if err != nil {
		return err
	}
	timer := time.NewTimer(s.wait)
	defer timer.Stop()
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-timer.C:
		e := apperr.New(apperr.RateLimited, "speech_busy", "Máy đọc đang bận. Xin thử lại sau giây lát.")
		e.RetryAfter = 2 * time.Second
		return e
	case <-ctx.Done():
		return ctx.Err()
	}
	cmd := exec.CommandContext(ctx, s.program, "-v", voice, "-s", "140", "--stdout")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "speech_failed", "Không đọc được nội dung này.")
	}
	if err := cmd.Start(); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "speech_unavailable", "Chức năng đọc to tạm thời không dùng được.")
	}
	// Read the first bytes before answering, so a failing program is an
	// error response rather than a broken audio stream.
	head := make([]byte, 44)
	n, rerr := io.ReadFull(out, head)
	if rerr != nil {
		cmd.Wait()
		return apperr.Wrap(rerr, apperr.Internal, "speech_failed", "Không đọc được nội dung này.")
	}
	start()
	if _, err := w.Write(head[:n]); err != nil {
		cmd.Wait()
		return err
	}
	if _, err := io.Copy(w, out); err != nil {
		cmd.Wait()
		return err
	}
	return cmd.Wait()
}

// voices are espeak-ng's voices for the languages a screen is shown in;
// no language is Vietnamese.
var voices = map[string]string{"": "vi", "vi": "vi", "en": "en-us"}

// voiceFor is the voice reading lang, or an error for a language the
// station does not speak.
func voiceFor(lang string) (string, error) {
	v, ok := voices[lang]
	if !ok {
		return "", apperr.New(apperr.Invalid, "speech_invalid_lang", "Trạm chỉ đọc được tiếng Việt và tiếng Anh.")
	}
	return v, nil
}

// clean normalises text and refuses what cannot or should not be read.
func (s *Speaker) clean(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", apperr.New(apperr.Invalid, "speech_invalid_text", "Nội dung cần đọc không hợp lệ.")
	}
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, vietnamese.NFC(text))
	text = strings.TrimSpace(text)
	if text == "" {
		return "", apperr.New(apperr.Invalid, "speech_empty", "Không có nội dung để đọc.")
	}
	if utf8.RuneCountInString(text) > s.maxChars {
		return "", apperr.Errorf(apperr.TooLarge, "speech_too_long", "Nội dung quá dài để đọc một lần (tối đa %d ký tự).", s.maxChars)
	}
	return text, nil
}

type speechRequest struct {
	Text string `json:"text"`
	Lang string `json:"lang"` // "vi" (or empty) or "en"
}

// speak is POST /api/v1/speech {"text": "...", "lang": "en"} → audio/wav. The text travels
// in the body, not the URL, because a reply may contain the resident's data.
func (s *Handler) speak(c *gin.Context) {
	var req speechRequest
	if !httpserver.BindJSON(c, &req) {
		return
	}
	started := false
	err := s.speaker.Speak(c.Request.Context(), req.Text, req.Lang, func() {
		started = true
		c.Header("Content-Type", "audio/wav")
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
	}, c.Writer)
	if err != nil && !started {
		httpserver.Error(c, err)
		return
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		httpserver.LoggerFrom(c).Warn("speech stream ended early", "err", err)
	}
}
