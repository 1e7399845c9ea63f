package flows_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/assistant/flows"
	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/paymentstest"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/places"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

const (
	tmnCode = "CSTEST01"
	secret  = "TEST-HASH-SECRET-0123456789"
	testKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
	saiGon  = "26740" // a sample ward; the station stands in it
)

var quiet = slog.New(slog.DiscardHandler)

// downBiller is a provider that does not answer (outside the machine).
type downBiller struct{}

func (downBiller) Info() payments.BillerInfo {
	return payments.BillerInfo{ID: "down", Name: "Nhà mạng thử", Categories: []string{"internet"}}
}
func (downBiller) Bills(context.Context, string) ([]payments.Bill, error) {
	return nil, errors.New("connection refused")
}

// env runs every real service the flows use: the catalogue, dossiers,
// kiosk stations, payments with the sandbox gateway on loopback HTTP, the
// report routing with the sample wards, and the assistant over them.
type env struct {
	pool      *pgxpool.Pool
	catalogue *procedures.Catalogue
	kiosk     *kiosk.Service
	pay       *payments.Service
	dossiers  *dossiers.Service
	assistant *assistant.Service
	gateway   *httptest.Server
	api       *httptest.Server
	stationID string
	token     string // the station's device token
	visitID   string
	scans     *ocr.Store
	live      *live.Listener
	streams   *live.Limits
	reports   *reports.Service
}

func newEnv(t *testing.T) *env { return newEnvTB(t) }

func newEnvTB(t testing.TB) *env { return newEnvPool(t, dbtest.New(t)) }

// newEnvPool is newEnvTB on the given database pool: every service the
// guide's flows reach, wired as serve wires them, with a station and its
// visit. It is kept whole over 80 lines because it is one wiring list,
// each part built from the ones before it.
func newEnvPool(t testing.TB, pool *pgxpool.Pool) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{pool: pool}
	e.catalogue = procedurestest.Load(t, e.pool)
	var err error
	dcfg := dossiers.DefaultConfig()
	dcfg.Sealer, dcfg.DataDir = seal.MustTest(testKey), t.TempDir()
	if e.dossiers, err = dossiers.NewService(ctx, e.pool, e.catalogue, dcfg); err != nil {
		t.Fatal(err)
	}
	e.kiosk = kiosk.NewService(e.pool, kiosk.DefaultConfig(), quiet)
	lat, lng := 10.778, 106.707
	st, token, err := e.kiosk.AddStation(ctx, audit.Actor{Role: "test"}, kiosk.NewStation{Name: "Trạm chung cư thử", WardCode: saiGon, Latitude: &lat, Longitude: &lng})
	if err != nil {
		t.Fatal(err)
	}
	e.stationID, e.token = st.ID, token
	visit, err := e.kiosk.StartSession(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.visitID = visit.ID

	var handler http.Handler
	e.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.api.Close)
	_, gateway, cfg := paymentstest.StartGateway(t, e.api.URL, tmnCode, secret)
	e.gateway = gateway
	cfg.Papers.Fonts = e.dossiers.Fonts()
	demo, err := payments.NewDemoBiller("")
	if err != nil {
		t.Fatal(err)
	}
	fees := payments.DossierFees{Dossiers: e.dossiers}
	e.pay = payments.NewService(e.pool, cfg, quiet, fees, demo, downBiller{})

	if _, err := reports.ImportWards(ctx, e.pool, reports.SampleWards); err != nil {
		t.Fatal(err)
	}
	rules, err := reports.ShippedRules()
	if err != nil {
		t.Fatal(err)
	}
	repCfg := reports.DefaultConfig()
	repCfg.Sealer = seal.MustTest(testKey)
	rep := reports.NewService(e.pool, repCfg, rules, reports.KioskStations{Kiosk: e.kiosk})
	e.reports = rep

	e.scans = ocr.NewStore(e.pool, t.TempDir(), seal.MustTest(testKey))
	// The replica's listener, as serve runs it.
	e.live, e.streams = live.New(e.pool, quiet, payments.Channel), live.NewLimits(0, 0)
	liveCtx, stopLive := context.WithCancel(context.Background())
	liveDone := make(chan struct{})
	go func() { e.live.Run(liveCtx); close(liveDone) }()
	t.Cleanup(func() { stopLive(); <-liveDone })
	<-e.live.Ready()
	// The shipped tourist places, with directions from the test's station.
	sights := places.NewService(e.pool, func(ctx context.Context, id string) (places.Origin, bool, error) {
		return places.Origin{Name: st.Name, Lat: lat, Lng: lng}, id == st.ID, nil
	})
	shipped, err := places.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sights.Import(ctx, shipped); err != nil {
		t.Fatal(err)
	}
	e.assistant, err = assistant.New(assistant.Deps{Pool: e.pool, Catalogue: e.catalogue, Logger: quiet, Sealer: seal.MustTest(testKey),
		Scans:    assistant.OCRScans{Results: e.scans},
		Dossiers: flows.Dossiers{Dossiers: e.dossiers, Stations: e.kiosk, Pool: e.pool},
		Services: flows.Services(flows.Parts{Pool: e.pool, Live: e.live, Payments: e.pay, Fees: fees, Reports: rep, Dossiers: e.dossiers, Kiosk: e.kiosk,
			Places: sights}),
		Stations: e.kiosk,
		Streams:  e.streams,
	}, assistant.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	handler = httpserver.New(httpserver.Options{Logger: quiet}, &payments.Handler{Service: e.pay, Device: e.kiosk.RequireDevice}, &assistant.Handler{Service: e.assistant}).Handler()
	return e
}

// conversation is one resident talking to the guide at the station.
type conversation struct {
	t    *testing.T
	e    *env
	id   string
	last *assistant.Reply
}

func (e *env) start(t *testing.T) *conversation {
	t.Helper()
	r, err := e.assistant.Start(context.Background(), assistant.StartRequest{StationID: e.stationID, KioskSessionID: e.visitID})
	if err != nil {
		t.Fatal(err)
	}
	return &conversation{t: t, e: e, id: r.SessionID, last: r}
}

func (c *conversation) send(m assistant.Message) *assistant.Reply {
	c.t.Helper()
	r, err := c.e.assistant.Send(context.Background(), c.id, m, assistant.SendOptions{})
	if err != nil {
		c.t.Fatalf("%+v: %v", m, err)
	}
	c.last = r
	return r
}

func (c *conversation) say(text string) *assistant.Reply {
	return c.send(assistant.Message{Text: text})
}

