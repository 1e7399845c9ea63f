package assistant

import (
	"context"
	"slices"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Emergencies come first, and only when they are happening. A message that
// names a danger (fire, smoke, an intruder, a beating, a wound, someone
// fainting) is read for its tense: in the present it gets the emergency
// screen before anything else; as a story of the past it is an ordinary
// report; when the words do not say, the guide asks one yes/no question.
// Matching is on folded text, so words typed without diacritics count, with
// repeated letters and stray Telex tone keys ("chayyy", "chays") forgiven.

// Tense is when the danger a message names is happening.
type Tense string

const (
	TenseNone    Tense = ""        // no danger named
	TenseNow     Tense = "now"     // happening now: emergency screen
	TensePast    Tense = "past"    // a story: the ordinary report flow
	TenseUnclear Tense = "unclear" // ask "is it happening right now?"
)

// Danger is a kind of emergency and the number that answers it.
type Danger string

const (
	DangerFire    Danger = "fire"    // 114
	DangerPolice  Danger = "police"  // 113
	DangerMedical Danger = "medical" // 115
)

// Emergency is what DetectEmergency read in a message.
type Emergency struct {
	Tense  Tense  `json:"tense,omitempty"`
	Danger Danger `json:"danger,omitempty"`
}

// dangerPhrase is a folded phrase naming a danger. Acute phrases are
// present by nature ("ngất xỉu", "có khói"): without a past marker they
// are an emergency. The others ("bị cướp") are unclear without a marker.
type dangerPhrase struct {
	words  string
	danger Danger
	acute  bool
}

var dangerPhrases = []dangerPhrase{
	// fire and rescue
	{"dang chay", DangerFire, true}, {"bi chay", DangerFire, true}, {"chay nha", DangerFire, true},
	{"nha chay", DangerFire, true}, {"boc chay", DangerFire, true}, {"hoa hoan", DangerFire, true},
	{"co khoi", DangerFire, true}, {"khoi den", DangerFire, true}, {"khoi bay", DangerFire, true},
	{"khoi mu mit", DangerFire, true}, {"lua chay", DangerFire, true}, {"chay lon", DangerFire, true},
	{"ro ri gas", DangerFire, true}, {"ro gas", DangerFire, true}, {"xi gas", DangerFire, true},
	{"mui gas", DangerFire, true}, {"no binh gas", DangerFire, true}, {"chap dien", DangerFire, true},
	{"ket trong", DangerFire, true}, {"mac ket", DangerFire, true}, {"duoi nuoc", DangerFire, true},
	{"dien giat", DangerFire, true}, {"bi dien giat", DangerFire, true},
	// police
	{"co trom", DangerPolice, true}, {"trom dang", DangerPolice, true}, {"ke trom", DangerPolice, false},
	{"bi trom", DangerPolice, false}, {"mat trom", DangerPolice, false}, {"an trom", DangerPolice, false}, {"bi cuop", DangerPolice, false},
	{"cuop", DangerPolice, false}, {"an cuop", DangerPolice, false}, {"bi giat", DangerPolice, false},
	{"giat tui", DangerPolice, false}, {"giat dien thoai", DangerPolice, false},
	{"bi danh", DangerPolice, true}, {"danh nguoi", DangerPolice, true}, {"danh nhau", DangerPolice, true},
	{"dam nhau", DangerPolice, true}, {"dam chem", DangerPolice, true}, {"bi chem", DangerPolice, true},
	{"bi dam", DangerPolice, true}, {"cam dao", DangerPolice, true}, {"cam sung", DangerPolice, true},
	{"bat coc", DangerPolice, false}, {"giet nguoi", DangerPolice, true}, {"de doa giet", DangerPolice, true},
	{"pha cua", DangerPolice, true}, {"dot nhap", DangerPolice, true}, {"dang bi theo doi", DangerPolice, true},
	{"bi hanh hung", DangerPolice, true}, {"bao luc", DangerPolice, false},
	// medical
	{"bi thuong", DangerMedical, true}, {"ngat xiu", DangerMedical, true}, {"xiu roi", DangerMedical, true},
	{"bat tinh", DangerMedical, true}, {"dot quy", DangerMedical, true}, {"dau tim", DangerMedical, true},
	{"nhoi mau", DangerMedical, true}, {"dau nguc", DangerMedical, true}, {"kho tho", DangerMedical, true},
	{"khong tho duoc", DangerMedical, true}, {"chay mau", DangerMedical, true}, {"co giat", DangerMedical, true},
	{"tai nan", DangerMedical, false}, {"cap cuu", DangerMedical, true}, {"te nga", DangerMedical, false},
	{"ngo doc", DangerMedical, true}, {"hon me", DangerMedical, true},
	// a call for help, whatever the danger
	{"cuu voi", DangerPolice, true}, {"cuu toi", DangerPolice, true}, {"cuu mang", DangerPolice, true},
	{"cuu nguoi", DangerPolice, true}, {"help", DangerPolice, true},
}

// Words that set a danger in the past or in the present.
var (
	pastMarkers = []string{"hom qua", "hom kia", "hom truoc", "bua truoc", "bua qua", "tuan truoc", "tuan roi",
		"thang truoc", "thang roi", "nam ngoai", "nam truoc", "nam roi", "toi qua", "dem qua", "sang qua",
		"chieu qua", "dao truoc", "hoi truoc", "truoc day", "lan truoc", "ngay truoc", "tu hom", "da bi",
		"da tung", "hoi nam", "luc truoc", "xay ra roi", "xong roi", "het roi", "bi mat xe", "da mat",
		"cach day", "ngay hom", "hom do", "dot truoc", "hom no", "bua no"}
	nowMarkers = []string{"dang", "ngay bay gio", "bay gio", "hien gio", "hien dang", "ngay luc nay", "ngay tai day",
		"ngay day", "nhanh len", "mau len", "khan cap", "gap gap", "cuu voi", "cuu toi", "giup voi", "van dang",
		"con dang", "ngay truoc mat", "truoc cua", "o trong nha", "trong nha toi", "dang o"}
	// weakNowMarkers set a danger now unless a past marker says otherwise:
	// "có người bị tai nạn ở cổng".
	weakNowMarkers = []string{"co nguoi", "co ke", "o cong", "ngoai cong", "ngoai duong", "truoc tram", "gan day", "vua moi", "vua bi", "moi bi"}
)

// fireSafetyFolded are names of fire-prevention procedures: "cháy" in them
// is the subject of a request, not a fire.
var fireSafetyFolded = []string{"phong chay", "chua chay", "chong chay", "bao chay", "thoat hiem"}

// fireMarked are words of fire with their marks: "chạy" (to run) folds
// like "cháy" and needs one of them beside it to be a fire.
var fireMarked = []string{"cháy", "khói", "lửa", "hỏa hoạn"}

// DetectEmergency reads a resident's words for a danger and its tense.
func DetectEmergency(text string) Emergency {
	words := normalizeTypos(vietnamese.Words(vietnamese.Fold(text)))
	folded := " " + strings.Join(words, " ") + " "
	// "bị đánh cắp" is a theft, not a beating; "đăng ký" folds like "đang".
	folded = strings.ReplaceAll(folded, " danh cap ", " trom ")
	for _, w := range []string{"ky", "ki", "nhap", "tai", "bai", "tin"} {
		folded = strings.ReplaceAll(folded, " dang "+w+" ", " dang_"+w+" ")
	}
	for _, p := range placeNames {
		folded = strings.ReplaceAll(folded, " "+p+" ", " ")
	}
	for _, p := range fireSafetyFolded {
		folded = strings.ReplaceAll(folded, " "+p+" ", " ")
	}
	lower := strings.ToLower(vietnamese.NFC(text))
	marked := containsWord(lower, fireMarked)
	found, danger, acute := false, Danger(""), false
	for _, p := range dangerPhrases {
		if !phraseIn(folded, p.words) && !nearPhrase(words, p.words) {
			continue
		}
		// "đang chạy" (running) folds like "đang cháy": without marks it is
		// a fire only beside a word of fire or a house.
		if p.danger == DangerFire && strings.Contains(p.words, "chay") && !marked && strings.Contains(lower, "chạy") {
			continue
		}
		if !found || (p.acute && !acute) {
			danger, acute = p.danger, p.acute
		}
		found = true
	}
	if !found {
		return Emergency{}
	}
	now, past := anyPhrase(folded, nowMarkers), anyPhrase(folded, pastMarkers)
	switch {
	case now:
		return Emergency{Tense: TenseNow, Danger: danger}
	case past:
		return Emergency{Tense: TensePast, Danger: danger}
	case acute, anyPhrase(folded, weakNowMarkers):
		return Emergency{Tense: TenseNow, Danger: danger}
	}
	return Emergency{Tense: TenseUnclear, Danger: danger}
}

func phraseIn(padded, phrase string) bool { return strings.Contains(padded, " "+phrase+" ") }

func anyPhrase(padded string, phrases []string) bool {
	for _, p := range phrases {
		if phraseIn(padded, p) {
			return true
		}
	}
	return false
}

// normalizeTypos forgives what hurried typing does to folded words: a
// letter held down ("chayyy") and a Telex tone key left at the end of a
// word ("chays", "nhaf"): no Vietnamese word ends in s, f, r, x or j.
func normalizeTypos(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		w = squeeze(w)
		if n := len(w); n >= 3 && strings.ContainsRune("sfrxj", rune(w[n-1])) && !loanwords[w] {
			w = w[:n-1]
		}
		out = append(out, w)
	}
	return out
}

