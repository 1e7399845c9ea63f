// Package loadgen is the load of the operations drill (internal/ops) and of
// `station bench city`: clients that act as kiosks, residents and staff
// over HTTP, their operations, and the latencies per route they measure.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// Latencies are the response times per route, of every request that got
// an answer (retries included: each attempt is a request).
type Latencies struct {
	mu     sync.Mutex
	byPath map[string][]time.Duration
	failed map[string]int
}

func (l *Latencies) Add(route string, d time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byPath == nil {
		l.byPath, l.failed = map[string][]time.Duration{}, map[string]int{}
	}
	l.byPath[route] = append(l.byPath[route], d)
	if !ok {
		l.failed[route]++
	}
}

// Reset forgets what was measured so far (the set-up's requests).
func (l *Latencies) Reset() {
	l.mu.Lock()
	l.byPath, l.failed = nil, nil
	l.mu.Unlock()
}

// Percentile of sorted durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Table prints count, failures, p50, p95 and p99 per route.
func (l *Latencies) Table() (string, map[string]time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	routes := make([]string, 0, len(l.byPath))
	for r := range l.byPath {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	p95 := map[string]time.Duration{}
	var b strings.Builder
	fmt.Fprintf(&b, "%-44s %7s %7s %9s %9s %9s\n", "route", "count", "errors", "p50", "p95", "p99")
	for _, r := range routes {
		d := slices.Clone(l.byPath[r])
		slices.Sort(d)
		p95[r] = Percentile(d, 95)
		fmt.Fprintf(&b, "%-44s %7d %7d %9s %9s %9s\n", r, len(d), l.failed[r],
			Percentile(d, 50).Round(time.Millisecond), p95[r].Round(time.Millisecond), Percentile(d, 99).Round(time.Millisecond))
	}
	return b.String(), p95
}

// Acked is what the service acknowledged to its clients, by id, with
// whether it came after the primary was lost.
type Acked struct {
	mu       sync.Mutex
	Dossiers map[string]bool
	Orders   map[string]bool // payment orders created (201)
	Paid     map[string]bool // payments whose IPN the service answered 00
	Reports  map[string]bool
	Reviews  map[string]bool // dossiers staff took into review
	Failover atomic.Bool
	Failures atomic.Int64 // operations given up after retries
}

func NewAcked() *Acked {
	return &Acked{Dossiers: map[string]bool{}, Orders: map[string]bool{}, Paid: map[string]bool{},
		Reports: map[string]bool{}, Reviews: map[string]bool{}}
}

func (a *Acked) Add(m map[string]bool, id string) {
	a.mu.Lock()
	m[id] = a.Failover.Load()
	a.mu.Unlock()
}

// After counts the ids of m acknowledged after the failover.
func (a *Acked) After(m map[string]bool) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, late := range m {
		if late {
			n++
		}
	}
	return n
}

// Client talks to the service through the proxy, as a kiosk or a staff
// member's browser does.
type Client struct {
	Base   string
	HC     *http.Client
	Lat    *Latencies
	header http.Header
}

type Reply struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r Reply) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// ErrGiveUp is an operation that still failed when its time ran out.
var ErrGiveUp = errors.New("gave up")

// Call sends one request and, while the service is unreachable or failing
// over (connection errors, 5xx), sends it again until it has an answer or
// 30 s passed. The same body is sent each time; a request that carries an
// Idempotency-Key is safe to repeat, others may leave an unacknowledged
// copy behind, which is what a kiosk's retry does too.
func (c *Client) Call(ctx context.Context, route, method, path string, body []byte, contentType string, hdr ...string) (Reply, error) {
	deadline := time.Now().Add(30 * time.Second)
	wait := 200 * time.Millisecond
	for {
		r, err := c.Once(ctx, route, method, path, body, contentType, hdr...)
		if err == nil && r.Status < 500 {
			return r, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("%s %s: %d %s", method, route, r.Status, bytes.TrimSpace(r.Body))
			}
			return r, fmt.Errorf("%w: %w", ErrGiveUp, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait + rand.N(wait)):
		}
		wait = min(wait*2, 2*time.Second)
	}
}