func (c *conversation) choose(id string) *assistant.Reply {
	return c.send(assistant.Message{Choice: id})
}

// expect checks the last reply's stage and that it says every phrase.
func (c *conversation) expect(stage assistant.Stage, phrases ...string) {
	c.t.Helper()
	if c.last.Stage != stage {
		c.t.Fatalf("stage %s, want %s; reply: %s", c.last.Stage, stage, c.last.Reply)
	}
	for _, p := range phrases {
		if !strings.Contains(c.last.Reply, p) {
			c.t.Fatalf("reply lacks %q:\n%s", p, c.last.Reply)
		}
	}
}

// asks fails the test unless the reply asks field (after what happened).
func (c *conversation) asks(field, after string) {
	c.t.Helper()
	if c.last.Field == nil || c.last.Field.Name != field {
		c.t.Fatalf("asks %+v %s, want %s", c.last.Field, after, field)
	}
}

// speaks checks that read aloud the last reply names every phrase.
func (c *conversation) speaks(phrases ...string) {
	c.t.Helper()
	for _, p := range phrases {
		if !strings.Contains(c.last.Speech, p) {
			c.t.Fatalf("speech lacks %q:\n%s", p, c.last.Speech)
		}
	}
}

// buttonsOnce checks that the options the last reply offers as buttons
// are not written again in its text, and that read aloud it names them.
func (c *conversation) buttonsOnce(prefix string) {
	c.t.Helper()
	n := 0
	for _, ch := range c.last.Choices {
		if !strings.HasPrefix(ch.ID, prefix) {
			continue
		}
		n++
		if strings.Contains(c.last.Reply, ch.Label) {
			c.t.Fatalf("button %q is written in the reply too:\n%s", ch.Label, c.last.Reply)
		}
		c.speaks(ch.Label)
	}
	if n == 0 {
		c.t.Fatalf("no %s buttons: %+v", prefix, c.last.Choices)
	}
}

func (c *conversation) hasChoice(id string) bool {
	return slices.ContainsFunc(c.last.Choices, func(ch assistant.Choice) bool { return ch.ID == id })
}

// fill answers every field asked with a plausible value until the review.
func (c *conversation) fill() { c.t.Helper(); c.fillWith(nil) }

// fillWith is fill with the values given for some fields.
func (c *conversation) fillWith(values map[string]string) {
	c.t.Helper()
	for i := 0; c.last.Stage == assistant.StageCollect; i++ {
		if i > 30 {
			c.t.Fatalf("form never ends: %s", c.last.Reply)
		}
		if v, ok := values[fieldName(c.last.Field)]; ok {
			c.say(v)
			continue
		}
		c.fillOne()
	}
}

// fillOne answers the field being asked: skips an optional one, else a
// value of its type.
func (c *conversation) fillOne() {
	c.t.Helper()
	f := c.last.Field
	{
		switch {
		case c.hasChoice(assistant.ChoiceSkip):
			c.choose(assistant.ChoiceSkip) // optional fields are left out
		case f == nil:
			c.t.Fatalf("collect without a field: %s", c.last.Reply)
		case f.Type == procedures.FieldSelect:
			for _, ch := range c.last.Choices {
				if strings.HasPrefix(ch.ID, "opt:") {
					c.choose(ch.ID)
					break
				}
			}
		case f.Type == procedures.FieldBoolean:
			c.choose(assistant.ChoiceYes)
		case f.Type == procedures.FieldDate:
			c.say("12/03/1980")
		case f.Type == procedures.FieldIDNumber:
			c.say("079203001234")
		case f.Type == procedures.FieldPhone:
			c.say("0903123456")
		case f.Type == procedures.FieldAddress:
			c.say("12 Nguyễn Huệ, phường Sài Gòn")
		case f.Type == procedures.FieldNumber:
			c.say("1")
		default:
			c.say("Nguyễn Thị Lan")
		}
	}
}

// payAtGateway plays the resident's bank app at the sandbox: it opens the
// order's pay page and presses a button (pay, cancel, insufficient).
func (e *env) payAtGateway(t testing.TB, p *assistant.PaymentOrder, choice string) {
	t.Helper()
	if resp, err := http.Get(p.PayURL); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	paymentstest.Confirm(t, e.gateway.URL, p.ID, choice)
}

// events reads the session's payment events over real HTTP (SSE) until
// the order settles.
func (e *env) events(t *testing.T, sessionID string) <-chan []string {
	t.Helper()
	out := make(chan []string, 1)
	ready := make(chan struct{})
	go func() {
		var states []string
		defer func() { out <- states }()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.api.URL+"/api/v1/sessions/"+sessionID+"/payment/events", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		close(ready)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				var p assistant.PaymentOrder
				json.Unmarshal([]byte(data), &p)
				states = append(states, p.State)
			}
		}
	}()
	<-ready
	return out
}

