package reports

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// contains checks that a page holds each of want, and none of not.
func contains(want []string, not ...string) func(t *testing.T, b []byte) {
	return func(t *testing.T, b []byte) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("page lacks %q:\n%s", w, b)
			}
		}
		for _, n := range not {
			if strings.Contains(string(b), n) {
				t.Errorf("page has %q:\n%s", n, b)
			}
		}
	}
}

// TestDutyConsole is the duty console as a ward's officer uses it with
// plain forms: a fire from a station and a theft with a phone as cards,
// the steps that acknowledge and close the fire with a reason, the ward
// map, the audit of the phone shown, and then the same cards late and
// stepped from htmx. It is kept whole over 80 lines because it is one
// table against one server whose rows build on each other (a card is
// acknowledged before it can be closed), and the checks after the table
// read the reports the table left.
func TestDutyConsole(t *testing.T) {
	s := newTestServer(t, nil)
	ctx := context.Background()
	station, _ := addStation(t, s.pool, saiGon, inSaiGon[0], inSaiGon[1])
	s.pool.Exec(ctx, `UPDATE stations SET name = 'Trạm chung cư Bến Nghé' WHERE id = $1`, station)
	fire := submission("fire", inSaiGon)
	fire.Injury, fire.StationID, fire.Channel = true, station, Kiosk
	fireR, err := s.svc.Submit(ctx, fire)
	if err != nil {
		t.Fatal(err)
	}
	theft := submission("theft", inSaiGon)
	theft.Contact = "0903123456"
	theftR, err := s.svc.Submit(ctx, theft)
	if err != nil {
		t.Fatal(err)
	}
	var created time.Time
	s.pool.QueryRow(ctx, `SELECT created_at FROM reports WHERE id = $1`, theftR.ID).Scan(&created)
	stamp := created.In(vietnamese.Zone).Format("02/01/2006 15:04")
	move := func(to, reason string) url.Values { return url.Values{"to": {to}, "reason": {reason}} }
	fireCard := regexp.MustCompile(`(?s)<article[^>]*id="report-` + fireR.ID + `".*?</article>`)

	s.run(t, []step{
		{name: "signed out: to the sign-in page and back", method: "GET", path: "/duty", status: 303},
		{name: "ward staff are not duty officers", as: s.clerk, method: "GET", path: "/duty", status: 403},
		{name: "the officer's console: words, time, place, phone, flags, station", as: s.saiGon, method: "GET", path: "/duty", status: 200,
			check: contains([]string{"KHẨN CẤP · Cháy, nổ · " + fireR.Code, "Trộm cắp, cướp giật · " + theftR.Code,
				`<span title="mã 26740">Phường Sài Gòn</span>`, "<dt>Địa điểm</dt><dd>Phường Sài Gòn <small>",
				"Có người bị thương", "Mới nhận", "Trạm chung cư Bến Nghé", `href="tel:0903123456"`, "Ẩn danh", stamp,
				"Hạn tiếp nhận", `sse-connect="/duty/live"`, `/duty/reports/` + fireR.ID + `/map.svg`, "Tiếp nhận"},
				"QUÁ HẠN", "Không có cơ sở")},
		{name: "emergencies first", as: s.saiGon, method: "GET", path: "/duty/cards", status: 200,
			check: func(t *testing.T, b []byte) {
				if f, th := strings.Index(string(b), fireR.Code), strings.Index(string(b), theftR.Code); f < 0 || th < f {
					t.Errorf("fire at %d, theft at %d", f, th)
				}
				if strings.Contains(string(b), "<html") {
					t.Error("the fragment is a whole page")
				}
			}},
		{name: "another ward's officer sees neither", as: s.benThanh, method: "GET", path: "/duty", status: 200,
			check: contains([]string{"Chưa có phản ánh nào."}, fireR.Code, "0903123456")},
		{name: "acknowledge with the form", as: s.saiGon, method: "POST", path: "/duty/reports/" + fireR.ID + "/steps",
			body: move("acknowledged", ""), status: 303},
		{name: "acknowledged: the next steps", as: s.saiGon, method: "GET", path: "/duty", status: 200,
			check: func(t *testing.T, b []byte) {
				card := fireCard.Find(b)
				contains([]string{"Đã tiếp nhận", "Xác minh", "Không có cơ sở", "— chọn lý do —", "Đến nơi không phát hiện sự việc"},
					"Hạn tiếp nhận")(t, card)
			}},
		{name: "closing without a reason is refused, on the page", as: s.saiGon, method: "POST", path: "/duty/reports/" + fireR.ID + "/steps",
			body: move("unfounded", ""), status: 400, check: contains([]string{"Xin chọn lý do đóng phản ánh"})},
		{name: "a reason that is not on the list", as: s.saiGon, method: "POST", path: "/duty/reports/" + fireR.ID + "/steps",
			body: move("unfounded", "chán"), status: 400, check: contains([]string{"Xin chọn lý do đóng phản ánh"})},
		{name: "the API refuses a closing without reason", as: s.saiGon, method: "POST", path: "/api/v1/duty/reports/" + fireR.ID + "/transitions",
			body: map[string]string{"to": "unfounded"}, status: 400, code: "close_reason_required"},
		{name: "closing with a reason", as: s.saiGon, method: "POST", path: "/duty/reports/" + fireR.ID + "/steps",
			body: move("unfounded", "false_report"), status: 303},
		{name: "closed reports leave the console", as: s.saiGon, method: "GET", path: "/duty/cards", status: 200,
			check: contains([]string{theftR.Code}, fireR.Code)},
		{name: "the API takes a reason only for a closing", as: s.saiGon, method: "POST", path: "/api/v1/duty/reports/" + theftR.ID + "/transitions",
			body: map[string]string{"to": "acknowledged", "reason": "settled"}, status: 400, code: "reason_not_closing"},
		{name: "the ward map", as: s.saiGon, method: "GET", path: "/duty/reports/" + theftR.ID + "/map.svg", status: 200,
			check: contains([]string{"<svg", "<path d=\"M", "<circle"})},
		{name: "no map of another ward's report", as: s.benThanh, method: "GET", path: "/duty/reports/" + theftR.ID + "/map.svg", status: 404},
	})
	var reason string
	s.pool.QueryRow(ctx, `SELECT close_reason FROM reports WHERE id = $1`, fireR.ID).Scan(&reason)
	if reason != "false_report" {
		t.Errorf("close_reason = %q", reason)
	}
	// Showing the reporter's phone is recorded.
	var reads int
	s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'report.read' AND subject_id = $1 AND username = $2`,
		theftR.ID, s.saiGon.User.Username).Scan(&reads)
	if reads == 0 {
		t.Error("showing the phone was not audited")
	}

	// Past its acknowledgement deadline the card turns red.
	s.pool.Exec(ctx, `UPDATE reports SET acknowledge_due = now() - interval '1 minute' WHERE id = $1`, theftR.ID)
	rec := s.saiGon.Do(t, s.handler, "GET", "/duty/cards", nil)
	contains([]string{"feed-item overdue", "QUÁ HẠN"})(t, rec.Body.Bytes())

	// From htmx a step answers with the card, the error on it when refused.
	r := stafftest.NewRequest(t, "POST", "/duty/reports/"+theftR.ID+"/steps", strings.NewReader("to=resolved"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("HX-Request", "true")
	s.saiGon.Authorize(r)
	rec = stafftest.Record(s.handler, r)
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "\n<article") || !strings.Contains(rec.Body.String(), `role="alert"`) {
		t.Errorf("htmx step: %d %s", rec.Code, rec.Body)
	}
	// A signed-out htmx request sends the whole page to sign in.
	r = httptest.NewRequest("GET", "/duty/cards", nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Current-URL", "http://example.test/duty")
	rec = stafftest.Record(s.handler, r)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("HX-Redirect") != "/staff/login?next=%2Fduty" {
		t.Errorf("signed out htmx: %d %q", rec.Code, rec.Header().Get("HX-Redirect"))
	}
}

// TestDutyLive: the console's stream says "arrived" for a new report of the
// officer's wards and "changed" when one moves, and nothing of the report.
func TestDutyLive(t *testing.T) {
	s := newTestServer(t, nil)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	events := readEvents(openStream(t, srv, s.saiGon, "/duty/live"))
	fire, err := s.svc.Submit(context.Background(), submission("fire", inSaiGon))
	if err != nil {
		t.Fatal(err)
	}
	s.svc.Submit(context.Background(), submission("theft", inBenThanh)) // another ward: nothing
	s.svc.Advance(context.Background(), Officer{ID: "1", Wards: []string{saiGon}}, fire.ID, Move{To: Acknowledged})
	var got []string
	deadline := time.After(5 * time.Second)
	for len(got) < 2 {
		select {
		case ev := <-events:
			if ev.name != "keepalive" {
				got = append(got, ev.name+":"+ev.data)
			}
		case <-deadline:
			t.Fatalf("events = %v", got)
		}
	}
	if strings.Join(got, " ") != "arrived: changed:" {
		t.Errorf("events = %v", got)
	}
}

type sseEvent struct{ name, data string }

// readEvents parses server-sent events from r.
func readEvents(r io.ReadCloser) <-chan sseEvent {
	ch := make(chan sseEvent, 1024)
	go func() {
		defer r.Close()
		defer close(ch)
		sc := bufio.NewScanner(r)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(line[6:])
			case strings.HasPrefix(line, "data:"):
				ev.data = strings.TrimSpace(line[5:])
			case line == "":
				ch <- ev
				ev = sseEvent{}
			}
		}
	}()
	return ch
}