func (c *Client) Once(ctx context.Context, route, method, path string, body []byte, contentType string, hdr ...string) (Reply, error) {
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.Base + path
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return Reply{}, err
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	start := time.Now()
	resp, err := c.HC.Do(req)
	if err != nil {
		return Reply{}, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.Lat.Add(route, time.Since(start), err == nil && resp.StatusCode < 500)
	return Reply{Status: resp.StatusCode, Body: b, Header: resp.Header}, err
}

// JSON sends v as JSON and wants one of the statuses.
func (c *Client) JSON(ctx context.Context, route, method, path string, v any, into any, want []int, hdr ...string) (Reply, error) {
	var body []byte
	if v != nil {
		body, _ = json.Marshal(v)
	}
	r, err := c.Call(ctx, route, method, path, body, "application/json", hdr...)
	if err != nil {
		return r, err
	}
	if !slices.Contains(want, r.Status) {
		return r, fmt.Errorf("%s %s: %d %s", method, route, r.Status, bytes.TrimSpace(r.Body))
	}
	if into != nil {
		return r, r.Decode(into)
	}
	return r, nil
}

// Device is a client speaking with a station's token.
func (c *Client) Device(token string) *Client {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return &Client{Base: c.Base, HC: c.HC, Lat: c.Lat, header: h}
}

// Login signs a staff member in: a client with its own cookie jar and the
// session's CSRF token.
func (c *Client) Login(ctx context.Context, username, password string) (*Client, error) {
	jar, _ := cookiejar.New(nil)
	hc := *c.HC
	hc.Jar = jar
	s := &Client{Base: c.Base, HC: &hc, Lat: c.Lat, header: http.Header{}}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if _, err := s.JSON(ctx, "POST /api/v1/auth/login", "POST", "/api/v1/auth/login",
		map[string]string{"username": username, "password": password}, &sess, []int{200}); err != nil {
		return nil, err
	}
	s.header.Set("X-CSRF-Token", sess.CSRF)
	return s, nil
}

// Photo is a small real JPEG: a scan or a report's photo.
var Photo = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes()
}()

// MultipartBody is a form with fields and the photo under fileField.
func MultipartBody(fileField, filename string, fields map[string]string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile(fileField, filename)
	fw.Write(Photo)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// Stream is a live Stream client (the duty console's report feed): it
// reconnects whenever the stream ends, as the console's EventSource does.
type Stream struct {
	Reconnects atomic.Int64
	Reports    atomic.Int64
	// reportsAfter counts report events received after the failover.
	ReportsAfter atomic.Int64
	FirstEvent   atomic.Int64 // ms from request to the first event, last connection
	mu           sync.Mutex
	replica      string // the replica serving the current connection
	Connected    chan string
}

func (s *Stream) ServedBy() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replica
}

func (s *Stream) Run(ctx context.Context, c *Client, a *Acked) {
	first := true
	for ctx.Err() == nil {
		if !first {
			s.Reconnects.Add(1)
		}
		first = false
		s.once(ctx, c, a)
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (s *Stream) once(ctx context.Context, c *Client, a *Acked) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/v1/duty/feed", nil)
	req.Header.Set("Accept", "text/event-Stream")
	hc := *c.HC
	hc.Timeout = 0 // a Stream lasts
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return
	}
	s.mu.Lock()
	s.replica = resp.Header.Get("X-Station-Replica")
	s.mu.Unlock()
	sc := bufio.NewScanner(resp.Body)
	gotFirst := false
	for sc.Scan() {
		line := sc.Text()
		if !gotFirst && strings.HasPrefix(line, "event:") {
			gotFirst = true
			s.FirstEvent.Store(time.Since(start).Milliseconds())
			select {
			case s.Connected <- s.ServedBy():
			default:
			}
		}
		if line == "event:report" {
			s.Reports.Add(1)
			if a.Failover.Load() {
				s.ReportsAfter.Add(1)
			}
		}
	}
}

// query is url.Values from pairs.
func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// The kinds of work a kiosk and the staff do, each one operation of the
// mixed load. An operation returns an error only when the service did not
// answer as it should once its retries ran out.

func Heartbeat(ctx context.Context, dev *Client) error {
	_, err := dev.JSON(ctx, "POST /api/v1/kiosk/heartbeat", "POST", "/api/v1/kiosk/heartbeat", map[string]any{
		"app_version": "ops-drill", "uptime_seconds": 60,
		"network": map[string]any{"type": "ethernet", "latency_ms": 12},
	}, nil, []int{200})
	return err
}