func (e *env) visit(t *testing.T) *kiosk.Session {
	t.Helper()
	s, err := e.kiosk.Session(context.Background(), e.stationID, e.visitID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openService asks for a service in the resident's words and opens it
// past its explanation, at its first question.
func openService(c *conversation, said, slug string) {
	c.t.Helper()
	c.say(said)
	c.choose("p:" + slug)
	c.choose(assistant.ChoiceSkip)
	c.expect(assistant.StageCollect)
}

// toBillReview takes a resident from "đóng tiền điện" to the review of
// the bill payment with the given kind (option number) and code.
func toBillReview(c *conversation, kind, code string) {
	c.t.Helper()
	c.say("đóng tiền điện tháng này")
	if !c.hasChoice("p:" + assistant.SlugBillPayment) {
		c.t.Fatalf("bill payment not offered: %s", c.last.Reply)
	}
	c.choose("p:" + assistant.SlugBillPayment)
	c.choose(assistant.ChoiceSkip)
	c.expect(assistant.StageCollect)
	c.say(kind)
	c.say(code)
	c.choose(assistant.ChoiceSkip) // no phone for the receipt
	c.expect(assistant.StageReview)
}

func TestPayABill(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	toBillReview(c, "1", "DEMO9999")

	// A code the biller does not know: a clear sentence, the code asked again.
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageCollect, "không tìm thấy hóa đơn", "DEMO9999")
	if c.last.Status != assistant.StatusClarify || c.last.Field.Name != "customer_code" {
		t.Fatalf("after an unknown code: %s %+v", c.last.Status, c.last.Field)
	}
	// Typed in lower case, the code is read back as the biller prints it.
	c.say("demo0001")
	c.expect(assistant.StageReview, "Dạ, tôi đã ghi: DEMO0001.")
	if strings.Contains(c.last.Reply, "demo0001") {
		t.Fatalf("the code read back as typed: %s", c.last.Reply)
	}
	c.say("xác nhận")
	// The bills from the demo biller: buttons with their amounts, read out.
	c.expect(assistant.StageBills, "2 hóa đơn")
	c.buttonsOnce("bill:")
	c.speaks("Tiền điện kỳ 09/2026: 387.500 đồng", "Tiền điện kỳ 10/2026: 387.000 đồng")
	if !c.hasChoice("bill:ELE-202609-DEMO0001") {
		t.Fatalf("choices: %+v", c.last.Choices)
	}
	c.say("1")
	c.expect(assistant.StagePay, "387.500 đồng", "quét mã QR")
	p := c.last.Payment
	if p == nil || p.Amount != 387500 || p.State != assistant.PaymentPending || !strings.HasPrefix(p.QRPayload, "000201") ||
		p.QRURL != "/api/v1/payments/"+p.ID+"/qr.png" {
		t.Fatalf("payment: %+v", p)
	}
	// Not paid yet.
	c.choose(assistant.ChoiceCheck)
	c.expect(assistant.StagePay, "chưa thấy tiền")

	// The kiosk listens; the bank app pays; the event arrives live.
	events := e.events(t, c.id)
	e.payAtGateway(t, p, "pay")
	states := <-events
	if len(states) < 2 || states[0] != "pending" || states[len(states)-1] != "paid" {
		t.Fatalf("payment events: %v", states)
	}
	c.choose(assistant.ChoiceCheck)
	c.expect(assistant.StageDone, "Đã nhận đủ 387.500 đồng", "Số biên nhận")
	if c.last.Payment.Receipt == "" || !strings.Contains(c.last.Reply, c.last.Payment.Receipt) {
		t.Fatalf("receipt: %+v", c.last.Payment)
	}

	// The bill is no longer owed; the visit shows what was done.
	c2 := e.start(t)
	toBillReview(c2, "1", "DEMO0001")
	c2.choose(assistant.ChoiceConfirm)
	c2.expect(assistant.StageBills, "1 hóa đơn")
	c2.speaks("387.000 đồng")
	if strings.Contains(c2.last.Speech, "387.500") {
		t.Fatalf("a paid bill is offered again: %s", c2.last.Speech)
	}
	v := e.visit(t)
	if !slices.Contains(v.Services, assistant.SlugBillPayment) || !slices.Contains(v.Outcomes, kiosk.OutcomePaymentMade) {
		t.Fatalf("visit: services %v outcomes %v", v.Services, v.Outcomes)
	}
}

// TestPayABillFromTheTile: the kiosk's tile counts four steps, the kind,
// the code, the bill and the QR code, and looks the bills up as soon as
// the code is given.
func TestPayABillFromTheTile(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugBillPayment)
	steps := []string{}
	step := func() { steps = append(steps, c.last.Progress) }
	c.expect(assistant.StageCollect)
	step()
	if c.last.CanGoBack || !c.hasChoice("opt:electricity") {
		t.Fatalf("first question: back %v, choices %+v", c.last.CanGoBack, c.last.Choices)
	}
	// Words not taken are repeated above the reason; a touch is not.
	c.say("xyz qwv")
	if c.last.Status != assistant.StatusClarify || c.last.Said != "Bác vừa trả lời: xyz qwv" {
		t.Fatalf("words not taken: %s said %q reply %q", c.last.Status, c.last.Said, c.last.Reply)
	}
	c.choose("opt:electricity")
	if c.last.Said != "" {
		t.Fatalf("a touch is repeated: %q", c.last.Said)
	}
	step()
	c.say("demo9999")
	c.expect(assistant.StageCollect, "DEMO9999")
	c.asks("customer_code", "after an unknown code")
	if c.last.Said != "" {
		t.Fatalf("the code not taken is repeated, though the reason names it: %q", c.last.Said)
	}
	c.say("demo0001")
	c.expect(assistant.StageBills, "tôi tìm thấy 2 hóa đơn")
	if c.last.Said != "" {
		t.Fatalf("a code taken is repeated besides the reply's read-back: %q", c.last.Said)
	}
	c.buttonsOnce("bill:")
	c.speaks("387.500 đồng")
	step()
	c.choose(c.last.Choices[0].ID)
	c.expect(assistant.StagePay, "387.500 đồng")
	step()
	e.payAtGateway(t, c.last.Payment, "pay")
	c.choose(assistant.ChoiceCheck)
	c.expect(assistant.StageDone, "Đã nhận đủ 387.500 đồng")
	step()
	if want := []string{"Bước 1/4", "Bước 2/4", "Bước 3/4", "Bước 4/4", "Hoàn tất"}; !slices.Equal(steps, want) {
		t.Fatalf("progress %v, want %v", steps, want)
	}
}

func TestBillErrors(t *testing.T) {
	e := newEnv(t)

	// A malformed code is refused by the form before any look-up.
	c := e.start(t)
	toBillReview(c, "2", "DEMO0002")
	c.choose("edit:customer_code")
	c.say("mã#12")
	c.expect(assistant.StageCollect)
	if c.last.Status != assistant.StatusClarify {
		t.Fatalf("malformed code accepted: %s", c.last.Reply)
	}

	// A provider that does not answer: a sentence and a way forward.
	c = e.start(t)
	toBillReview(c, "3", "DEMO0001")
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageReview, "chưa trả lời")
	if !c.hasChoice(assistant.ChoiceConfirm) || !c.hasChoice(assistant.ChoiceHandoff) {
		t.Fatalf("no way forward: %+v", c.last.Choices)
	}

	// A payment that expires: said plainly, and a new QR on request.
	c = e.start(t)
	toBillReview(c, "2", "DEMO0002")
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageBills)
	c.choose(c.last.Choices[0].ID)
	c.expect(assistant.StagePay)
	first := c.last.Payment
	// A resident who walks away now is counted as stopped at the QR.
	if v := e.visit(t); v.Step != "payment_qr" {
		t.Fatalf("visit step %q", v.Step)
	}
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `UPDATE payments SET created_at = created_at - interval '20 minutes', expires_at = now() - interval '5 minutes' WHERE id = $1`, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pay.SweepPending(ctx); err != nil {
		t.Fatal(err)
	}
	c.choose(assistant.ChoiceCheck)
	c.expect(assistant.StagePay, "hết hạn")
	if !c.hasChoice(assistant.ChoiceRetry) || c.last.Payment.State != "expired" {
		t.Fatalf("after expiry: %+v %+v", c.last.Choices, c.last.Payment)
	}
	c.choose(assistant.ChoiceRetry)
	c.expect(assistant.StagePay, FormatAmount(first.Amount))
	if c.last.Payment.ID == first.ID || c.last.Payment.State != "pending" || c.last.Payment.Amount != first.Amount {
		t.Fatalf("new order: %+v", c.last.Payment)
	}
	// Going back from the QR returns to the bills.
	c.choose(assistant.ChoiceBack)
	c.expect(assistant.StageBills)
}

