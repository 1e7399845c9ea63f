package dossiers_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// pngBytes is a real 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// multipartFile builds a multipart body with a file and optional fields.
func multipartFile(t testing.TB, content []byte, fields map[string]string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "can-cuoc-mat-truoc.png")
	fw.Write(content)
	w.Close()
	return &buf, w.FormDataContentType()
}

// attachReq is an attachment upload with the given secret.
func attachReq(t testing.TB, id, secret string, content []byte, fields map[string]string) *http.Request {
	body, ct := multipartFile(t, content, fields)
	r := stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+id+"/attachments", body)
	r.Header.Set("Content-Type", ct)
	if secret != "" {
		r.Header.Set(dossiers.SecretHeader, secret)
	}
	return r
}

// TestResidentFiling walks the kiosk's side over HTTP: create, attach,
// submit, with the mistakes a kiosk or a resident can make. It is one
// table of requests against one dossier, over 80 lines with its creation,
// kept whole because each row finds the dossier as the rows before left it
// (attached, then submitted, then with a receipt).
func TestResidentFiling(t *testing.T) {
	e := newEnv(t, dossiers.Config{MaxAttachment: 4 << 10})
	var created dossiers.Created
	rec := (*stafftest.Client)(nil).Do(t, e.h, "POST", "/api/v1/dossiers", `{
		"procedure": "residence.info-confirm", "ward": "26740", "kiosk_session_id": "ks-1",
		"fields": {
			"full_name": {"value": "Trần Văn Minh", "provenance": "ocr", "confidence": 0.81, "box": [1, 2, 3, 4]},
			"id_number": {"value": "079 203 009 876", "provenance": "qr", "confidence": 0.99},
			"date_of_birth": {"value": "1948-07-01", "provenance": "mrz"},
			"sex": "Nam",
			"place_of_residence": {"value": "45 Lê Lợi, phường Bến Thành", "provenance": "ocr", "confidence": 0.77},
			"delivery": "paper",
			"phone": "0909.555.123"
		}}`)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	decode(t, rec.Body.Bytes(), &created)
	if created.Status != "draft" || created.Secret == "" || len(created.TrackingCode) != 9 || len(created.Checklist) != 1 {
		t.Fatalf("created %+v", created)
	}
	id := created.ID
	other := e.create(t, confirmResidence, wardA)

	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantBody   string
	}{
		{"unknown procedure", stafftest.NewRequest(t, "POST", "/api/v1/dossiers", `{"procedure":"khong-co","ward":"26740"}`), 400, "unknown_procedure"},
		{"a service is not a dossier", stafftest.NewRequest(t, "POST", "/api/v1/dossiers", `{"procedure":"utility.bill-payment","ward":"26740"}`), 400, "not_a_procedure"},
		{"no ward", stafftest.NewRequest(t, "POST", "/api/v1/dossiers", `{"procedure":"residence.info-confirm"}`), 400, "ward_invalid"},
		{"a ward that does not exist", stafftest.NewRequest(t, "POST", "/api/v1/dossiers", `{"procedure":"residence.info-confirm","ward":"99999"}`), 400, "unknown_ward"},
		{"bad values all reported", stafftest.NewRequest(t, "POST", "/api/v1/dossiers",
			`{"procedure":"residence.info-confirm","ward":"26740","fields":{"id_number":"12345","phone":"99","nickname":"x"}}`), 400,
			"Số định danh cá nhân (căn cước) gồm đúng 12 chữ số. Thủ tục này không có mục «nickname». Số điện thoại gồm 10 chữ số"},
		{"bad provenance", stafftest.NewRequest(t, "POST", "/api/v1/dossiers",
			`{"procedure":"residence.info-confirm","ward":"26740","fields":{"full_name":{"value":"A","provenance":"guess"}}}`), 400, "provenance_invalid"},
		{"bad confidence", stafftest.NewRequest(t, "POST", "/api/v1/dossiers",
			`{"procedure":"residence.info-confirm","ward":"26740","fields":{"full_name":{"value":"A","confidence":1.5}}}`), 400, "confidence_invalid"},
		{"not json", stafftest.NewRequest(t, "POST", "/api/v1/dossiers", `procedure=x`), 400, "body_invalid"},
		{"attach without secret", attachReq(t, id, "", pngBytes, nil), 403, "dossier_secret_invalid"},
		{"attach with another dossier's secret", attachReq(t, id, other.Secret, pngBytes, nil), 403, "dossier_secret_invalid"},
		{"attach text", attachReq(t, id, created.Secret, []byte("just some text, not a scan"), nil), 415, "file_type"},
		{"attach too large", attachReq(t, id, created.Secret, append(append([]byte{}, pngBytes...), make([]byte, 5<<10)...), nil), 413, "file_too_large"},
		{"attach to an unknown document", attachReq(t, id, created.Secret, pngBytes, map[string]string{"document": "7"}), 400, "document_invalid"},
		{"attach to a missing dossier", attachReq(t, "0190ab12-0000-7000-8000-000000000000", created.Secret, pngBytes, nil), 404, "dossier_not_found"},
		{"attach", attachReq(t, id, created.Secret, pngBytes, map[string]string{"document": "0"}), 201, `"content_type":"image/png"`},
		{"submit without secret", stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+id+"/submit", nil), 403, "dossier_secret_invalid"},
		{"receipt of a draft", withSecret(stafftest.NewRequest(t, "GET", "/api/v1/dossiers/"+id+"/receipt.pdf", nil), created.Secret), 409, "receipt_not_ready"},
		{"submit", withSecret(stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+id+"/submit", nil), created.Secret), 200, `"status":"submitted"`},
		{"submit twice", withSecret(stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+id+"/submit", nil), created.Secret), 409, "transition_not_allowed"},
		{"attach after submitting", attachReq(t, id, created.Secret, pngBytes, nil), 409, "dossier_closed"},
		{"receipt with the secret", withSecret(stafftest.NewRequest(t, "GET", "/api/v1/dossiers/"+id+"/receipt.pdf", nil), created.Secret), 200, "%PDF-"},
		{"receipt without proof", stafftest.NewRequest(t, "GET", "/api/v1/dossiers/"+id+"/receipt.pdf", nil), 401, "proof_required"},
		{"receipt with wrong digits", stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+id+"/receipt.pdf", `{"last4":"1111"}`), 404, "tracking_not_found"},
		{"receipt with the phone's digits", stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+id+"/receipt.pdf", `{"last4":"5123"}`), 200, "%PDF-"},
		{"receipt with the digits in its address", stafftest.NewRequest(t, "GET", "/api/v1/dossiers/"+id+"/receipt.pdf?last4=5123", nil), 400, "proof_in_address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := stafftest.Record(e.h, tt.req)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("= %d %.300s; want %d with %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

// TestIncompleteFiling: submitting without a required field is refused with
// the fields named; the kiosk fills the rest in two goes, then submits, and
// the fields are closed after.
func TestIncompleteFiling(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	other := e.create(t, confirmResidence, wardA)
	incomplete, err := e.svc.Create(context.Background(), kiosk, dossiers.NewDossier{Procedure: confirmResidence, Ward: wardA,
		Fields: map[string]dossiers.FieldInput{"full_name": {Value: "Lê Văn Tám"}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := stafftest.Record(e.h, withSecret(stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+incomplete.ID+"/submit", nil), incomplete.Secret))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "Hồ sơ còn thiếu: Ngày, tháng, năm sinh, Giới tính, Số định danh cá nhân") {
		t.Fatalf("incomplete submit: %d %s", rec.Code, rec.Body)
	}
	// The kiosk fills the rest in two goes, then submits.
	patch := func(secret, body string) *httptest.ResponseRecorder {
		return stafftest.Record(e.h, withSecret(stafftest.NewRequest(t, "PATCH", "/api/v1/dossiers/"+incomplete.ID+"/fields", body), secret))
	}
	steps := []struct {
		secret, body string
		wantStatus   int
		wantBody     string
	}{
		{other.Secret, `{"fields":{"sex":"nam"}}`, 403, "dossier_secret_invalid"},
		{incomplete.Secret, `{"fields":{"sex":"nam","date_of_birth":"1940-13-01"}}`, 400, "Ngày, tháng, năm sinh phải là một ngày hợp lệ"},
		{incomplete.Secret, `{"fields":{"sex":"nam","date_of_birth":"1940-12-01"}}`, 200, `"missing":["Số định danh cá nhân","Số điện thoại liên hệ","Nơi cư trú","Hình thức nhận"]`},
		{incomplete.Secret, `{"fields":{"id_number":{"value":"079040001111","provenance":"qr","confidence":0.98},"phone":"0911222333","place_of_residence":"3 Lê Lợi","delivery":"paper"}}`, 200, `"missing":[]`},
	}
	for _, st := range steps {
		if rec := patch(st.secret, st.body); rec.Code != st.wantStatus || !strings.Contains(rec.Body.String(), st.wantBody) {
			t.Fatalf("PATCH %s = %d %s; want %d with %s", st.body, rec.Code, rec.Body, st.wantStatus, st.wantBody)
		}
	}
	if _, err := e.svc.Submit(context.Background(), kiosk, incomplete.ID, incomplete.Secret); err != nil {
		t.Fatal(err)
	}
	if rec := patch(incomplete.Secret, `{"fields":{"sex":"nu"}}`); rec.Code != 409 {
		t.Fatalf("PATCH after submitting: %d %s", rec.Code, rec.Body)
	}
}

// TestSupplement is the round trip of a supplement: staff ask, the resident
// corrects a value and adds a scan, resubmits, and staff see what changed.
func TestSupplement(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	d := e.dossierAt(t, wardA, dossiers.StatusNeedsSupplement)
	res, err := e.svc.UpdateFields(ctx, kiosk, d.ID, d.Secret, map[string]dossiers.FieldInput{"phone": {Value: "0987654321"}})
	if err != nil || len(res.Updated) != 1 {
		t.Fatalf("update: %+v %v", res, err)
	}
	if _, err := e.svc.Attach(ctx, kiosk, d.ID, d.Secret, dossiers.AttachmentInput{Document: ptr(0), Content: bytes.NewReader(pngBytes)}); err != nil {
		t.Fatal(err)
	}
	if sub, err := e.svc.Submit(ctx, kiosk, d.ID, d.Secret); err != nil || sub.Status != dossiers.StatusSubmitted || sub.Checklist[0].Attached != 1 {
		t.Fatalf("resubmit: %+v %v", sub, err)
	}
	full, err := e.svc.Get(ctx, e.admin, kiosk, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range full.Fields {
		if f.Name == "phone" && (f.Value != "0987654321" || len(f.History) != 1 || f.History[0].Value != lanPhone || f.History[0].ReplacedBy != "resident") {
			t.Errorf("phone %+v", f)
		}
	}
	// The new phone verifies tracking; the old one no longer does.
	if _, err := e.svc.Track(ctx, kiosk, d.TrackingCode, "4321"); err != nil {
		t.Errorf("new phone: %v", err)
	}
	if _, err := e.svc.Track(ctx, kiosk, d.TrackingCode, "3456"); err == nil {
		t.Error("old phone still verifies")
	}
}

func withSecret(r *http.Request, secret string) *http.Request {
	r.Header.Set(dossiers.SecretHeader, secret)
	return r
}

// TestWardIsolation sends every staff request for a ward-A dossier as each
// kind of user: ward-B staff get 404 exactly as for a dossier that does not
// exist, the command centre may read but not change, and other roles are
// refused; then each user lists the queue. It is kept whole over 80 lines:
// the table has a row per user and endpoint, and the lists after it count
// the dossiers as the table's last row left them (moved to supplement).
func TestWardIsolation(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	d := e.dossierAt(t, wardA, dossiers.StatusInReview)
	att := e.attachTo(t, wardA)
	draft := e.create(t, confirmResidence, wardA)

	clerkA := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	clerkB := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardB)
	clerkAB := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardB, wardA)
	centre := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	duty := stafftest.SignIn(t, e.pool, staff.RoleDutyOfficer, wardA)

	base := "/api/v1/staff/dossiers/" + d.ID
	type req struct{ method, path, body string }
	endpoints := map[string]req{
		"detail":     {"GET", base, ""},
		"attachment": {"GET", "/api/v1/staff/dossiers/" + att.dossier + "/attachments/" + att.id, ""},
		"edit field": {"PUT", base + "/fields/full_name", `{"value":"Nguyễn Thị Lan","reason":"đối chiếu"}`},
		"transition": {"POST", base + "/transition", `{"to":"needs_supplement","reason":"Thiếu CT07","from":"in_review"}`},
		"receipt":    {"GET", "/api/v1/dossiers/" + d.ID + "/receipt.pdf", ""},
	}
	tests := []struct {
		who        string
		as         *stafftest.Client
		endpoint   string
		wantStatus int
		wantBody   string
	}{
		{"other ward", clerkB, "detail", 404, "dossier_not_found"},
		{"other ward", clerkB, "attachment", 404, "dossier_not_found"},
		{"other ward", clerkB, "edit field", 404, "dossier_not_found"},
		{"other ward", clerkB, "transition", 404, "dossier_not_found"},
		{"other ward", clerkB, "receipt", 404, "dossier_not_found"},
		{"command centre", centre, "detail", 200, `"ward":"26740"`},
		{"command centre", centre, "attachment", 200, "PNG"},
		{"command centre", centre, "edit field", 403, "role_forbidden"},
		{"command centre", centre, "transition", 403, "role_forbidden"},
		{"duty officer", duty, "detail", 403, "role_forbidden"},
		{"duty officer", duty, "edit field", 403, "role_forbidden"},
		{"anonymous", nil, "detail", 401, "not_signed_in"},
		{"anonymous", nil, "transition", 401, "not_signed_in"},
		{"own ward", clerkA, "detail", 200, `"provenance":"ocr"`},
		{"own ward", clerkA, "attachment", 200, "PNG"},
		{"own ward", clerkA, "receipt", 200, "%PDF-"},
		{"own ward", clerkA, "edit field", 200, `"provenance":"staff"`},
		{"second ward", clerkAB, "transition", 200, `"status":"needs_supplement"`},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.endpoint, func(t *testing.T) {
			ep := endpoints[tt.endpoint]
			var body any
			if ep.body != "" {
				body = ep.body
			}
			rec := tt.as.Do(t, e.h, ep.method, ep.path, body)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("%s %s = %d %.200s; want %d with %q", ep.method, ep.path, rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus == 404 {
				// Indistinguishable from a dossier that does not exist.
				rec2 := tt.as.Do(t, e.h, ep.method, strings.Replace(ep.path, d.ID, "0190ab12-0000-7000-8000-000000000000", 1), body)
				if strings.Contains(ep.path, d.ID) && (rec2.Code != 404 || errCode(rec2.Body.String()) != errCode(rec.Body.String())) {
					t.Errorf("a missing dossier answers %d %s", rec2.Code, rec2.Body)
				}
			}
		})
	}

	// Lists: each user sees only their wards; drafts are nobody's business.
	e.dossierAt(t, wardB, dossiers.StatusSubmitted)
	lists := []struct {
		as   *stafftest.Client
		want map[string]int
	}{
		{clerkA, map[string]int{wardA: 2}},
		{clerkB, map[string]int{wardB: 1}},
		{clerkAB, map[string]int{wardA: 2, wardB: 1}},
		{centre, map[string]int{wardA: 2, wardB: 1}},
	}
	for _, l := range lists {
		rec := l.as.Do(t, e.h, "GET", "/api/v1/staff/dossiers?status=submitted,in_review,needs_supplement", nil)
		var page dossiers.QueuePage
		decode(t, rec.Body.Bytes(), &page)
		got := map[string]int{}
		for _, d := range page.Dossiers {
			got[d.Ward]++
			if d.ID == draft.ID {
				t.Errorf("%s sees a draft", l.as.User.Username)
			}
		}
		if len(got) != len(l.want) || got[wardA] != l.want[wardA] || got[wardB] != l.want[wardB] {
			t.Errorf("%s (%v) sees %v, want %v", l.as.User.Username, l.as.User.Wards, got, l.want)
		}
	}
	// A draft is hidden even from its own ward's staff.
	if rec := clerkA.Do(t, e.h, "GET", "/api/v1/staff/dossiers/"+draft.ID, nil); rec.Code != 404 {
		t.Errorf("draft detail: %d", rec.Code)
	}
}

func errCode(body string) string {
	_, rest, _ := strings.Cut(body, `"code":"`)
	code, _, _ := strings.Cut(rest, `"`)
	return code
}

type attached struct{ dossier, id string }

// attachTo makes a submitted dossier in ward with one scan attached.
func (e *env) attachTo(t testing.TB, ward string) attached {
	t.Helper()
	c := e.create(t, confirmResidence, ward)
	a, err := e.svc.Attach(context.Background(), kiosk, c.ID, c.Secret, dossiers.AttachmentInput{Document: ptr(0), Filename: "ct07.png", Content: bytes.NewReader(pngBytes)})
	if err != nil {
		t.Fatal(err)
	}
	e.walk(t, c, dossiers.StatusSubmitted)
	return attached{c.ID, a.ID}
}
