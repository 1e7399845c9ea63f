package dossiers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// form posts values to path as a browser's form does, with the session's
// CSRF token among them and no header a script would add.
func form(t *testing.T, h http.Handler, c *stafftest.Client, path string, v url.Values) *httptest.ResponseRecorder {
	t.Helper()
	v.Set(staff.CSRFField, c.CSRF)
	r := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: c.Token})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func page(t *testing.T, h http.Handler, c *stafftest.Client, path string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if c != nil {
		r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: c.Token})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// The review console as a ward officer uses it with plain links and forms:
// find a dossier, see its values in words beside the scan and its ward by
// name, take it in and reject it with a reason the resident reads when
// tracking it. It is kept whole over 80 lines because the decision steps
// move the dossier the pages showed, each from the status the step before
// left, and the checks after them read the page and the paper of the
// rejected dossier.
func TestReviewConsole(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	a := e.attachTo(t, wardA)
	other := e.attachTo(t, wardB)
	officer := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	viewer := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	d, err := e.svc.Get(context.Background(), officer.User, kiosk, a.dossier)
	if err != nil {
		t.Fatal(err)
	}
	reviewPath := "/staff/dossiers/" + a.dossier

	pages := []struct {
		name     string
		as       *stafftest.Client
		path     string
		status   int
		want     []string
		dontWant []string
	}{
		{"no session signs in first", nil, "/staff?q=abc", 303, nil, nil},
		{"queue", officer, "/staff", 200, []string{d.TrackingCode, "Nguyễn Thị Lan", "CCCD", "Đã nộp, chờ tiếp nhận", "Không mất phí", "sla-",
			"<td>Phường Sài Gòn</td>", `<span title="mã 26740">Phường Sài Gòn</span>`}, []string{other.dossier, "<td>26740</td>"}},
		{"by tracking code", officer, "/staff?q=" + strings.ToLower(d.TrackingCode), 200, []string{d.TrackingCode}, nil},
		{"by name without marks", officer, "/staff?q=nguyen+thi+LAN", 200, []string{d.TrackingCode}, nil},
		{"by last four digits", officer, "/staff?q=" + lanID[len(lanID)-4:], 200, []string{d.TrackingCode}, nil},
		{"no match", officer, "/staff?q=9999", 200, []string{"Không có hồ sơ nào."}, []string{d.TrackingCode}},
		{"like is not a wildcard", officer, "/staff?q=%25", 200, []string{"Không có hồ sơ nào."}, nil},
		{"review in words", officer, reviewPath, 200, []string{"Nữ", "12/03/1950", "Bản giấy tại công an phường", "Mã QR trên căn cước", "Tiếp nhận hồ sơ", `<svg class="scan"`, "/receipt.pdf",
			`<dd id="d-ward">Phường Sài Gòn <small>(mã 26740)</small></dd>`, "Đã nộp, chờ tiếp nhận · Người dân tại trạm"}, []string{`id="scan-box"`, "Duyệt hồ sơ", "/decision.pdf"}},
		{"sources that disagree side by side", officer, reviewPath, 200, []string{"Các nguồn không khớp, cần đối chiếu với giấy tờ: <span>MRZ mặt sau: 12/03/1950</span> / <span>Mặt trước: 12/08/1950</span>", "100% — cần kiểm tra"}, nil},
		{"a field's box on the scan", officer, reviewPath + "?field=full_name", 200, []string{`<rect id="scan-box" x="0" y="0" width="1" height="1"`, "khung đánh dấu mục «Họ, chữ đệm và tên»"}, nil},
		{"viewer has no actions", viewer, reviewPath, 200, []string{"Nguyễn Thị Lan"}, []string{"Tiếp nhận hồ sơ", `name="to"`}},
		{"other ward not found", officer, "/staff/dossiers/" + other.dossier, 404, nil, nil},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			rec := page(t, e.h, tt.as, tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(rec.Body.String(), w) {
					t.Errorf("page shows %q", w)
				}
			}
		})
	}

	decision := reviewPath + "/decision"
	steps := []struct {
		name   string
		values url.Values
		status int
		want   string
	}{
		{"asks to confirm", url.Values{"to": {"in_review"}, "from": {"submitted"}}, 200, "Xác nhận: Tiếp nhận hồ sơ"},
		{"confirmed", url.Values{"to": {"in_review"}, "from": {"submitted"}, "confirm": {"yes"}}, 303, ""},
		{"stale page refused", url.Values{"to": {"in_review"}, "from": {"submitted"}, "confirm": {"yes"}}, 409, "Hồ sơ vừa được chuyển sang"},
		{"reject needs a reason", url.Values{"to": {"rejected"}, "from": {"in_review"}}, 400, "Xin ghi rõ lý do không chấp nhận hồ sơ."},
		{"reject confirms with the reason", url.Values{"to": {"rejected"}, "from": {"in_review"}, "reason": {"Ảnh căn cước bị mờ"}}, 200, "Người dân sẽ đọc: «Ảnh căn cước bị mờ»"},
		{"rejected", url.Values{"to": {"rejected"}, "from": {"in_review"}, "reason": {"Ảnh căn cước bị mờ"}, "confirm": {"yes"}}, 303, ""},
	}
	for _, s := range steps {
		rec := form(t, e.h, officer, decision, s.values)
		if rec.Code != s.status || !strings.Contains(rec.Body.String(), s.want) {
			t.Fatalf("%s: %d, want %d with %q:\n%s", s.name, rec.Code, s.status, s.want, rec.Body)
		}
	}
	if rec := form(t, e.h, viewer, decision, url.Values{"to": {"result_ready"}, "confirm": {"yes"}}); rec.Code != 403 {
		t.Errorf("viewer decides: %d", rec.Code)
	}
	bad := url.Values{"to": {"result_ready"}, "confirm": {"yes"}, staff.CSRFField: {"forged"}}
	r := httptest.NewRequest("POST", decision, strings.NewReader(bad.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: officer.Token})
	if rec := httptest.NewRecorder(); func() int { e.h.ServeHTTP(rec, r); return rec.Code }() != 403 {
		t.Errorf("forged token: %d", rec.Code)
	}

	done := page(t, e.h, officer, reviewPath+"?done=rejected")
	for _, w := range []string{"Đã chuyển hồ sơ sang «Không được chấp nhận»", "/api/v1/dossiers/" + a.dossier + "/decision.pdf", "Không được chấp nhận · " + officer.User.Username + " — «Ảnh căn cước bị mờ»", "Đã có văn bản trả lời"} {
		if !strings.Contains(done.Body.String(), w) {
			t.Errorf("after the decision the page lacks %q", w)
		}
	}
	tr, err := e.svc.Track(context.Background(), kiosk, d.TrackingCode, lanID[len(lanID)-4:])
	if err != nil || !strings.Contains(tr.NextStep, "Ảnh căn cước bị mờ.") {
		t.Errorf("the resident reads %+v, %v", tr, err)
	}
	// The officer prints the refusal from the page's link, signed in.
	if rec := page(t, e.h, officer, "/api/v1/dossiers/"+a.dossier+"/decision.pdf"); rec.Code != 200 ||
		!strings.Contains(pdfText(t, rec.Body.Bytes()), "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ") {
		t.Errorf("the officer's decision paper: %d", rec.Code)
	}
}