// FormatAmount is how the guide reads amounts.
func FormatAmount(n int64) string { return assistant.FormatVND(n) }

func TestPayAProcedureFee(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.choose("p:residence.permanent-register")
	c.choose(assistant.ChoiceSkip)
	c.fill()
	c.expect(assistant.StageReview)
	c.choose(assistant.ChoiceConfirm)
	// The draft exists; the fee comes from the catalogue, online reduction
	// applied, through the dossier.
	c.expect(assistant.StageDone, "Lệ phí của hồ sơ là")
	if c.last.Dossier == nil || !c.hasChoice(assistant.ChoicePayFee) {
		t.Fatalf("no dossier or no fee offer: %+v %+v", c.last.Dossier, c.last.Choices)
	}
	ctx := context.Background()
	due, err := e.dossiers.FeeDue(ctx, c.last.Dossier.ID)
	if err != nil || due.Amount <= 0 || !strings.Contains(c.last.Reply, assistant.FormatVND(due.Amount)) {
		t.Fatalf("fee due %+v %v; reply %s", due, err, c.last.Reply)
	}
	c.say("có")
	c.expect(assistant.StagePay, assistant.FormatVND(due.Amount))
	e.payAtGateway(t, c.last.Payment, "pay")
	c.say("tôi đã trả rồi")
	c.expect(assistant.StageDone, "Đã nhận đủ "+assistant.FormatVND(due.Amount))
	after, err := e.dossiers.FeeDue(ctx, c.last.Payment.ID[:0]+due.DossierID)
	if err != nil || !after.Paid {
		t.Fatalf("dossier fee after payment: %+v %v", after, err)
	}
	v := e.visit(t)
	if !slices.Contains(v.Outcomes, kiosk.OutcomeDossierFiled) || !slices.Contains(v.Outcomes, kiosk.OutcomePaymentMade) {
		t.Fatalf("visit outcomes %v", v.Outcomes)
	}
}

func TestSendAReport(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.say("có người lạ lảng vảng trước chung cư")
	if !c.hasChoice("p:" + assistant.SlugReport) {
		t.Fatalf("report not offered: %s", c.last.Reply)
	}
	c.choose("p:" + assistant.SlugReport)
	// The emergency numbers come first, before any question.
	c.expect(assistant.StageExplain, "113", "114", "115")
	if i := strings.Index(c.last.Reply, "113"); i > strings.Index(c.last.Reply, "?") && strings.Contains(c.last.Reply, "?") {
		t.Fatalf("numbers after a question: %s", c.last.Reply)
	}
	c.choose(assistant.ChoiceSkip)
	// The category from plain-language choices, not codes.
	c.expect(assistant.StageCollect, "Bác muốn báo việc gì?")
	c.buttonsOnce("opt:")
	c.speaks("Trộm cắp, cướp giật")
	if strings.Contains(c.last.Speech, "theft") {
		t.Fatalf("codes shown: %s", c.last.Speech)
	}
	c.say("2")
	c.expect(assistant.StageCollect, "còn đang xảy ra")
	c.choose("opt:" + assistant.HappeningOver)
	if c.last.Emergency != nil {
		t.Fatalf("numbers shown for a past theft: %+v", c.last.Emergency)
	}
	c.say("Hai thanh niên đi xe máy giật túi xách của một bà cụ")
	c.say("Trước cổng chung cư, 12 Nguyễn Huệ")
	c.say(time.Now().Format("02/01/2006"))
	c.expect(assistant.StageCollect, "Chụp ảnh")
	c.choose(assistant.ChoiceSkip) // no photos
	c.choose(assistant.ChoiceSkip) // name
	c.choose(assistant.ChoiceSkip) // phone: anonymous
	c.expect(assistant.StageReview, "Trộm cắp, cướp giật", "giật túi xách", "12 Nguyễn Huệ", "Ảnh chụp: —")
	// The confirmation is the review's one primary action; the edits are not.
	var primary []string
	for _, ch := range c.last.Choices {
		if ch.Primary {
			primary = append(primary, ch.ID)
		}
	}
	if !slices.Equal(primary, []string{assistant.ChoiceConfirm}) {
		t.Fatalf("primary choices %v at the review", primary)
	}
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, "Mã theo dõi tin báo")
	var code, ward, channel string
	var contact string
	err := e.pool.QueryRow(context.Background(), `SELECT code, ward_code, channel,
		coalesce(encode(contact_sealed, 'hex'), '') FROM reports ORDER BY created_at DESC LIMIT 1`).Scan(&code, &ward, &channel, &contact)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.last.Reply, code) || ward != saiGon || channel != "kiosk" || contact != "" {
		t.Fatalf("report %s ward %s channel %s contact %v; reply %s", code, ward, channel, contact, c.last.Reply)
	}
	if v := e.visit(t); !slices.Contains(v.Outcomes, kiosk.OutcomeReportSent) {
		t.Fatalf("visit outcomes %v", v.Outcomes)
	}

	// "Right here": the station's place, by one touch.
	c = e.start(t)
	c.choose("p:" + assistant.SlugReport)
	c.choose(assistant.ChoiceSkip)
	c.choose("opt:disorder")
	c.choose("opt:" + assistant.HappeningOver)
	c.say("Nhóm thanh niên tụ tập la hét khuya")
	if !c.hasChoice("opt:" + assistant.AtStation) {
		t.Fatalf("no choice of the station's place: %+v", c.last.Choices)
	}
	c.choose("opt:" + assistant.AtStation)
	c.say(time.Now().AddDate(0, 0, -1).Format("02/01/2006"))
	c.choose(assistant.ChoiceSkip) // no photos
	c.choose(assistant.ChoiceSkip)
	c.say("0903123456")
	c.expect(assistant.StageReview, assistant.AtStation, time.Now().AddDate(0, 0, -1).Format("02/01/2006"))
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, "Mã theo dõi tin báo")
	var address *string
	if err := e.pool.QueryRow(context.Background(), `SELECT ward_code, address FROM reports ORDER BY created_at DESC LIMIT 1`).Scan(&ward, &address); err != nil {
		t.Fatal(err)
	}
	if ward != saiGon || (address != nil && *address == assistant.AtStation) {
		t.Fatalf("report at the station: ward %s address %v", ward, address)
	}
}

