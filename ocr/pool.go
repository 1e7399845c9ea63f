package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otiai10/gosseract/v2"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Pool lends a fixed set of long-lived Tesseract clients, one goroutine at a
// time each (a gosseract client is not safe for concurrent use). Loading
// the language data costs far more than a recognition, so clients are made
// once and reused. Requests beyond the workers wait in a bounded queue for
// at most the queue timeout; when the queue is full they are refused at once
// with apperr.Unavailable and a Retry-After, never piled up.
type Pool struct {
	idle    chan *Client
	admit   chan struct{} // one token per worker or waiting slot
	timeout time.Duration
	workers int
	// avgNanos is a moving average of how long a client is held, for the
	// Retry-After estimate.
	avgNanos atomic.Int64
	closeMu  sync.Mutex
	closed   bool
	all      []*Client
}

// NewPool starts cfg.Workers clients with cfg.Languages loaded.
func NewPool(cfg Config) (*Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pool{
		idle:    make(chan *Client, cfg.Workers),
		admit:   make(chan struct{}, cfg.Workers+cfg.Queue),
		timeout: cfg.QueueTimeout,
		workers: cfg.Workers,
	}
	p.avgNanos.Store(int64(500 * time.Millisecond))
	for range cfg.Workers {
		c, err := newClient(cfg.Languages, cfg.Tessdata)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.all = append(p.all, c)
		p.idle <- c
	}
	return p, nil
}

// Workers is the number of clients.
func (p *Pool) Workers() int { return p.workers }

// Do runs fn with a client of its own. fn must not keep the client.
func (p *Pool) Do(ctx context.Context, fn func(*Client) error) error {
	select {
	case p.admit <- struct{}{}:
	default:
		return p.busy(nil)
	}
	defer func() { <-p.admit }()

	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	var c *Client
	select {
	case c = <-p.idle:
	case <-timer.C:
		return p.busy(errors.New("waited the whole queue timeout for a Tesseract client"))
	case <-ctx.Done():
		return ctx.Err()
	}
	start := time.Now()
	defer func() {
		c.reset()
		p.idle <- c
		d := time.Since(start).Nanoseconds()
		old := p.avgNanos.Load()
		p.avgNanos.Store(old + (d-old)/8)
	}()
	return fn(c)
}

func (p *Pool) busy(cause error) error {
	// The wait for a slot is about the queue's length of recognitions
	// shared by the workers.
	wait := time.Duration(p.avgNanos.Load()) * time.Duration(cap(p.admit)) / time.Duration(p.workers)
	return &apperr.Error{
		Kind:       apperr.Unavailable,
		Code:       "ocr_busy",
		Message:    "Máy đọc giấy tờ đang bận. Xin vui lòng thử lại sau ít giây.",
		RetryAfter: max(wait, time.Second),
		Err:        cause,
	}
}

// Close waits for every client to come back and frees it. Do must not be
// called after Close.
func (p *Pool) Close() {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for range p.all {
		(<-p.idle).close()
	}
}

// Client is one worker's Tesseract engines, lent by a Pool: one with the
// configured languages for text, and one with only Latin (eng) for the MRZ,
// whose OCR-B digits the Vietnamese model misreads (3 as 5). Switching a
// client's languages would reload its data on every call, so a worker keeps
// one engine per language set.
type Client struct {
	text, latin *engine
}

// engine is one gosseract client and the variables a call changed, put
// back afterwards so that one request's settings never leak into the next.
type engine struct {
	tess    *gosseract.Client
	touched map[gosseract.SettableVariable]string
}

// Variables every client keeps. Scans carry no resolution, and without one
// gosseract tells Tesseract 70 dpi, which hurts its layout analysis.
var baseVariables = map[gosseract.SettableVariable]string{
	"user_defined_dpi": "300",
	"debug_file":       "/dev/null",
}

// variableDefaults are Tesseract's own values of the variables a call may
// set, restored after each call.
var variableDefaults = map[gosseract.SettableVariable]string{
	gosseract.TESSEDIT_CHAR_WHITELIST: "",
	gosseract.TESSEDIT_CHAR_BLACKLIST: "",
	"preserve_interword_spaces":       "0",
}