// loanwords end as no Vietnamese word does and keep their last letter.
var loanwords = map[string]bool{"gas": true, "bus": true, "taxi": true, "fax": true, "tax": true, "sos": true}

// squeeze drops a letter typed again in a row ("chayyy" → "chay"); folded
// Vietnamese doubles only u and o ("cuu", "xoong"), which keep two.
func squeeze(w string) string {
	var b strings.Builder
	var prev rune
	run := 0
	for _, r := range w {
		if r == prev {
			run++
			if run > 2 || (r != 'u' && r != 'o') {
				continue
			}
		} else {
			run = 1
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// nearPhrase reports whether one slip of a finger (a wrong, missing or
// extra letter, or two letters swapped) separates a run of the message's
// words from a danger phrase ("ngat xiuu", "bat tihn"). Only the long
// phrases of fuzzyPhrases: short words have too many neighbours ("chay" is
// one letter from "chat", "cuu" from "cua").
func nearPhrase(words []string, phrase string) bool {
	if !fuzzyPhrases[phrase] {
		return false
	}
	n := strings.Count(phrase, " ") + 1
	want := []rune(phrase)
	for i := 0; i+n <= len(words); i++ {
		got := []rune(strings.Join(words[i:i+n], " "))
		if vietnamese.EditDistance(got, want) == 1 || swappedOnce(got, want) {
			return true
		}
	}
	return false
}

var fuzzyPhrases = map[string]bool{"ngat xiu": true, "bat tinh": true, "bi thuong": true, "hoa hoan": true,
	"nhoi mau": true, "hanh hung": true, "bi hanh hung": true, "giet nguoi": true, "ro ri gas": true}

// swappedOnce reports whether b is a with two neighbouring letters swapped.
func swappedOnce(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	diff := []int{}
	for i := range a {
		if a[i] != b[i] {
			diff = append(diff, i)
		}
	}
	return len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
}

// EmergencyScreen is what the kiosk shows first, in large type, and reads
// aloud: the numbers to call, the one that answers this danger first, and
// whether a report to the ward police can be sent by one touch.
type EmergencyScreen struct {
	Danger  Danger            `json:"danger,omitempty"`
	Numbers []EmergencyNumber `json:"numbers"`
	Speak   string            `json:"speak"`
	// CanReport: the station is known, so ChoiceEmergencyReport sends a
	// report placed at it.
	CanReport bool `json:"can_report"`
}

// EmergencyNumber is one number to call.
type EmergencyNumber struct {
	Number  string `json:"number"`
	Label   string `json:"label"`
	Primary bool   `json:"primary,omitempty"`
}

// ChoiceEmergencyReport sends the words that raised the emergency to the
// ward police as a report placed at the station.
const ChoiceEmergencyReport = "emergency_report"

// emergencyNumbers are the national numbers: 114 fire and rescue, 113
// police, 115 ambulance; the one for this danger first.
func emergencyNumbers(d Danger) []EmergencyNumber {
	ns := []EmergencyNumber{{"114", "Cứu hỏa, cứu nạn", d == DangerFire}, {"113", "Công an", d == DangerPolice}, {"115", "Cấp cứu", d == DangerMedical}}
	for i, n := range ns {
		if n.Primary {
			ns[0], ns[i] = ns[i], ns[0]
		}
	}
	return ns
}

// incidentKinds maps a danger to the report's incident kind.
var incidentKinds = map[Danger]string{DangerFire: "fire", DangerPolice: "disorder", DangerMedical: "other"}

// EmergencyState keeps, for one touch, what raised the emergency.
type EmergencyState struct {
	Danger Danger `json:"danger"`
	Words  string `json:"words"`
	Sent   string `json:"sent,omitempty"` // the report's code once sent
}

// emergencies is the turn's emergency step: the numbers shown at once
// when a message reports a danger, and the report sent to the duty
// officers.
type emergencies struct{ *turn }

// emergencyCheck runs before every other reading of a message, in every
// stage: a danger now shows the emergency screen at once; an unclear tense
// asks one yes/no question, whose answer decides; a past story goes on to
// the ordinary flow. It reports whether the turn is decided.
func (t emergencies) emergencyCheck(ctx context.Context) bool {
	if asked := t.sess.State.AskedNow; asked != "" {
		t.sess.State.AskedNow = ""
		yes, err := parseYesNo(t.text)
		if t.msg.Choice == ChoiceYes || t.msg.Choice == ChoiceNo {
			yes, err = t.msg.Choice == ChoiceYes, nil
		}
		if err == nil {
			if yes {
				t.showEmergency(DetectEmergency(asked).Danger, asked)
				return true
			}
			// Not now: the story goes on to the ordinary flow as said.
			t.text, t.folded, t.msg.Choice = asked, vietnamese.Fold(asked), ""
			return false
		}
	}
	if t.msg.Choice == ChoiceEmergencyReport && t.sess.State.Emergency != nil {
		t.sendEmergencyReport(ctx)
		return true
	}
	if t.text == "" {
		return false
	}
	switch e := DetectEmergency(t.text); e.Tense {
	case TenseNow:
		if t.numbersLead() {
			return false
		}
		t.showEmergency(e.Danger, t.text)
		return true
	case TenseUnclear:
		if t.fillingReport() {
			return false // already the ordinary report, which names the numbers
		}
		t.sess.State.AskedNow = t.text
		t.route, t.status, t.askedNow = RouteGuarded, StatusClarify, true
		t.flags = append(t.flags, "emergency_unclear")
		t.note(t.say("emergency_ask_now"))
		presenter{t.turn}.present()
		return true
	}
	return false
}

// showEmergency puts the emergency screen first and tells the ward staff.
func (t emergencies) showEmergency(d Danger, words string) {
	t.route, t.status, t.emergency = RouteGuarded, StatusHandoff, true
	t.note(t.say("emergency"))
	if t.sess.Stage != StageHandoff {
		p := t.position()
		t.sess.State.Before = &p
		t.sess.Stage = StageHandoff
	}
	t.sess.State.Emergency = &EmergencyState{Danger: d, Words: words}
	t.flags = append(t.flags, string(VerdictEmergency))
	presenter{t.turn}.present()
}

// sendEmergencyReport sends the words to the ward police as a report placed
// at the station, once.
func (t emergencies) sendEmergencyReport(ctx context.Context) {
	st := t.sess.State.Emergency
	t.route, t.status, t.emergency = RouteGuarded, StatusHandoff, true
	if st.Sent == "" && t.svc.services.Reports != nil && t.sess.StationID != "" {
		rec, err := t.svc.services.Reports.SendReport(ctx, ReportRequest{Kind: incidentKinds[st.Danger],
			Description: st.Words, StationID: t.sess.StationID})
		if err == nil {
			st.Sent = rec.Code
			t.reply.Report = rec
		}
	}
	if st.Sent != "" {
		t.note(t.say("emergency_report_sent", "code", st.Sent))
	} else {
		t.note(t.say("emergency_report_failed"))
	}
	presenter{t.turn}.present()
}

// presentEmergency fills the screen of an emergency turn: the numbers, the
// sentence read aloud, and the one-touch report.
func (t presenter) presentEmergency(s *screen) {
	st := t.sess.State.Emergency
	if st == nil {
		return
	}
	canReport := t.sess.StationID != "" && st.Sent == "" && t.svc.services.Reports != nil
	t.reply.Emergency = &EmergencyScreen{Danger: st.Danger, Numbers: emergencyNumbers(st.Danger),
		Speak: t.say("emergency"), CanReport: canReport}
	if canReport {
		s.offerFirst(t.choice(ChoiceEmergencyReport))
	}
}

// numbersLead: the report being filled said its incident is happening now,
// so the numbers already lead every reply; words of a danger now are what
// the report asks for, not a reason to leave it.
func (t emergencies) numbersLead() bool { return t.fillingReport() && t.reportHappeningNow() }

// fillingReport: the resident is answering the report's own questions, a
// story of theft is what it asks for, and its screen names the numbers.
func (t emergencies) fillingReport() bool {
	return t.entry != nil && t.entry.Slug == SlugReport && t.sess.Stage == StageCollect
}

// HappeningField is the report's question "is it still happening, is
// anyone hurt?"; its answers are HappeningInjury, HappeningNow and
// HappeningOver (the catalogue's options).
const (
	HappeningField  = "happening"
	HappeningInjury = "injury"
	HappeningNow    = "in_progress"
	HappeningOver   = "over"
)

// reportHappeningNow: the report being made says its incident is still
// going on or someone is hurt.
func (c *conversation) reportHappeningNow() bool {
	if c.entry == nil || c.entry.Slug != SlugReport {
		return false
	}
	v := c.sess.Fields[HappeningField].Value
	return v == HappeningInjury || v == HappeningNow
}

// reportDanger is the danger a report names: a fire, someone hurt, or
// otherwise one for the police.
func (c *conversation) reportDanger() Danger {
	switch {
	case c.sess.Fields["incident_kind"].Value == "fire":
		return DangerFire
	case c.sess.Fields[HappeningField].Value == HappeningInjury:
		return DangerMedical
	}
	return DangerPolice
}

// reportEmergency puts the numbers first on every reply of a report whose
// incident is happening now, and on the sent report's reply those the
// routing called for: the kiosk shows them above everything in the
// largest type. It returns the sentence that leads the reply.
func (t presenter) reportEmergency() string {
	if t.emergency || t.entry == nil || t.entry.Slug != SlugReport {
		return ""
	}
	var numbers []EmergencyNumber
	switch sv := t.sess.State.Service; {
	case t.sess.Stage == StageDone && sv != nil && sv.Report != nil && len(sv.Report.Emergency) > 0:
		for _, n := range emergencyNumbers(t.reportDanger()) {
			if slices.Contains(sv.Report.Emergency, n.Number) {
				numbers = append(numbers, n)
			}
		}
		if len(numbers) == 0 {
			return ""
		}
		numbers[0].Primary = true
	case t.reportHappeningNow() && t.sess.Stage != StageHandoff:
		numbers = emergencyNumbers(t.reportDanger())
	default:
		return ""
	}
	said := make([]string, len(numbers))
	for i, n := range numbers {
		said[i] = n.Number + " (" + n.Label + ")"
	}
	speak := t.say("report_call_now", "numbers", strings.Join(said, ", "))
	t.reply.Emergency = &EmergencyScreen{Danger: t.reportDanger(), Numbers: numbers, Speak: speak}
	return speak
}