// TestSendAReportFromTheTile: the kiosk's report tile enters the same
// flow at its first question, counts its steps, and once the resident says
// someone is hurt the emergency numbers lead every reply, the fire's 114
// first, even when what happened is told in words that would otherwise
// raise the emergency screen.
func TestSendAReportFromTheTile(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugReport)
	// The numbers first, then what a report asks (no card is needed), then
	// the question; its options are the buttons, named only aloud.
	c.expect(assistant.StageCollect, "113", "114", "115", "về việc Bác muốn báo", "tên và số điện thoại có thể bỏ qua", "Bác muốn báo việc gì?")
	if strings.Index(c.last.Reply, "113") > strings.Index(c.last.Reply, "?") || c.last.CanGoBack || c.last.Emergency != nil {
		t.Fatalf("first question: %q back %v emergency %+v", c.last.Reply, c.last.CanGoBack, c.last.Emergency)
	}
	if strings.Contains(c.last.Reply, "căn cước") || strings.Contains(c.last.Reply, "máy quét") {
		t.Fatalf("a report's first screen asks for an ID card: %q", c.last.Reply)
	}
	c.buttonsOnce("opt:")
	c.speaks("Bác muốn báo việc gì?\n1. Gây rối, đánh nhau\n2. Trộm cắp, cướp giật")
	steps := []string{c.last.Progress}
	step := func() { steps = append(steps, c.last.Progress) }
	c.choose("opt:fire")
	c.expect(assistant.StageCollect, "Việc này còn đang xảy ra")
	c.buttonsOnce("opt:")
	c.speaks("Có người bị thương", "Đang xảy ra", "Không, việc đã qua")
	if c.last.Said != "" {
		t.Fatalf("a touch is repeated: %q", c.last.Said)
	}
	step()
	c.choose("opt:" + assistant.HappeningInjury)
	numbers := func(when string) {
		t.Helper()
		em := c.last.Emergency
		if em == nil || len(em.Numbers) == 0 || em.Numbers[0].Number != "114" || !em.Numbers[0].Primary ||
			!strings.HasPrefix(c.last.Reply, "Việc đang nguy hiểm: Bác gọi ngay 114") {
			t.Fatalf("%s: numbers not first: %+v %q", when, em, c.last.Reply)
		}
	}
	numbers("after someone is hurt")
	step()
	c.say("đang cháy, khói đen mù mịt ở tầng hầm")
	c.asks("address", "after what happened, told with a fire now")
	numbers("at the place")
	step()
	c.choose("opt:" + assistant.AtStation)
	for range 4 { // the date, photos, name, phone: anonymous
		step()
		c.choose(assistant.ChoiceSkip)
	}
	c.expect(assistant.StageReview, "Cháy, nổ", "Có người bị thương", "khói đen")
	numbers("at the read-back")
	step()
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, "Mã theo dõi tin báo")
	step()
	rep := c.last.Report
	if rep == nil || !slices.Contains(rep.Emergency, "115") || len(rep.Papers) != 1 || rep.Papers[0].URL != "/api/v1/reports/track/"+rep.Code+"/ack.pdf" {
		t.Fatalf("report receipt %+v", rep)
	}
	numbers("when sent")
	want := []string{"Bước 1/9", "Bước 2/9", "Bước 3/9", "Bước 4/9", "Bước 5/9", "Bước 6/9", "Bước 7/9", "Bước 8/9", "Bước 9/9", "Hoàn tất"}
	if !slices.Equal(steps, want) {
		t.Fatalf("progress %v, want %v", steps, want)
	}
	var injury, inProgress bool
	var urgency string
	if err := e.pool.QueryRow(context.Background(), `SELECT injury, in_progress, urgency FROM reports WHERE code = $1`, rep.Code).
		Scan(&injury, &inProgress, &urgency); err != nil {
		t.Fatal(err)
	}
	if !injury || !inProgress || urgency != "critical" {
		t.Fatalf("stored report: injury %v in progress %v urgency %s", injury, inProgress, urgency)
	}
}

func TestEmergencyNumbersFirst(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.say("cháy nhà rồi cứu với")
	c.expect(assistant.StageHandoff, "114")
	if !strings.HasPrefix(c.last.Reply, "Nếu đang có nguy hiểm") {
		t.Fatalf("numbers not first: %s", c.last.Reply)
	}
}

