package flows_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/jackc/pgx/v5"
)

// The security review's findings about the kiosk's live payment stream,
// replayed over HTTP against the real stack.

// pendingBill takes a conversation to a bill's payment order, waiting.
func pendingBill(t *testing.T, e *env) *conversation {
	t.Helper()
	c := e.start(t)
	toBillReview(c, "1", "DEMO0001")
	c.choose(assistant.ChoiceConfirm)
	c.say("1")
	c.expect(assistant.StagePay)
	if c.last.Payment == nil || c.last.Payment.State != assistant.PaymentPending {
		t.Fatalf("no pending payment: %+v", c.last.Payment)
	}
	return c
}

// openStream opens the session's payment stream as the station and waits
// for its first event; it returns the status and, for a stream, a closer.
func (e *env) openStream(t *testing.T, sessionID string) (int, string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.api.URL+"/api/v1/sessions/"+sessionID+"/payment/events", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		cancel()
		return resp.StatusCode, body.Error.Code, func() {}
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "data:") {
	}
	return resp.StatusCode, "", func() { cancel(); resp.Body.Close() }
}

// High 1: each payment stream used to hold a pooled connection with its
// own LISTEN, so about 24 open kiosk pages left no connection for anyone
// else. Now the streams share the replica's one listening connection: with
// three times the pool's size open, the API still answers at once, and the
// database sees one listener.
func TestSecurityPaymentStreamsHoldNoConnection(t *testing.T) {
	e := newEnv(t)
	e.streams.PerStation, e.streams.PerAddress = 100, 100 // this test is not about the caps
	c := pendingBill(t, e)
	n := 3 * int(e.pool.Config().MaxConns)
	for range n {
		status, code, closeStream := e.openStream(t, c.id)
		if status != http.StatusOK {
			t.Fatalf("stream refused: %d %s", status, code)
		}
		defer closeStream()
	}
	client := &http.Client{Timeout: 5 * time.Second}
	req, _ := http.NewRequest("GET", e.api.URL+"/api/v1/sessions/"+c.id, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("with %d streams open the API does not answer: %v", n, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with %d streams open: %d after %s", n, resp.StatusCode, time.Since(start))
	}
	var listeners int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&listeners)
	if listeners != 1 {
		t.Errorf("%d listening connections for %d streams, want 1", listeners, n)
	}
}

// High 1: a station may hold only so many streams open; one more gets a
// clear refusal, and a closed stream frees its place.
func TestSecurityStreamCaps(t *testing.T) {
	e := newEnv(t)
	c := pendingBill(t, e)
	var closers []func()
	for range e.streams.PerStation {
		status, code, closeStream := e.openStream(t, c.id)
		if status != http.StatusOK {
			t.Fatalf("stream refused under the cap: %d %s", status, code)
		}
		closers = append(closers, closeStream)
	}
	if status, code, _ := e.openStream(t, c.id); status != http.StatusTooManyRequests || code != "too_many_streams" {
		t.Fatalf("a stream over the cap: %d %q, want 429 too_many_streams", status, code)
	}
	closers[0]()
	// The server notices the closed stream when its request ends.
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _, closeStream := e.openStream(t, c.id)
		if status == http.StatusOK {
			closeStream()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed stream's place was not given back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, f := range closers[1:] {
		f()
	}
}

// Medium: an OCR result used to be importable by any kiosk conversation
// that knew its id, and a scan uploaded with no visit was kept for good.
// A result now belongs to the visit that made it: another visit's
// conversation is told it is not there, and it is erased with its visit.
func TestSecurityScansBelongToTheirVisit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lat, lng := 10.778, 106.707
	other, _, err := e.kiosk.AddStation(ctx, audit.Actor{Role: "test"}, kiosk.NewStation{Name: "Trạm bên cạnh", WardCode: saiGon, Latitude: &lat, Longitude: &lng})
	if err != nil {
		t.Fatal(err)
	}
	theirVisit, err := e.kiosk.StartSession(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	stolen := &ocr.Result{Kind: ocr.KindCCCDFront, KioskSessionID: theirVisit.ID,
		Fields: map[string]ocr.Field{"id_number": {Value: "079203001234", Confidence: 0.99, Source: ocr.SourceQR}}}
	unbound := &ocr.Result{Kind: ocr.KindCCCDFront, Fields: map[string]ocr.Field{"id_number": {Value: "079203009999", Confidence: 0.99, Source: ocr.SourceQR}}}
	mine := &ocr.Result{Kind: ocr.KindCCCDFront, KioskSessionID: e.visitID,
		Fields: map[string]ocr.Field{"id_number": {Value: "079203005678", Confidence: 0.99, Source: ocr.SourceQR}}}
	for _, r := range []*ocr.Result{stolen, unbound, mine} {
		if err := e.scans.Save(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := e.start(t)
	for _, tc := range []struct {
		name, id, want string
	}{
		{"another station's visit's scan", stolen.ID, "không tìm thấy kết quả quét"},
		{"a scan of no visit", unbound.ID, "không tìm thấy kết quả quét"},
		{"its own visit's scan", mine.ID, "đã điền 1 thông tin"},
	} {
		c.send(assistant.Message{OCRResultID: tc.id})
		if !strings.Contains(c.last.Reply, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, c.last.Reply, tc.want)
		}
	}
	// The other visit ends: its scan goes with it (the OCR store erases,
	// as serve wires it).
	stations := kiosk.NewService(e.pool, kiosk.DefaultConfig(), quiet, e.scans)
	if _, err := stations.EndSession(ctx, theirVisit.ID, kiosk.EndFinish); err != nil {
		t.Fatal(err)
	}
	if _, err := e.scans.Get(ctx, stolen.ID); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("the ended visit's scan is still kept: %v", err)
	}
}

