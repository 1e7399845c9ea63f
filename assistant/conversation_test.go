package assistant

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

const testEvalToken = "evaluator-token-0123456789"

// newTestService returns the service on a fresh database holding the real
// shipped catalogue.
func newTestService(t testing.TB, model *Model, scans Scans) *Service {
	t.Helper()
	pool := dbtest.New(t)
	cfg := Defaults()
	cfg.EvalToken = testEvalToken
	svc, err := New(Deps{Pool: pool, Catalogue: procedurestest.Load(t, pool), Scans: scans, Model: model, Logger: slog.New(slog.DiscardHandler), Sealer: seal.Ephemeral(),
		Stations: kiosk.NewService(pool, kiosk.DefaultConfig(), nil)}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// chat drives one conversation and checks what every reply must carry.
type chat struct {
	t   testing.TB
	svc *Service
	id  string
	r   *Reply
	log []string
}

func startChat(t testing.TB, svc *Service, req StartRequest) *chat {
	t.Helper()
	r, err := svc.Start(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	c := &chat{t: t, svc: svc, id: r.SessionID, r: r}
	c.check()
	return c
}

func (c *chat) send(m Message) *chat {
	c.t.Helper()
	r, err := c.svc.Send(context.Background(), c.id, m, SendOptions{Eval: true})
	if err != nil {
		c.t.Fatalf("send %+v: %v\nconversation:\n%s", m, err, strings.Join(c.log, "\n"))
	}
	c.r = r
	c.log = append(c.log, "> "+m.Text+m.Choice+m.OCRResultID, "< ["+string(r.Stage)+"/"+string(r.Status)+"] "+r.Reply)
	c.check()
	return c
}

func (c *chat) say(text string) *chat  { c.t.Helper(); return c.send(Message{Text: text}) }
func (c *chat) choose(id string) *chat { c.t.Helper(); return c.send(Message{Choice: id}) }
func (c *chat) scan(id string) *chat   { c.t.Helper(); return c.send(Message{OCRResultID: id}) }
func (c *chat) fatalf(f string, a ...any) {
	c.t.Helper()
	c.t.Fatalf(f+"\nconversation:\n%s", append(a, strings.Join(c.log, "\n"))...)
}

// check asserts the rules every reply follows: a status, the prompt
// version, a way to call staff and (outside handoff) a way back.
func (c *chat) check() {
	c.t.Helper()
	r := c.r
	if r.Reply == "" || r.Status == "" || r.Stage == "" || r.PromptVersion != c.svc.prompts.Version {
		c.fatalf("incomplete reply %+v", r)
	}
	if !c.has(ChoiceHandoff) {
		c.fatalf("no call-staff choice in %+v", r.Choices)
	}
	if r.Stage != StageHandoff && !c.has(ChoiceBack) {
		c.fatalf("no go-back choice in %+v", r.Choices)
	}
}

func (c *chat) has(choice string) bool {
	return slices.ContainsFunc(c.r.Choices, func(ch Choice) bool { return ch.ID == choice })
}

func (c *chat) want(stage Stage, status Status) *chat {
	c.t.Helper()
	if c.r.Stage != stage || c.r.Status != status {
		c.fatalf("got %s/%s, want %s/%s: %q", c.r.Stage, c.r.Status, stage, status, c.r.Reply)
	}
	return c
}

func (c *chat) wantField(name string) *chat {
	c.t.Helper()
	if c.r.Stage != StageCollect || c.r.Field == nil || c.r.Field.Name != name {
		c.fatalf("want the question for %s, got %s %+v: %q", name, c.r.Stage, c.r.Field, c.r.Reply)
	}
	return c
}

func (c *chat) wantText(parts ...string) *chat {
	c.t.Helper()
	for _, p := range parts {
		if !strings.Contains(c.r.Reply, p) {
			c.fatalf("reply %q lacks %q", c.r.Reply, p)
		}
	}
	return c
}

// pick types the number under which slug is offered.
func (c *chat) pick(slug string) *chat {
	c.t.Helper()
	if c.r.Stage != StageConfirm {
		c.fatalf("not at confirm: %s %q", c.r.Stage, c.r.Reply)
	}
	for i, ch := range c.r.Choices {
		if ch.ID == "p:"+slug {
			return c.say(strconv.Itoa(i+1)).want(StageExplain, StatusAnswered)
		}
	}
	c.fatalf("%s not offered among %+v", slug, c.r.Choices)
	return c
}

// through reads the explanation pages and arrives at the first field.
func (c *chat) through(next ...string) *chat {
	c.t.Helper()
	for i := 0; c.r.Stage == StageExplain; i++ {
		if i > 12 {
			c.fatalf("the explanation never ends")
		}
		word := "tiep tuc"
		if len(next) > 0 {
			word = next[i%len(next)]
		}
		c.say(word)
	}
	if c.r.Stage != StageCollect {
		c.fatalf("not collecting after the explanation: %s", c.r.Stage)
	}
	return c
}

// fill answers each asked field from answers until the review, skipping
// optional fields without an answer; it stops at a required field without
// one, for the test to go on by hand.
func (c *chat) fill(answers map[string]string) *chat {
	c.t.Helper()
	for n := 0; c.r.Stage == StageCollect; n++ {
		if n > 40 {
			c.fatalf("the form never ends")
		}
		f := c.r.Field
		if f == nil {
			c.fatalf("collect without a field")
		}
		a, ok := answers[f.Name]
		if !ok {
			if !c.has(ChoiceSkip) {
				return c
			}
			c.choose(ChoiceSkip)
			continue
		}
		c.say(a)
		if c.r.Status != StatusAnswered {
			c.fatalf("answer %q to %s refused: %q", a, f.Name, c.r.Reply)
		}
	}
	return c
}

func (c *chat) draftValue(name string) (DraftField, bool) {
	if c.r.Draft == nil {
		return DraftField{}, false
	}
	for _, f := range c.r.Draft.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return DraftField{}, false
}

func (c *chat) wantDraft(name, value string, prov Provenance) *chat {
	c.t.Helper()
	f, ok := c.draftValue(name)
	if !ok || f.Value != value || f.Provenance != prov {
		c.fatalf("draft %s = %+v, want %q (%s)", name, f, value, prov)
	}
	return c
}

// The scripted conversations: one procedure of every group, start to
// review, through the deterministic guide, with wrong answers, going back,
// typos and input without diacritics.

func TestConversationResidence(t *testing.T) {
	svc := newTestService(t, nil, nil)
	c := startChat(t, svc, StartRequest{StationID: "st-01"}).want(StageIdentify, StatusAnswered)
	c.say("xin chao").want(StageIdentify, StatusAnswered)
	c.say("dang ky tam tru cho nguoi thue tro").want(StageConfirm, StatusAnswered)
	// The whole procedure on one screen: steps, documents, fees, time, place.
	c.pick("residence.temporary-register").wantText("Đăng ký tạm trú", "có 4 bước", "1. ", "4. ",
		"Bác cần chuẩn bị", "CT01", "15.000 đồng", "7.000 đồng", "03 ngày làm việc", "Công an phường")
	if strings.Contains(c.r.Reply, "Bước 1 trên") {
		c.fatalf("a second step counter in the explanation")
	}
	c.say("ok").wantField("full_name")
	c.choose(ChoiceBack).want(StageExplain, StatusAnswered).wantText("có 4 bước")
	c.say("tiep").wantField("full_name")
	c.choose(ChoiceNext).wantField("full_name") // a second touch of the button asks the same question

	c.say("nguyen van an").wantField("date_of_birth")
	c.say("31/2/1950").want(StageCollect, StatusClarify).wantField("date_of_birth").wantText("không có trên lịch")
	c.say("12-03-50").wantField("sex").wantText("12/03/1950")
	c.say("nu").wantField("id_number")
	c.say("0790 5000 123").want(StageCollect, StatusClarify).wantText("12 chữ số")
	c.choose(ChoiceBack).wantField("sex") // back to the previous question
	c.say("1").wantField("id_number")     // a number picks an option
	c.say("079050001234").wantField("place_of_residence")
	c.say("le phi bao nhieu?").want(StageCollect, StatusAnswered).wantField("place_of_residence").wantText("15.000 đồng")
	if len(c.r.Citations) == 0 || c.r.Citations[0].Section != SectionFees {
		c.fatalf("fee answer without its citation: %+v", c.r.Citations)
	}
	c.fill(map[string]string{
		"place_of_residence": "so 5 duong Tran Hung Dao, phuong Cau Ong Lanh",
		"phone":              "0903.123.456",
		"address":            "12 Lê Lợi, phường Bến Thành, TP Hồ Chí Minh",
		"relation_to_head":   "nguoi thue",
		"stay_until":         "ngay 1 thang 6 nam 2027",
	})
	c.want(StageReview, StatusAnswered).wantText("Nguyen Van An", "0903 123 456")
	c.wantDraft("full_name", "Nguyen Van An", procedures.FromTyped).wantDraft("date_of_birth", "1950-03-12", procedures.FromTyped).
		wantDraft("sex", "nam", procedures.FromTyped).wantDraft("relation_to_head", "nguoi_thue", procedures.FromTyped)
	if len(c.r.MissingFields) != 0 || !c.has(ChoiceConfirm) {
		c.fatalf("review with missing %v", c.r.MissingFields)
	}
	// Correct a value from the review and come back to it.
	c.choose("edit:phone").wantField("phone")
	c.say("+84 912 345 678").want(StageReview, StatusAnswered).wantDraft("phone", "0912345678", procedures.FromTyped)
	c.say("sua ngay sinh").wantField("date_of_birth") // the field named in words
	c.choose(ChoiceBack).want(StageReview, StatusAnswered)

	v, err := svc.Get(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Stage != StageReview || v.Procedure.Slug != "residence.temporary-register" || v.Fields["id_number"].Provenance != procedures.FromTyped || v.StationID != "st-01" {
		t.Fatalf("stored session %+v", v.Session)
	}
	last := v.Turns[len(v.Turns)-1]
	var names []string
	for _, s := range last.Steps {
		names = append(names, s.Name)
	}
	if !slices.Equal(names[:6], []string{"input_check", "rewrite", "route", "retrieve", "answer", "output_check"}) || last.PromptVersion != svc.prompts.Version {
		t.Fatalf("stored turn steps %v", names)
	}
	for _, turn := range v.Turns {
		if strings.Contains(turn.Input, "079050001234") || strings.Contains(turn.Reply, "079050001234") {
			t.Fatalf("turn stores the ID number unmasked: %+v", turn)
		}
	}

	c.choose(ChoiceConfirm).want(StageDone, StatusAnswered).wantText("Công an phường")
	if c.r.Draft == nil || c.r.Draft.ProcedureSlug != "residence.temporary-register" || c.r.Draft.StationID != "st-01" {
		c.fatalf("no draft at done: %+v", c.r.Draft)
	}
}

func TestConversationIDCard(t *testing.T) {
	svc := newTestService(t, nil, nil)
	c := startChat(t, svc, StartRequest{})
	c.say("lam lai can cuocc bi mat").pick("idcard.reissue") // a typo
	c.say("ai duoc lam thu tuc nay?").want(StageExplain, StatusAnswered).wantText("Người làm thủ tục này", "14 tuổi")
	c.through("tiep", "tiep tuc", "bat dau").wantField("full_name")
	c.say("tran thi bich").wantField("date_of_birth")
	// The ID card fee exempts no one for age, so the one question about
	// the declared groups comes next (Thông tư 59/2024/TT-BTC).
	c.say("ngày 5 tháng 11 năm 1948").wantField(procedures.FeeExemptField).wantText("người có công với cách mạng")
	c.say("khong").wantField("sex")
	c.say("Nu").wantField("id_number")
	// Not remembering the number is a way forward: the card can be
	// scanned, and the other questions come first.
	c.say("tôi không nhớ").want(StageCollect, StatusAnswered).wantText("máy quét").wantField("place_of_residence")
	c.choose(ChoiceBack).wantField("id_number")
	c.say("0790-4800-5678").wantField("place_of_residence")
	c.say("Q1").want(StageCollect, StatusClarify).wantText("số nhà")
	c.fill(map[string]string{
		"place_of_residence": "45 Nguyễn Trãi, phường Bến Thành",
		"phone":              "0987654321",
		"delivery":           "gui qua buu dien",
	})
	c.want(StageReview, StatusAnswered).wantDraft("delivery", "post", procedures.FromTyped).wantDraft("id_number", "079048005678", procedures.FromTyped)
}

func TestConversationPassport(t *testing.T) {
	svc := newTestService(t, nil, nil)
	c := startChat(t, svc, StartRequest{})
	c.say("xin ho chiu di nuoc ngoai").pick("passport.issue").through() // a typo
	c.say("hoi gi vay?").want(StageCollect, StatusAnswered)             // a question is not a name
	c.fill(map[string]string{
		"full_name":          "le van binh",
		"date_of_birth":      "2/9/1960",
		"sex":                "nam",
		"id_number":          "079060001111",
		"place_of_birth":     "Long An",
		"place_of_residence": "7 Hai Bà Trưng, phường Sài Gòn",
		"phone":              "0909000111",
		"delivery":           "1",
	})
	c.want(StageReview, StatusAnswered).wantDraft("place_of_birth", "Long An", procedures.FromTyped).wantDraft("delivery", "office", procedures.FromTyped)
}

func TestConversationCivil(t *testing.T) {
	svc := newTestService(t, nil, nil)
	c := startChat(t, svc, StartRequest{})
	c.say("lam giay khai sinh cho chau").pick("civil.birth-register")
	c.choose(ChoiceNext).wantField("child_full_name")
	c.say("nguyễn minh khang").wantField("child_date_of_birth")
	c.say("1/10/2026").wantField("child_sex")
	c.say("con trai").want(StageCollect, StatusClarify).wantField("child_sex")
	c.say("nam").wantField("place_of_birth")
	c.choose(ChoiceBack).wantField("child_sex").choose(ChoiceBack).wantField("child_date_of_birth")
	c.say("01/10/2026").wantField("place_of_birth") // answered fields are not asked again
	c.choose(ChoiceBack).wantField("child_date_of_birth").wantText("Hiện ghi: 01/10/2026")
	// A stale button of the sex question pressed at the name is no name:
	// asked again, the name kept.
	c.choose(ChoiceBack).choose("opt:nam").want(StageCollect, StatusClarify).wantField("child_full_name").wantText("Hiện ghi: Nguyễn Minh Khang")
	c.say("dạ nguyễn minh khang").wantField("place_of_birth")
	c.fill(map[string]string{
		"place_of_birth":     "Bệnh viện Từ Dũ",
		"ethnicity":          "Kinh",
		"mother_full_name":   "tran thi mai",
		"full_name":          "nguyen van hung",
		"id_number":          "079070002222",
		"place_of_residence": "3 Pasteur, phường Bến Nghé",
		"relation_to_child":  "ong ba",
		"phone":              "0911222333",
	})
	c.want(StageReview, StatusAnswered).wantDraft("relation_to_child", "ong_ba", procedures.FromTyped).wantDraft("child_sex", "nam", procedures.FromTyped).
		wantDraft("child_date_of_birth", "2026-10-01", procedures.FromTyped).wantDraft("mother_full_name", "Tran Thi Mai", procedures.FromTyped)
	if _, ok := c.draftValue("father_full_name"); ok {
		c.fatalf("a skipped field is in the draft")
	}
}

func TestConversationVehicleAndWeapons(t *testing.T) {
	svc := newTestService(t, nil, nil)
	c := startChat(t, svc, StartRequest{})
	c.say("dang ky xe may moi mua").pick("vehicle.register").through()
	c.fill(map[string]string{
		"full_name":          "pham van cuong",
		"date_of_birth":      "20-7-75",
		"id_number":          "079075003333",
		"place_of_residence": "88 Cách Mạng Tháng Tám, phường Bàn Cờ",
		"phone":              "0977 888 999",
		"vehicle_type":       "xe may",
		"vehicle_brand":      "Honda Wave Alpha",
		"engine_number":      "JA39E1234567",
		"chassis_number":     "RLHJA3900PY123456",
		"vehicle_value":      "19 trieu",
	})
	c.want(StageReview, StatusAnswered).wantDraft("vehicle_type", "motorbike", procedures.FromTyped).wantDraft("vehicle_value", "19000000", procedures.FromTyped).
		wantDraft("date_of_birth", "1975-07-20", procedures.FromTyped)

	w := startChat(t, svc, StartRequest{})
	w.say("khai bao vu khi tho so").pick("weapons.rudimentary-declare").through()
	w.fill(map[string]string{
		"full_name":          "vo thi hoa",
		"date_of_birth":      "3/3/1955",
		"id_number":          "079055004444",
		"place_of_residence": "10 Nguyễn Huệ, phường Sài Gòn",
		"phone":              "0933444555",
		"weapon_kind":        "kiếm trang trí",
	})
	w.wantField("quantity").say("hai cái").want(StageCollect, StatusClarify).say("2").wantField("purpose")
	w.say("do gia bao").wantField("storage_place").say("trong tủ kính phòng khách nhà 10 Nguyễn Huệ").want(StageReview, StatusAnswered).
		wantDraft("purpose", "heirloom", procedures.FromTyped).wantDraft("quantity", "2", procedures.FromTyped)
}

// TestStaffNamedIsNotACall: naming staff in a description of a procedure
// ("đăng ký cho nhân viên quán đi học phòng cháy") goes on to the
// procedure; a call for staff hands over.
func TestStaffNamedIsNotACall(t *testing.T) {
	for _, tc := range []struct {
		say  string
		call bool
	}{
		{"tôi muốn gặp cán bộ", true},
		{"cho tôi gặp cán bộ", true},
		{"cán bộ ơi", true},
		{"nhân viên đâu rồi", true},
		{"gọi nhân viên giúp tôi với", true},
		{"đăng ký cho nhân viên quán đi học phòng cháy chữa cháy", false},
		{"muốn cán bộ phường xuống kiểm tra phòng cháy cửa hàng tôi", false},
		{"nhan vien quan karaoke cua toi can giay chung nhan huan luyen pccc", false},
	} {
		if got := callsStaff(vietnamese.Fold(tc.say)) || containsPhrase(vietnamese.Fold(tc.say), personWords); got != tc.call {
			t.Errorf("%q: call for staff %v, want %v", tc.say, got, tc.call)
		}
	}
}