// fileDossier files a dossier of Nguyễn Thị Lan in Sài Gòn for the
// follow-a-dossier conversations.
func (e *env) fileDossier(t *testing.T) *dossiers.Created {
	t.Helper()
	d, err := e.dossiers.Create(context.Background(), audit.Actor{Role: "test"}, dossiers.NewDossier{Procedure: "residence.info-confirm", Ward: saiGon,
		Fields: map[string]dossiers.FieldInput{
			"full_name": {Value: "Nguyễn Thị Lan"}, "date_of_birth": {Value: "1980-03-12"}, "sex": {Value: "nu"},
			"id_number": {Value: "079203001234"}, "phone": {Value: "0903123456"},
			"place_of_residence": {Value: "12 Nguyễn Huệ, phường Sài Gòn"}, "delivery": {Value: "paper"}}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFollowADossier(t *testing.T) {
	e := newEnv(t)
	d := e.fileDossier(t)
	c := e.start(t)
	openService(c, "hồ sơ của tôi đến đâu rồi", assistant.SlugStatusLookup)
	if c.last.Progress != "Bước 1/2" {
		t.Fatalf("progress %q at the code", c.last.Progress)
	}
	c.say("ABC-DEF-GHK") // a wrong tracking code
	// Only the last four digits are asked, on the numeric keyboard; the
	// whole number is refused.
	if c.last.Field.Name != "last4" || c.last.Field.Keyboard != "numeric" || c.last.Progress != "Bước 2/2" {
		t.Fatalf("asks %+v (%s) for the digits", c.last.Field, c.last.Progress)
	}
	c.say("0903123456")
	c.expect(assistant.StageCollect, "4 số cuối")
	c.asks("last4", "for the digits")
	// A look-up has nothing to review: the code and the digits are looked
	// up at once.
	c.say("3456")
	c.expect(assistant.StageCollect, "Mã hồ sơ chưa đúng")
	c.asks("dossier_code", "after a wrong code")
	// The right code with digits that do not match: the same plain answer
	// as for a wrong code, and the digits asked again.
	c.say(d.TrackingCode)
	c.expect(assistant.StageDone)
	c = e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugStatusLookup)
	c.say(d.TrackingCode)
	// The digits are required: no "optional" sentence, no skip button.
	if strings.Contains(c.last.Reply, "không bắt buộc") || c.hasChoice(assistant.ChoiceSkip) {
		t.Fatalf("the digits are offered as optional: %q", c.last.Reply)
	}
	c.say("0000")
	c.expect(assistant.StageCollect, "Không tìm thấy hồ sơ")
	c.asks("last4", "after wrong digits")
	// The digits are a secret: never read back.
	if strings.Contains(c.last.Reply, "0000") || strings.Contains(c.last.Reply, "đã ghi") {
		t.Fatalf("the digits are read back: %q", c.last.Reply)
	}
	c.say("3456")
	tr, err := e.dossiers.Track(context.Background(), audit.Actor{Role: "test", IP: "test"}, d.TrackingCode, "3456")
	if err != nil {
		t.Fatal(err)
	}
	c.expect(assistant.StageDone, "Hồ sơ "+d.TrackingCode, "Tình trạng: "+tr.StatusLabel, tr.NextStep)
	st := c.last.DossierStatus
	if st == nil || st.Kind != assistant.TrackDossier || c.last.Progress != "Kết quả tra cứu" || len(st.Papers) != 1 ||
		!strings.HasPrefix(st.Papers[0].URL, "/api/v1/track/"+d.TrackingCode+"/slip.pdf?pass=") || strings.Contains(st.Papers[0].URL, "3456") {
		t.Fatalf("status %+v, progress %q", st, c.last.Progress)
	}
}

// TestFollowFromTheTile: the kiosk's tile starts the look-up at its first
// question, with nothing to go back to; a report's code needs no digits.
func TestFollowFromTheTile(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugStatusLookup)
	c.expect(assistant.StageCollect)
	if c.last.Field.Name != "dossier_code" || c.last.CanGoBack || c.last.Progress != "Bước 1/2" {
		t.Fatalf("first question %+v, back %v, progress %q", c.last.Field, c.last.CanGoBack, c.last.Progress)
	}
	c.say("ABCD2345")
	if c.last.Field.Name != "last4" || !c.last.CanGoBack {
		t.Fatalf("second question %+v, back %v", c.last.Field, c.last.CanGoBack)
	}
	c.choose(assistant.ChoiceBack)
	if c.last.Field.Name != "dossier_code" || c.last.CanGoBack {
		t.Fatalf("back to %+v, back %v", c.last.Field, c.last.CanGoBack)
	}

	// A security report's code.
	c = e.start(t)
	c.choose("p:" + assistant.SlugReport)
	c.choose(assistant.ChoiceSkip)
	c.choose("opt:disorder")
	c.choose("opt:" + assistant.HappeningOver)
	c.say("Nhóm thanh niên tụ tập la hét khuya")
	c.choose("opt:" + assistant.AtStation)
	c.say(time.Now().Format("02/01/2006"))
	c.choose(assistant.ChoiceSkip) // no photos
	c.choose(assistant.ChoiceSkip)
	c.choose(assistant.ChoiceSkip)
	c.choose(assistant.ChoiceConfirm)
	code := c.last.Report.Code
	c = e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugStatusLookup)
	c.say(strings.ToLower(code))
	c.expect(assistant.StageDone, "Phản ánh "+code, "Tình trạng: ", "Gửi ngày")
	st := c.last.DossierStatus
	if st == nil || st.Kind != assistant.TrackReport || len(st.Papers) != 1 || st.Papers[0].URL != "/api/v1/reports/track/"+code+"/ack.pdf" {
		t.Fatalf("report status %+v", st)
	}
	// An unknown report code: said, and the code asked again.
	c = e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugStatusLookup)
	c.say("PA-AAAA-BBBB-CC")
	c.expect(assistant.StageCollect, "Không tìm thấy phản ánh")
	c.asks("dossier_code", "after an unknown report")
}

// TestPartnerServicesHandOver: each partner service is explained, warns
// about the scams that target the elderly, hands over to the partner's
// screen without collecting anything, and is counted in the statistics.
func TestPartnerServicesHandOver(t *testing.T) {
	for _, slug := range []string{"health.insurance-purchase", "health.telemedicine", "social.insurance-lookup",
		"finance.bank-account", "finance.consumer-loan", "telecom.subscriber-identify", "signature.personal-certificate"} {
		t.Run(slug, func(t *testing.T) {
			e := newEnv(t)
			c := e.start(t)
			c.choose("p:" + slug)
			for c.last.Stage == assistant.StageExplain {
				c.choose(assistant.ChoiceNext)
			}
			c.expect(assistant.StageDone, "chuyển Bác sang màn hình", "mã OTP", "chuyển tiền")
			if strings.Contains(c.last.Reply, "Hồ sơ nháp") {
				t.Fatalf("a handover is not a dossier: %s", c.last.Reply)
			}
			if c.last.Handover == nil || c.last.Handover.Service != slug {
				t.Fatalf("handover: %+v", c.last.Handover)
			}
			if v := e.visit(t); !slices.Contains(v.Services, slug) || v.Step != "handover" {
				t.Fatalf("visit: %v %s", v.Services, v.Step)
			}
		})
	}
}

func TestPaymentEventsHTTP(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	tests := []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/sessions/" + c.id + "/payment/events", http.StatusNotFound, "no_payment"},
		{"/api/v1/sessions/nope/payment/events", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", e.api.URL+tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.code != "" && body.Error.Code != tt.code) {
			t.Errorf("GET %s: %d %q, want %d %q", tt.path, resp.StatusCode, body.Error.Code, tt.status, tt.code)
		}
	}
}