// A dossier of a ward no table names (a row from before the official list
// of wards) is shown by the one stand-in for it, capitalised where it
// begins a cell and in capitals on its papers' letterhead; programs get
// its code alone.
func TestUnnamedWard(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	d := e.dossierAt(t, wardA, dossiers.StatusSubmitted)
	// The official-list check is NOT VALID: it holds for new rows only,
	// so the old row is written past it.
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `ALTER TABLE dossiers DROP CONSTRAINT dossiers_ward_official;
			UPDATE dossiers SET ward = '99902' WHERE id = '`+d.ID+`';
			ALTER TABLE dossiers ADD CONSTRAINT dossiers_ward_official FOREIGN KEY (ward) REFERENCES admin_units (code) NOT VALID`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	viewer := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	for path, want := range map[string]string{
		"/staff":                  "<td>Phường mã 99902</td>",
		"/staff/dossiers/" + d.ID: `<dd id="d-ward">Phường mã 99902</dd>`,
	} {
		if rec := page(t, e.h, viewer, path); rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d, lacks %q", path, rec.Code, want)
		}
	}
	pdf, err := e.svc.Receipt(ctx, kiosk, d.ID, nil, dossiers.Proof{Secret: d.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, pdf); !strings.Contains(text, "TRẠM CÔNG DÂN SỐ — PHƯỜNG MÃ 99902") {
		t.Errorf("the receipt's letterhead:\n%s", text)
	}
	var list struct{ Dossiers []map[string]any }
	decode(t, viewer.Do(t, e.h, "GET", "/api/v1/staff/dossiers", nil).Body.Bytes(), &list)
	if len(list.Dossiers) != 1 || list.Dossiers[0]["ward"] != "99902" || list.Dossiers[0]["ward_name"] != nil {
		t.Errorf("the API's dossiers: %v", list.Dossiers)
	}
}
