package assistant

import (
	"strings"
	"testing"
)

// TestOneVoice: one form of address per visit, "Bác" by default (the
// catalogue's "ông/bà" too), changed with one touch or in words, kept by
// the visit's next session, whose introduction is not said again.
func TestOneVoice(t *testing.T) {
	svc := newTestService(t, nil, nil)
	c := startChat(t, svc, StartRequest{StationID: "st-01", KioskSessionID: "visit-1"}).wantText("Xin chào Bác")
	if c.r.Address != "Bác" || !c.has("address:Chú") {
		c.fatalf("address %q, choices %+v", c.r.Address, c.r.Choices)
	}
	c.say("dang ky tam tru").pick("residence.temporary-register")
	c.choose(ChoiceNext)
	c.fill(map[string]string{"full_name": "Nguyễn Văn An", "date_of_birth": "12/3/1950", "sex": "nam", "id_number": "079050001234",
		"phone": "0903123456", "address": "12 Lê Lợi, phường Bến Thành"}).wantField("stay_until")
	// The catalogue asks "Ông/bà dự định ở đến ngày nào?": said as "Bác".
	if strings.Contains(strings.ToLower(c.r.Reply), "ông/bà") || !strings.Contains(c.r.Reply, "Bác") {
		c.fatalf("the catalogue's ông/bà reached the resident: %q", c.r.Reply)
	}
	c.choose("address:Chú").wantText("gọi là Chú")
	if c.r.Address != "Chú" || strings.Contains(c.r.Reply, "Bác") {
		c.fatalf("address %q: %q", c.r.Address, c.r.Reply)
	}
	c.say("gọi tôi là cô").wantText("gọi là Cô")
	c.choose(ChoiceHandoff).wantText("Cô")
	if strings.Contains(c.r.Reply, "Bác") {
		c.fatalf("two forms of address: %q", c.r.Reply)
	}

	// The visit's next session: no second introduction, the same form.
	c2 := startChat(t, svc, StartRequest{StationID: "st-01", KioskSessionID: "visit-1"})
	if strings.Contains(c2.r.Reply, "Xin chào") || c2.r.Address != "Cô" || !strings.Contains(c2.r.Reply, "Cô cần làm thủ tục gì") {
		c2.fatalf("second start: %q (%s)", c2.r.Reply, c2.r.Address)
	}
	// Another visit starts afresh.
	c3 := startChat(t, svc, StartRequest{StationID: "st-01", KioskSessionID: "visit-2"}).wantText("Xin chào Bác")
	_ = c3
	if got := (&conversation{sess: &Session{State: State{Address: "Chú"}}}).voice("Bác sĩ sẽ gọi Bác. Ông/bà ký tên."); got != "Bác sĩ sẽ gọi Chú. Chú ký tên." {
		t.Errorf("voice: %q", got)
	}
}