func newClient(langs []string, tessdata string) (*Client, error) {
	text, err := newEngine(langs, tessdata)
	if err != nil {
		return nil, err
	}
	latin, err := newEngine([]string{"eng"}, "")
	if err != nil {
		text.tess.Close()
		return nil, err
	}
	return &Client{text: text, latin: latin}, nil
}

func newEngine(langs []string, tessdata string) (*engine, error) {
	t := gosseract.NewClient()
	if tessdata != "" {
		if err := t.SetTessdataPrefix(tessdata); err != nil {
			t.Close()
			return nil, err
		}
	}
	if err := t.SetLanguage(langs...); err != nil {
		t.Close()
		return nil, err
	}
	for k, v := range baseVariables {
		t.SetVariable(k, v)
	}
	e := &engine{tess: t, touched: map[gosseract.SettableVariable]string{}}
	// Load the language data now rather than on the first resident's scan.
	blank := image.NewGray(image.Rect(0, 0, 32, 32))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if _, err := e.recognize(blank, RecognizeOptions{}); err != nil {
		t.Close()
		return nil, fmt.Errorf("tesseract cannot load %v (install tesseract-ocr-vie): %w", langs, err)
	}
	return e, nil
}

func (c *Client) close() {
	c.text.tess.Close()
	c.latin.tess.Close()
}

func (c *Client) reset() {
	c.text.reset()
	c.latin.reset()
}

// RecognizeOptions are the per-call settings of a recognition.
type RecognizeOptions struct {
	// PageSegMode is Tesseract's layout mode; zero means automatic (3).
	PageSegMode gosseract.PageSegMode
	// Whitelist limits the characters Tesseract may answer.
	Whitelist string
	// Latin reads with the English model only (for the MRZ).
	Latin bool
}

// Word is one recognised word with its place in the layout.
type Word struct {
	Text       string
	Confidence float64 // 0–100, as Tesseract gives it
	Box        image.Rectangle
	// Line numbers the word's line in reading order over the page.
	Line int
}

// Recognize reads the words of img. img is sent to Tesseract as an
// uncompressed greyscale bitmap, which costs nothing to encode.
func (c *Client) Recognize(img image.Image, opts RecognizeOptions) ([]Word, error) {
	if opts.Latin {
		return c.latin.recognize(img, opts)
	}
	return c.text.recognize(img, opts)
}

func (c *engine) recognize(img image.Image, opts RecognizeOptions) ([]Word, error) {
	psm := opts.PageSegMode
	if psm == 0 {
		psm = gosseract.PSM_AUTO
	}
	c.tess.SetPageSegMode(psm)
	if opts.Whitelist != "" {
		c.set(gosseract.TESSEDIT_CHAR_WHITELIST, opts.Whitelist)
	}
	if err := c.tess.SetImageFromBytes(encodePGM(img)); err != nil {
		return nil, err
	}
	boxes, err := c.tess.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, err
	}
	words := make([]Word, 0, len(boxes))
	line, lastKey := 0, ""
	for _, b := range boxes {
		text := strings.TrimSpace(b.Word)
		if text == "" {
			continue
		}
		key := strconv.Itoa(b.BlockNum) + "." + strconv.Itoa(b.ParNum) + "." + strconv.Itoa(b.LineNum)
		if key != lastKey {
			line++
			lastKey = key
		}
		words = append(words, Word{Text: text, Confidence: b.Confidence, Box: b.Box, Line: line})
	}
	return words, nil
}

func (c *engine) set(key gosseract.SettableVariable, value string) {
	if _, ok := c.touched[key]; !ok {
		c.touched[key] = variableDefaults[key]
	}
	c.tess.SetVariable(key, value)
}

// reset puts back every variable the last call changed.
func (c *engine) reset() {
	for k, v := range c.touched {
		c.tess.SetVariable(k, v)
		delete(c.tess.Variables, k)
		delete(c.touched, k)
	}
	c.tess.SetPageSegMode(gosseract.PSM_AUTO)
}

// encodePGM writes img as a binary PGM, which Leptonica reads from memory.
func encodePGM(img image.Image) []byte {
	g := toGray(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	header := fmt.Sprintf("P5\n%d %d\n255\n", w, h)
	out := make([]byte, 0, len(header)+w*h)
	out = append(out, header...)
	for y := 0; y < h; y++ {
		off := y * g.Stride
		out = append(out, g.Pix[off:off+w]...)
	}
	return out
}