// Visit opens a kiosk visit and returns its id.
func Visit(ctx context.Context, dev *Client) (string, error) {
	var v struct{ ID string }
	_, err := dev.JSON(ctx, "POST /api/v1/kiosk/sessions", "POST", "/api/v1/kiosk/sessions", nil, &v, []int{201})
	return v.ID, err
}

func Finish(ctx context.Context, dev *Client, visitID string) error {
	_, err := dev.JSON(ctx, "POST /api/v1/kiosk/sessions/:id/finish", "POST", "/api/v1/kiosk/sessions/"+visitID+"/finish", nil, nil, []int{200, 204})
	return err
}

// Conversation is a resident asking the guide two questions.
func Conversation(ctx context.Context, dev *Client) error {
	visitID, err := Visit(ctx, dev)
	if err != nil {
		return err
	}
	var s struct{ ID string }
	if _, err := dev.JSON(ctx, "POST /api/v1/sessions", "POST", "/api/v1/sessions",
		map[string]string{"kiosk_session_id": visitID}, &s, []int{201}); err != nil {
		return err
	}
	for _, text := range []string{"Tôi muốn xác nhận thông tin cư trú", "Cần mang giấy tờ gì?"} {
		if _, err := dev.JSON(ctx, "POST /api/v1/sessions/:id/messages", "POST", "/api/v1/sessions/"+s.ID+"/messages",
			map[string]string{"text": text}, nil, []int{200}); err != nil {
			return err
		}
	}
	return Finish(ctx, dev, visitID)
}

// applicant is the fields of a drill's dossier (made-up people): a
// residence confirmation, or with fee a permanent residence registration.
func applicant(n int, fee bool) map[string]any {
	f := map[string]any{
		"full_name":     map[string]any{"value": "Nguyễn Thị Lan", "provenance": "ocr", "confidence": 0.93},
		"date_of_birth": map[string]any{"value": fmt.Sprintf("19%02d-03-12", 40+n%50), "provenance": "mrz"},
		"sex":           "Nữ",
		"id_number":     map[string]any{"value": fmt.Sprintf("0792030%05d", n%100000), "provenance": "qr", "confidence": 0.99},
		"phone":         "0903123456",
	}
	if fee { // of working age: the elderly are exempt from the fee
		f["date_of_birth"] = fmt.Sprintf("19%02d-03-12", 80+n%20)
		f["address"], f["relation_to_head"], f["housing_basis"] = "12 Nguyễn Huệ, phường Sài Gòn", "con", "relative"
	} else {
		f["place_of_residence"], f["delivery"] = "12 Nguyễn Huệ, phường Sài Gòn", "paper"
	}
	return f
}

// Dossier files a procedure with a scan; with a fee, it pays it through
// the gateway, whose IPN reaches the service through the proxy.
func Dossier(ctx context.Context, dev *Client, gw *Gateway, ward string, n int, fee bool, a *Acked) error {
	visitID, err := Visit(ctx, dev)
	if err != nil {
		return err
	}
	procedure := "residence.info-confirm"
	if fee {
		procedure = "residence.permanent-register"
	}
	var created struct{ ID, Secret string }
	if _, err := dev.JSON(ctx, "POST /api/v1/dossiers", "POST", "/api/v1/dossiers", map[string]any{
		"procedure": procedure, "ward": ward, "kiosk_session_id": visitID, "fields": applicant(n, fee),
	}, &created, []int{201}); err != nil {
		return err
	}
	body, ct := MultipartBody("file", "can-cuoc.jpg", map[string]string{"document": "0"})
	r, err := dev.Call(ctx, "POST /api/v1/dossiers/:id/attachments", "POST", "/api/v1/dossiers/"+created.ID+"/attachments", body, ct,
		"X-Dossier-Secret", created.Secret)
	if err != nil || r.Status != 201 {
		return fmt.Errorf("attach: %d %s %v", r.Status, r.Body, err)
	}
	if _, err := dev.JSON(ctx, "POST /api/v1/dossiers/:id/submit", "POST", "/api/v1/dossiers/"+created.ID+"/submit", nil, nil,
		[]int{200, 202}, "X-Dossier-Secret", created.Secret); err != nil {
		return err
	}
	a.Add(a.Dossiers, created.ID)
	if fee {
		if err := Pay(ctx, dev, gw, created.ID, visitID, a); err != nil {
			return err
		}
	}
	return Finish(ctx, dev, visitID)
}