// TestSecurityGuideSealsWhatResidentsSay: after a conversation at the
// kiosk in which the resident typed their ID number and phone, no column
// of any assistant_* table holds either in plain text (sealed columns are
// read as their bytes), and the guide still reads the answers back.
func TestSecurityGuideSealsWhatResidentsSay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.start(t)
	c.say("tôi mới chuyển nhà")
	c.expect(assistant.StageConfirm)
	c.choose("p:residence.permanent-register")
	c.choose(assistant.ChoiceNext)
	c.fillWith(map[string]string{"id_number": "079203001234", "phone": "0903 123 456"})
	c.expect(assistant.StageReview, "0903")

	rows, err := e.pool.Query(ctx, `
		SELECT table_name::text, string_agg(CASE WHEN data_type = 'bytea' THEN format('encode(%I, ''escape'')', column_name)
			ELSE format('%I::text', column_name) END, ', ')
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'assistant\_%'
		GROUP BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Name, Columns string }])
	if err != nil || len(tables) < 5 {
		t.Fatalf("assistant tables: %v, %v", tables, err)
	}
	stored := 0
	for _, table := range tables {
		for _, text := range dbtest.Texts(t, e.pool, `SELECT concat_ws(' | ', `+table.Columns+`) FROM `+table.Name) {
			stored++
			for _, plain := range []string{"079203001234", "0903123456", "0903 123 456", "903123456"} {
				if strings.Contains(text, plain) {
					t.Errorf("%s holds %q in plain text: %.300s", table.Name, plain, text)
				}
			}
		}
	}
	if stored < 10 {
		t.Fatalf("only %d rows in the assistant tables: the conversation stored nothing to check", stored)
	}
	// The review still shows what was typed: the guide opens it.
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone)
	if _, err := e.dossiers.Track(ctx, audit.Actor{IP: "10.0.0.9"}, c.last.Dossier.TrackingCode, "3456"); err != nil {
		t.Errorf("the dossier filed from the sealed answers: %v", err)
	}
}

// followReport looks the report code up through the guide's "Tra cứu".
func followReport(t *testing.T, e *env, code string) *conversation {
	t.Helper()
	c := e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugStatusLookup)
	c.say(code)
	return c
}

// TestSecurityReportLookupsThroughTheGuideAreLimited: a report's code
// followed through the guide counts against the same per-address limit as
// every look-up by code (dossiers' tracking, payments' codes): once the
// station's address has used its hour, the guide refuses the report too,
// with the limit's sentence, and shows nothing of it.
func TestSecurityReportLookupsThroughTheGuideAreLimited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec, err := e.reports.Submit(ctx, reports.Submission{Category: "theft", Description: "Mất xe đạp trước sảnh",
		StationID: e.stationID, Channel: reports.Kiosk})
	if err != nil {
		t.Fatal(err)
	}
	c := followReport(t, e, rec.Code)
	c.expect(assistant.StageDone, "Phản ánh "+rec.Code)

	// The station's address spends its hour on dossiers' codes.
	station := audit.Actor{Role: "kiosk", IP: "station:" + e.stationID}
	spent := 0
	for ; spent <= 200; spent++ {
		_, err := e.dossiers.Track(ctx, station, "ABC-DEF-GHK", "1234")
		if apperr.IsKind(err, apperr.RateLimited) {
			break
		}
	}
	if spent > 200 {
		t.Fatal("the station's tracking is never limited")
	}
	c = followReport(t, e, rec.Code)
	if c.last.Stage == assistant.StageDone || c.last.DossierStatus != nil || !strings.Contains(c.last.Reply, "thử quá nhiều lần") {
		t.Fatalf("report followed past the station's limit: stage %s, %q, %+v", c.last.Stage, c.last.Reply, c.last.DossierStatus)
	}
	// Another station's address is not spent.
	if _, err := e.reports.Track(ctx, "station:another", rec.Code); err != nil {
		t.Errorf("another address: %v", err)
	}
}
