package procedures

import (
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// FeeCase says which situation a fee line of an entry charges for: a first
// issue, a renewal (cấp đổi), a re-issue (cấp lại) or a replacement of a
// lost document. Empty means the line applies to every filing.
type FeeCase string

const (
	CaseFirstIssue FeeCase = "first_issue"
	CaseRenewal    FeeCase = "renewal"
	CaseReissue    FeeCase = "reissue"
	CaseLost       FeeCase = "lost"
)

// Channel is how a dossier reaches the agency. Filing at a citizen station
// goes through the public-service portal, so it is online filing.
type Channel string

const (
	ChannelOnline Channel = "online"
	ChannelDesk   Channel = "desk"
)

// Group is a kind of person the law exempts from a fee. Child and Elderly
// are decided by age (under 16 under the Law on Children, 60 and over under
// the Law on the Elderly); the others by what the filer declares and staff
// check against the population database or the filer's papers.
type Group string

const (
	GroupChild          Group = "child"
	GroupElderly        Group = "elderly"
	GroupDisabled       Group = "disabled"
	GroupMeritorious    Group = "meritorious"
	GroupPoorHousehold  Group = "poor_household"
	GroupEthnicMinority Group = "ethnic_minority"
	GroupBorderIsland   Group = "border_island"
	GroupOrphan         Group = "orphan"
)

// Ages at which the law counts a person as a child (below ChildUnder) or as
// elderly (ElderlyFrom and over).
const (
	ChildUnder  = 16 // Luật Trẻ em 2016, Điều 1
	ElderlyFrom = 60 // Luật Người cao tuổi 2009, Điều 2
)

// groupWords names each group the way the guide says it to a resident.
var groupWords = map[Group]string{
	GroupChild:          "trẻ em dưới 16 tuổi",
	GroupElderly:        "người từ 60 tuổi trở lên",
	GroupDisabled:       "người khuyết tật",
	GroupMeritorious:    "người có công với cách mạng hoặc thân nhân",
	GroupPoorHousehold:  "người thuộc hộ nghèo",
	GroupEthnicMinority: "đồng bào dân tộc thiểu số ở xã đặc biệt khó khăn",
	GroupBorderIsland:   "người thường trú ở xã biên giới, đặc khu hải đảo",
	GroupOrphan:         "người dưới 18 tuổi mồ côi, không nơi nương tựa",
}

// Words is how the guide names the group to a resident.
func (g Group) Words() string { return groupWords[g] }

// ByAge tells the groups a birth date decides from those a filer declares.
func (g Group) ByAge() bool { return g == GroupChild || g == GroupElderly }

// FeeBasis is the law, decree or circular and the article that sets a fee
// or an exemption, with the date it was issued.
type FeeBasis struct {
	Document string `json:"document" yaml:"document"`
	Article  string `json:"article" yaml:"article"`
	Issued   string `json:"issued,omitempty" yaml:"issued,omitempty"` // YYYY-MM-DD
}

// Cite is the basis as the guide reads it: "Điều 4 Thông tư 75/2022/TT-BTC".
func (b FeeBasis) Cite() string {
	s := strings.TrimSpace(b.Article + " " + b.Document)
	if day, ok := vietnamese.ISODay(b.Issued); ok {
		s += " ngày " + day
	}
	return s
}

// Exemption is a group the law frees from a fee, and where it says so.
type Exemption struct {
	Group Group    `json:"group" yaml:"group"`
	Basis FeeBasis `json:"basis" yaml:"basis"`
}

// Reduction is a lower amount the law sets for a time, for one channel.
type Reduction struct {
	Amount  int64    `json:"amount" yaml:"amount"`
	Channel Channel  `json:"channel" yaml:"channel"`
	From    string   `json:"from" yaml:"from"`   // YYYY-MM-DD, first day it applies
	Until   string   `json:"until" yaml:"until"` // YYYY-MM-DD, last day it applies
	Basis   FeeBasis `json:"basis" yaml:"basis"`
}

// appliesOn reports whether the reduction covers a filing on day.
func (r Reduction) appliesOn(day time.Time, ch Channel) bool {
	if r.Channel != ch {
		return false
	}
	from, err1 := time.Parse(time.DateOnly, r.From)
	until, err2 := time.Parse(time.DateOnly, r.Until)
	if err1 != nil || err2 != nil {
		return false
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(from) && !d.After(until)
}

// Filer is what decides the fee about the person a dossier is for. A zero
// BirthDate means the age is not known yet; a nil Declared means the filer
// has not been asked whether they belong to one of the declared groups.
type Filer struct {
	BirthDate time.Time
	// Declared answers the one question about the fee's declared groups
	// (people with meritorious service, poor households, disabilities…).
	Declared *bool
	Channel  Channel
}

// Age is the filer's age in whole years on day, or -1 when not known.
func (f Filer) Age(day time.Time) int {
	if f.BirthDate.IsZero() {
		return -1
	}
	age := day.Year() - f.BirthDate.Year()
	if day.Month() < f.BirthDate.Month() || (day.Month() == f.BirthDate.Month() && day.Day() < f.BirthDate.Day()) {
		age--
	}
	return age
}

// Charge is the fee that applies to one filer, and why, in the words the
// guide reads out.
type Charge struct {
	Amount int64 `json:"amount"`
	// Unconfirmed: the catalogue does not know the amount; ward staff tell
	// it when they receive the dossier. Amount is then 0 and means nothing.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
	// Exempt: the filer belongs to a group the law frees from this fee.
	Exempt bool `json:"exempt,omitempty"`
	// Reduced: a lower amount for the channel (the online rate, or a
	// reduction valid today) was applied.
	Reduced bool `json:"reduced,omitempty"`
	// Reason says in one plain sentence why this amount, with its basis.
	Reason string   `json:"reason"`
	Basis  FeeBasis `json:"basis"`
	// Question, when not empty, is the one yes/no question that decides
	// between an exemption and Amount; Amount is what is owed if the
	// answer is no.
	Question string `json:"question,omitempty"`
	// Needs says what the question is about: "birth_date" when the age
	// would decide it, "declared" for the declared groups.
	Needs string `json:"needs,omitempty"`
}

// ChargeFor computes the fee of line f for filer who filing on day: the
// amount for the filer's channel (the law's online rate, or a reduction valid
// on day), nothing when an exemption applies, and the reason in words. It is
// the only place the catalogue's fee rules are applied.
func ChargeFor(f Fee, who Filer, day time.Time) Charge {
	c := Charge{Amount: f.Amount, Unconfirmed: f.Unconfirmed, Basis: f.Basis}
	if !c.Unconfirmed {
		if who.Channel == ChannelOnline && f.OnlineAmount != nil && *f.OnlineAmount < c.Amount {
			c.Amount, c.Reduced = *f.OnlineAmount, true
		}
		for _, r := range f.Reductions {
			if r.appliesOn(day, who.Channel) && r.Amount < c.Amount {
				c.Amount, c.Reduced, c.Basis = r.Amount, true, r.Basis
			}
		}
		if c.Amount == 0 {
			c.Reduced = false
			c.Reason = "Thủ tục này không thu lệ phí"
			if f.Basis.Document != "" {
				c.Reason += " (" + f.Basis.Cite() + ")"
			}
			c.Reason += "."
			return c
		}
	}
	age := who.Age(day)
	var declared []Exemption
	for _, e := range f.Exemptions {
		switch {
		case e.Group == GroupChild && age >= 0 && age < ChildUnder,
			e.Group == GroupElderly && age >= ElderlyFrom:
			return exempt(e, ageReason(e.Group))
		case !e.Group.ByAge():
			declared = append(declared, e)
		}
	}
	if age < 0 && f.exemptsByAge() {
		c.Question, c.Needs = "Người làm thủ tục sinh năm nào ạ? Trẻ em dưới 16 tuổi và người từ 60 tuổi trở lên được miễn lệ phí.", "birth_date"
	} else if len(declared) > 0 {
		if who.Declared != nil && *who.Declared {
			return exempt(declared[0], "Người thuộc diện "+groupList(declared)+" được miễn lệ phí")
		}
		if who.Declared == nil {
			c.Question, c.Needs = declaredQuestion(declared), "declared"
		}
	}
	if c.Unconfirmed {
		c.Amount = 0
		c.Reason = UnconfirmedFee
		return c
	}
	c.Reason = "Lệ phí " + formatDong(c.Amount)
	if c.Reduced && who.Channel == ChannelOnline {
		c.Reason += " (mức nộp trực tuyến)"
	}
	if c.Basis.Document != "" {
		c.Reason += " theo " + c.Basis.Cite()
	}
	c.Reason += "."
	return c
}

// UnconfirmedFee is what the guide says of a fee the catalogue could not
// confirm: never "free".
const UnconfirmedFee = "Mức lệ phí chưa được xác nhận; cán bộ phường sẽ báo lệ phí khi nhận hồ sơ."

func exempt(e Exemption, why string) Charge {
	return Charge{Exempt: true, Basis: e.Basis, Reason: why + " (" + e.Basis.Cite() + ")."}
}

func ageReason(g Group) string {
	if g == GroupElderly {
		return "Người từ 60 tuổi trở lên được miễn lệ phí"
	}
	return "Trẻ em dưới 16 tuổi được miễn lệ phí"
}

func (f Fee) exemptsByAge() bool {
	for _, e := range f.Exemptions {
		if e.Group.ByAge() {
			return true
		}
	}
	return false
}

// declaredQuestion is the one yes/no question about the groups a filer
// declares (people with meritorious service, poor households…).
func declaredQuestion(es []Exemption) string {
	return "Người làm thủ tục có thuộc diện " + groupList(es) + " không ạ?"
}

// FeeExemptField names the yes/no answer to an entry's fee question in a
// form being filled: dossiers take it as the filer's declaration, staff
// check it.
const FeeExemptField = "fee_exempt"

// FeeQuestion is the optional yes/no form field that asks whether the
// filer belongs to a group the fee exempts that age does not show (people
// with meritorious service, poor households, disabilities…), for an entry
// whose first fee line with such groups has them; false when no fee line
// does. The guide asks it unless the birth date already settles the fee.
func (e *Entry) FeeQuestion() (Field, bool) {
	for _, f := range e.Fees {
		var declared []Exemption
		for _, x := range f.Exemptions {
			if !x.Group.ByAge() {
				declared = append(declared, x)
			}
		}
		if len(declared) > 0 && !f.Unconfirmed {
			return Field{Name: FeeExemptField, Label: "Thuộc diện được miễn lệ phí", Type: FieldBoolean,
				Question: declaredQuestion(declared)}, true
		}
	}
	return Field{}, false
}

func groupList(es []Exemption) string {
	words := make([]string, 0, len(es))
	for _, e := range es {
		words = append(words, e.Group.Words())
	}
	if len(words) > 1 {
		return strings.Join(words[:len(words)-1], ", ") + " hoặc " + words[len(words)-1]
	}
	return strings.Join(words, "")
}

// formatDong writes an amount the way the guide reads it: "15.000 đồng".
func formatDong(n int64) string {
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	return b.String() + " đồng"
}

// Sample is a filer of a fee table: an adult, a person over 60, a child.
type Sample struct {
	Name  string
	Filer Filer
}

// Samples are the filers the fee table shows for each fee line on day, all
// filing at a station (online) and declaring no other exemption.
func Samples(day time.Time) []Sample {
	no := false
	born := func(years int) time.Time { return day.AddDate(-years, 0, -1) }
	return []Sample{
		{"người lớn 35 tuổi", Filer{BirthDate: born(35), Declared: &no, Channel: ChannelOnline}},
		{"người 70 tuổi", Filer{BirthDate: born(70), Declared: &no, Channel: ChannelOnline}},
		{"trẻ em 8 tuổi", Filer{BirthDate: born(8), Declared: &no, Channel: ChannelOnline}},
	}
}

// FeeRow is one fee line of an entry charged to one sample filer.
type FeeRow struct {
	Slug   string
	Label  string
	Filer  string
	Charge Charge
}

// FeeTable applies every fee line of every procedure to each sample filer:
// the scripted run that shows what the guide will say.
func FeeTable(entries []Entry, day time.Time) []FeeRow {
	var rows []FeeRow
	for _, e := range entries {
		if e.Kind != KindProcedure {
			continue
		}
		for _, f := range e.Fees {
			for _, s := range Samples(day) {
				rows = append(rows, FeeRow{Slug: e.Slug, Label: f.Label, Filer: s.Name, Charge: ChargeFor(f, s.Filer, day)})
			}
		}
	}
	return rows
}