// Pay orders the dossier's fee (with an idempotency key, so a retry is the
// same order) and plays the resident at the gateway's pay page.
func Pay(ctx context.Context, dev *Client, gw *Gateway, dossierID, visitID string, a *Acked) error {
	var p struct {
		ID     string `json:"id"`
		PayURL string `json:"pay_url"`
	}
	key := fmt.Sprintf("drill-%d", rand.Int64())
	if _, err := dev.JSON(ctx, "POST /api/v1/payments", "POST", "/api/v1/payments",
		map[string]string{"purpose": "fee", "dossier_id": dossierID, "kiosk_session_id": visitID},
		&p, []int{200, 201}, "Idempotency-Key", key); err != nil {
		return err
	}
	a.Add(a.Orders, p.ID)
	if err := gw.Pay(ctx, p.PayURL, p.ID); err != nil {
		return err
	}
	a.Add(a.Paid, p.ID)
	return nil
}

// Gateway is the sandbox VNPay gateway, in this process.
type Gateway struct {
	Sandbox *vnpay.Sandbox
	Base    string
	HC      *http.Client
}

// Pay opens the pay page and confirms; the gateway then calls the IPN.
// Like VNPay, which repeats an IPN that got no answer, the payer's
// confirmation is repeated until the service answered the IPN.
func (g *Gateway) Pay(ctx context.Context, payURL, id string) error {
	resp, err := g.HC.Get(payURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("pay page: %s", resp.Status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := g.HC.PostForm(g.Base+"/paymentv2/confirm", url.Values{"txn_ref": {id}, "result": {"pay"}})
		if err == nil {
			resp.Body.Close()
		}
		for _, r := range g.Sandbox.IPNReplies(id) {
			if r.RspCode == "00" || r.RspCode == "02" { // 02: confirmed before
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%w: IPN of %s not answered: %v", ErrGiveUp, id, g.Sandbox.IPNReplies(id))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// Report is a security report with a photo, from a kiosk.
func Report(ctx context.Context, dev *Client, n int, a *Acked) error {
	categories := []string{"theft", "suspicious", "public_order", "gambling"}
	body, ct := MultipartBody("files", "anh.jpg", map[string]string{
		"category":    categories[n%len(categories)],
		"description": fmt.Sprintf("Diễn tập vận hành: phản ánh số %d", n),
		"address":     "45 Lê Lợi, phường Sài Gòn",
		"lat":         fmt.Sprintf("%.5f", 10.7740+float64(n%50)*0.001),
		"lng":         fmt.Sprintf("%.5f", 106.7000+float64(n%37)*0.001),
	})
	r, err := dev.Call(ctx, "POST /api/v1/reports", "POST", "/api/v1/reports", body, ct)
	if err != nil {
		return err
	}
	if r.Status != 201 {
		return fmt.Errorf("report: %d %s", r.Status, r.Body)
	}
	var rc struct{ ID string }
	if err := r.Decode(&rc); err != nil {
		return err
	}
	a.Add(a.Reports, rc.ID)
	return nil
}

// Review is a ward clerk taking the oldest submitted dossier into review.
func Review(ctx context.Context, clerk *Client, a *Acked) error {
	var list struct {
		Dossiers []struct{ ID, Status string }
	}
	if _, err := clerk.JSON(ctx, "GET /api/v1/staff/dossiers", "GET", "/api/v1/staff/dossiers?"+query("status", "submitted"),
		nil, &list, []int{200}); err != nil {
		return err
	}
	if len(list.Dossiers) == 0 {
		return nil
	}
	d := list.Dossiers[rand.N(len(list.Dossiers))]
	r, err := clerk.JSON(ctx, "POST /api/v1/staff/dossiers/:id/transition", "POST", "/api/v1/staff/dossiers/"+d.ID+"/transition",
		map[string]string{"to": "in_review", "from": "submitted"}, nil, []int{200, 409})
	if err != nil {
		return err
	}
	if r.Status == 200 {
		a.Add(a.Reviews, d.ID)
	}
	return nil
}

// HTTPClient trusts only roots (the system's when nil); no cookie jar, no redirects followed.
func HTTPClient(roots *x509.CertPool, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: roots},
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