// BenchmarkBillToQR times a whole conversation from "đóng tiền điện" to
// the VietQR, on the real services (a new order each time).
func BenchmarkBillToQR(b *testing.B) {
	e := newEnvTB(b)
	codes := []string{"DEMO0001", "DEMO0002", "DEMO0003", "DEMO0004", "DEMO0005"}
	i := 0
	for b.Loop() {
		if _, err := e.pool.Exec(context.Background(), `UPDATE payments SET state = 'expired' WHERE state = 'pending'`); err != nil {
			b.Fatal(err)
		}
		r, err := e.assistant.Start(context.Background(), assistant.StartRequest{StationID: e.stationID, KioskSessionID: e.visitID})
		if err != nil {
			b.Fatal(err)
		}
		var last *assistant.Reply
		for _, m := range []assistant.Message{{Text: "đóng tiền nước"}, {Choice: "p:" + assistant.SlugBillPayment}, {Choice: "skip"},
			{Choice: "opt:water"}, {Text: codes[i%len(codes)]}, {Choice: "skip"}, {Choice: "confirm"}, {Text: "1"}} {
			if last, err = e.assistant.Send(context.Background(), r.SessionID, m, assistant.SendOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		if last.Stage != assistant.StagePay {
			b.Fatalf("ended at %s: %s", last.Stage, last.Reply)
		}
		i++
	}
}

// TestMovingHouseFilesToTheNewAddressWard: the resident stands at a station
// of one ward and registers at a new address in another; the dossier goes
// to the ward of the new address, and the resident is told which.
func TestMovingHouseFilesToTheNewAddressWard(t *testing.T) {
	e := newEnv(t)
	c := e.startMoving(t)
	c.fillWith(map[string]string{"address": "25 Hai Bà Trưng, phường Tân Định"})
	c.expect(assistant.StageReview)
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, "Phường Tân Định")
	var ward string
	if err := e.pool.QueryRow(context.Background(), `SELECT ward FROM dossiers WHERE tracking_code = $1`, c.last.Dossier.TrackingCode).Scan(&ward); err != nil {
		t.Fatal(err)
	}
	if ward == saiGon {
		t.Fatalf("filed to the station's ward %s, not the new address's", ward)
	}
	var name string
	if err := e.pool.QueryRow(context.Background(), `SELECT name FROM wards WHERE code = $1`, ward).Scan(&name); err != nil || name != "Phường Tân Định" {
		t.Fatalf("filed to ward %s (%s, %v)", ward, name, err)
	}
}

// startMoving begins a visit as a resident who moved house: permanent
// registration chosen, its explanation read, the form's first question.
func (e *env) startMoving(t *testing.T) *conversation {
	t.Helper()
	c := e.start(t)
	c.say("tôi mới chuyển nhà")
	c.expect(assistant.StageConfirm)
	c.choose("p:residence.permanent-register")
	c.choose(assistant.ChoiceNext)
	return c
}

func fieldName(f *assistant.FieldPrompt) string {
	if f == nil {
		return ""
	}
	return f.Name
}

// TestWhatHappensNextIsSaidOnce: the guide's done message, the kiosk's
// receipt screen (the submission's answer), the printed receipt and the
// tracking screen say what happens next in the same words, those of the
// catalogue entry; tracking asks four digits, never the whole number.
func TestWhatHappensNextIsSaidOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	entry, err := e.catalogue.Get(ctx, "residence.info-confirm")
	if err != nil {
		t.Fatal(err)
	}
	want := entry.AfterFiling()
	if !strings.Contains(want, strings.TrimRight(entry.Processing.Text, ".")) {
		t.Fatalf("after filing %q lacks the time limit %q", want, entry.Processing.Text)
	}
	c := e.start(t)
	c.choose("p:residence.info-confirm")
	c.choose(assistant.ChoiceSkip)
	c.fillWith(map[string]string{"id_number": "079203001234"})
	c.expect(assistant.StageReview)
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, "Việc tiếp theo: "+want)
	ref := c.last.Dossier
	actor := audit.Actor{Role: "test", IP: "test"}
	sub, err := e.dossiers.Submit(ctx, actor, ref.ID, ref.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if sub.AfterFiling != want {
		t.Errorf("receipt screen says %q, want %q", sub.AfterFiling, want)
	}
	pdf, err := e.dossiers.Receipt(ctx, actor, ref.ID, nil, dossiers.Proof{Secret: ref.Secret})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (install poppler-utils with scripts/setup): %v", err)
	}
	if text := strings.Join(strings.Fields(string(out)), " "); !strings.Contains(text, "Việc tiếp theo "+want) {
		t.Errorf("the receipt does not say %q:\n%s", want, text)
	}
	if _, err := e.dossiers.Track(ctx, actor, ref.TrackingCode, "079203001234"); !apperr.IsKind(err, apperr.Invalid) {
		t.Errorf("tracking took the whole ID number: %v", err)
	}
	tr, err := e.dossiers.Track(ctx, actor, ref.TrackingCode, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tr.NextStep, want) {
		t.Errorf("tracking says %q, want it to start with %q", tr.NextStep, want)
	}
}

// TestFeeDecidedByTheOneQuestion: residence fees exempt the elderly,
// children and declared groups (Điều 4 Thông tư 75/2022/TT-BTC). The guide
// takes the age from the date of birth and asks the one question about the
// declared groups only when the age does not settle it; the dossier is
// charged by the answer and the done message says the fee with its reason.
func TestFeeDecidedByTheOneQuestion(t *testing.T) {
	for _, tc := range []struct {
		name   string
		born   string
		answer string // "" when the question must not be asked
		fee    int64
		reason string
	}{
		{"adult with meritorious service", "12/03/1980", assistant.ChoiceYes, 0, "Người thuộc diện người khuyết tật, người có công với cách mạng hoặc thân nhân"},
		{"adult of no group", "12/03/1980", assistant.ChoiceNo, 10000, "Lệ phí 10.000 đồng (mức nộp trực tuyến) theo Điều 5 và Biểu mức thu Thông tư 75/2022/TT-BTC"},
		{"person over 60", "02/09/1950", "", 0, "Người từ 60 tuổi trở lên được miễn lệ phí (Điều 4 Thông tư 75/2022/TT-BTC ngày 22/12/2022)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.start(t)
			c.choose("p:residence.permanent-register")
			c.choose(assistant.ChoiceSkip)
			asked := false
			for i := 0; c.last.Stage == assistant.StageCollect; i++ {
				if i > 30 {
					t.Fatalf("form never ends: %s", c.last.Reply)
				}
				switch f := fieldName(c.last.Field); {
				case f == procedures.FeeExemptField:
					asked = true
					if !strings.Contains(c.last.Reply, "người có công với cách mạng") || !c.hasChoice(assistant.ChoiceYes) {
						t.Fatalf("the fee question reads %q", c.last.Reply)
					}
					if tc.answer == "" {
						t.Fatal("asked although the age settles the fee")
					}
					c.choose(tc.answer)
				case f == "date_of_birth":
					c.say(tc.born)
				default:
					c.fillOne()
				}
			}
			if tc.answer != "" && !asked {
				t.Fatal("the fee question was not asked")
			}
			c.expect(assistant.StageReview)
			c.choose(assistant.ChoiceConfirm)
			c.expect(assistant.StageDone, tc.reason)
			due, err := e.dossiers.FeeDue(context.Background(), c.last.Dossier.ID)
			if err != nil || due.Amount != tc.fee {
				t.Fatalf("dossier fee %+v %v, want %d", due, err, tc.fee)
			}
		})
	}
}

// TestTouristPlaces: the tourist information's tile opens a search of the
// station's places; every message is a new search, in Vietnamese or
// English, answered with each place's checked hours, its source and the
// way from this station, all worded by the server; a visitor's typed
// question about places starts the same search with its own words.
func TestTouristPlaces(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugTourism)
	c.expect(assistant.StagePlaces)
	// The question is written once, as the search field's label; read
	// aloud it follows the answer.
	if c.last.Field == nil || !strings.HasPrefix(c.last.Field.Label, "Bác muốn đi đâu?") || strings.Contains(c.last.Reply, "Bác muốn đi đâu?") {
		t.Fatalf("the question: field %+v reply %q", c.last.Field, c.last.Reply)
	}
	c.speaks("Bác muốn đi đâu?")
	pressed := func(want string) {
		t.Helper()
		for _, ch := range c.last.Choices {
			if strings.HasPrefix(ch.ID, assistant.ChoiceLang) && (ch.Pressed == nil || *ch.Pressed != (ch.ID == assistant.ChoiceLang+want)) {
				t.Fatalf("language %s: %+v", want, c.last.Choices)
			}
		}
	}
	pressed("vi")
	p := c.last.Places
	if p == nil || len(p.Cards) == 0 || p.Lang != "vi" || p.TipsTitle != "An toàn khi đi chơi" || len(p.Tips) == 0 ||
		c.last.Progress != "Thông tin du lịch / Tourist information" || !c.hasChoice("lang:en") || c.last.CanGoBack || p.Labels != nil {
		t.Fatalf("first answer: %+v progress %q choices %+v back %v", p, c.last.Progress, c.last.Choices, c.last.CanGoBack)
	}
	c.choose("lang:en")
	if p = c.last.Places; p.Lang != "en" || p.TipsTitle != "Staying safe" || !strings.HasPrefix(c.last.Field.Label, "Where would you like to go?") {
		t.Fatalf("in English: %+v field %+v", p, c.last.Field)
	}
	// The kiosk's own buttons are worded in English too.
	if want := (assistant.ScreenLabels{Send: "Send", ReadAloud: "Read aloud", Reading: "Reading… (tap to stop)", Back: "Back", Call: "Call staff"}); p.Labels == nil || *p.Labels != want {
		t.Fatalf("English labels: %+v", p.Labels)
	}
	pressed("en")
	c.say("museum near here")
	if c.last.Said != "You asked: museum near here" {
		t.Fatalf("the visitor's words, in English: %q", c.last.Said)
	}
	p = c.last.Places
	if len(p.Cards) < 3 || p.Cards[0].Name != "Ho Chi Minh City Museum" {
		t.Fatalf("museums: %+v", p.Cards)
	}
	first := p.Cards[0]
	if !regexp.MustCompile(`^About \d+ m \w+(-\w+)? of this station: about \d+ minutes on foot\.$`).MatchString(first.Way) ||
		first.Lines[0] != "Opening hours: 8 am–5 pm every day" ||
		!regexp.MustCompile(`Source: [^,]+, checked on \d{4}-\d{2}-\d{2}$`).MatchString(first.Lines[2]) ||
		!strings.HasPrefix(first.MapQR, "data:image/png;base64,") || first.MapAlt != "Scan for the route on your phone: Ho Chi Minh City Museum" {
		t.Fatalf("the museum's card: %+v", first)
	}
	c.say("chợ Bến Thành đi thế nào")
	if p = c.last.Places; p.Lang != "vi" || len(p.Cards) == 0 || !strings.Contains(p.Cards[0].Name, "Chợ Bến Thành") ||
		!strings.HasPrefix(p.Cards[0].Lines[0], "Giờ mở cửa: ") || c.last.Said != "Bác vừa hỏi: chợ Bến Thành đi thế nào" ||
		!regexp.MustCompile(`Nguồn: [^,]+, kiểm tra ngày \d{2}/\d{2}/\d{4}$`).MatchString(p.Cards[0].Lines[2]) || p.Labels != nil {
		t.Fatalf("in Vietnamese: %+v said %q", p, c.last.Said)
	}
	pressed("vi")

	// Asked in words at the assistant: the same search, with those words.
	c = e.start(t)
	c.say("museum near here")
	if !c.hasChoice("p:" + assistant.SlugTourism) {
		t.Fatalf("tourist information not offered: %+v", c.last.Choices)
	}
	c.choose("p:" + assistant.SlugTourism)
	c.expect(assistant.StageExplain, "Tìm địa điểm")
	c.choose(assistant.ChoiceNext)
	c.expect(assistant.StagePlaces)
	if p = c.last.Places; p.Lang != "en" || len(p.Cards) < 3 || c.last.Handover != nil {
		t.Fatalf("from the question: %+v handover %+v", p, c.last.Handover)
	}
}

// TestVisitRecordsWhereTheResidentIs: each turn leaves the visit at the
// conversation's step — choosing, answering the form, reviewing it — so
// that a visit given up shows where, in the statistics' words.
func TestVisitRecordsWhereTheResidentIs(t *testing.T) {
	e := newEnv(t)
	c := e.startMoving(t)
	c.fillOne()
	if v := e.visit(t); v.Step != string(assistant.StageCollect) || kiosk.StepName(v.Step) != "khai từng mục" {
		t.Fatalf("while the form is answered the visit is at %q", v.Step)
	}
	c.fillWith(map[string]string{"address": "25 Hai Bà Trưng, phường Tân Định"})
	c.expect(assistant.StageReview)
	if v := e.visit(t); v.Step != string(assistant.StageReview) {
		t.Fatalf("at the review the visit is at %q", v.Step)
	}
	if _, err := e.kiosk.EndSession(context.Background(), e.visitID, kiosk.EndFinish); err != nil {
		t.Fatal(err)
	}
	if v := e.visit(t); v.AbandonedStep == nil || kiosk.StepName(*v.AbandonedStep) != "xem lại tờ khai" {
		t.Fatalf("given up at %v, want the review", v.AbandonedStep)
	}
}
