package assistant

import (
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Facts are rendered from the catalogue entry and only from it. The model
// never writes a fee, a document, a form code, a time limit or a place.

// Section names used in citations of rendered facts.
const (
	SectionSummary    = "summary"
	SectionSteps      = "steps"
	SectionDocuments  = "documents"
	SectionFees       = "fees"
	SectionProcessing = "processing"
	SectionSubmitAt   = "submit_at"
	SectionApplicants = "applicants"
)

// FormatVND writes an amount as residents read it: 1.200.000 đồng.
func FormatVND(n int64) string { return vietnamese.FormatVND(n) }

// facts renders the parts of an entry the guide states.
type facts struct {
	p *PromptSet
	e *procedures.Entry
}

// steps lists every step, for a question about them.
func (f facts) steps() string {
	var b strings.Builder
	b.WriteString(f.p.Say("explain_steps", "count", strconv.Itoa(len(f.e.Steps))))
	for i, s := range f.e.Steps {
		b.WriteString("\n" + strconv.Itoa(i+1) + ". " + s.Title)
		if s.Text != "" {
			b.WriteString(": " + s.Text)
		}
	}
	return b.String()
}

func (f facts) documents() string {
	lines := make([]string, len(f.e.Documents))
	for i, d := range f.e.Documents {
		lines[i] = strconv.Itoa(i+1) + ". " + documentLine(d)
	}
	return f.section("explain_no_documents", "explain_documents", lines)
}

// section is the prompt set's heading followed by lines, one a line, or
// its sentence for none when there are no lines.
func (f facts) section(none, heading string, lines []string) string {
	if len(lines) == 0 {
		return f.p.Say(none)
	}
	return f.p.Say(heading) + "\n" + strings.Join(lines, "\n")
}

// documentLine is one document: its name and form code, how many copies
// of which kind, whether it is optional, and its note.
func documentLine(d procedures.Document) string {
	var b strings.Builder
	b.WriteString(d.Name)
	if d.FormCode != "" && !strings.Contains(d.Name, d.FormCode) {
		b.WriteString(" (mẫu " + d.FormCode + ")")
	}
	if d.Quantity > 1 {
		b.WriteString(", " + strconv.Itoa(d.Quantity) + " bản")
	}
	if kinds := copyKinds(d.Accepted); kinds != "" {
		b.WriteString(" — " + kinds)
	}
	if d.Optional {
		b.WriteString(" (nếu có)")
	}
	if d.Note != "" {
		b.WriteString(". " + strings.TrimSuffix(d.Note, "."))
	}
	return b.String()
}

func copyKinds(kinds []procedures.CopyKind) string {
	var out []string
	for _, k := range kinds {
		switch k {
		case procedures.CopyOriginal:
			out = append(out, "bản chính")
		case procedures.CopyCopy:
			out = append(out, "bản sao kèm bản chính để đối chiếu")
		case procedures.CopyCertified:
			out = append(out, "bản sao có chứng thực")
		case procedures.CopyElectronic:
			out = append(out, "bản điện tử")
		}
	}
	return strings.Join(out, " hoặc ")
}

// fees states each fee line as the catalogue's rule has it: the amount at
// the desk and online where the law sets an online rate, who is exempt and
// under which article, or that ward staff will tell an unconfirmed amount.
// A zero is said to be free only when the catalogue confirms it.
func (f facts) fees() string {
	lines := make([]string, len(f.e.Fees))
	for i, fee := range f.e.Fees {
		lines[i] = "- " + feeLine(fee)
	}
	return f.section("explain_no_fee", "explain_fees", lines)
}

// feeLine is one fee: its label, the amount (or why there is none), its
// legal basis, who is exempt and its note.
func feeLine(fee procedures.Fee) string {
	var b strings.Builder
	if fee.Label != "" {
		b.WriteString(fee.Label + ": ")
	}
	switch {
	case fee.Unconfirmed:
		b.WriteString(strings.TrimSuffix(procedures.UnconfirmedFee, "."))
	case fee.Amount == 0:
		b.WriteString("không thu lệ phí")
	default:
		b.WriteString(FormatVND(fee.Amount))
		if fee.OnlineAmount != nil && *fee.OnlineAmount < fee.Amount {
			b.WriteString("; nộp trực tuyến hoặc tại trạm: " + FormatVND(*fee.OnlineAmount))
		}
	}
	if fee.Basis.Document != "" && !fee.Unconfirmed {
		b.WriteString(" (" + fee.Basis.Cite() + ")")
	}
	if len(fee.Exemptions) > 0 {
		b.WriteString(". Miễn cho " + exemptGroups(fee.Exemptions) + " (" + fee.Exemptions[0].Basis.Cite() + ")")
	}
	if fee.Note != "" {
		b.WriteString(". " + strings.TrimSuffix(fee.Note, "."))
	}
	return b.String()
}

func exemptGroups(es []procedures.Exemption) string {
	words := make([]string, 0, len(es))
	for _, e := range es {
		words = append(words, e.Group.Words())
	}
	return strings.Join(words, ", ")
}

func (f facts) processing() string {
	t := f.e.Processing.Text
	if t == "" && f.e.Processing.WorkingDays > 0 {
		t = strconv.Itoa(f.e.Processing.WorkingDays) + " ngày làm việc"
	}
	if t == "" {
		return ""
	}
	return f.p.Say("explain_processing", "processing", strings.TrimSuffix(t, "."))
}

func (f facts) submitAt() string {
	if len(f.e.SubmitAt) == 0 {
		return ""
	}
	return f.p.Say("explain_submit_at", "submit_at", strings.TrimSuffix(strings.Join(f.e.SubmitAt, "; hoặc "), "."))
}

func (f facts) applicants() string {
	if len(f.e.Applicants) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(f.p.Say("explain_applicants"))
	for _, a := range f.e.Applicants {
		b.WriteString("\n- " + strings.TrimSuffix(a, "."))
	}
	return b.String()
}

// all renders every fact: what the output check falls back to.
func (f facts) all() string {
	return joinLines(f.documents(), f.fees(), f.processing(), f.submitAt())
}

// cite returns the citation of a rendered section.
func (f facts) cite(section, text string) procedures.Citation {
	return procedures.Citation{Slug: f.e.Slug, Section: section, Text: text}
}

// topic renders the facts a question asks about, or "" when it asks about
// none of them.
func (f facts) topic(folded string) (string, []procedures.Citation) {
	var parts []string
	var cites []procedures.Citation
	add := func(section, text string) {
		if text != "" {
			parts = append(parts, text)
			cites = append(cites, f.cite(section, text))
		}
	}
	if containsAny(folded, []string{"le phi", "phi ", "bao nhieu tien", "mat tien", "ton tien", "het bao nhieu", "tien ", "mien phi", "phi?"}) || strings.HasSuffix(folded, "phi") {
		add(SectionFees, f.fees())
	}
	if containsAny(folded, []string{"giay to", "ho so gom", "mang theo", "mang gi", "can mang", "chuan bi", "can nhung gi", "can gi", "to khai", "mau don"}) {
		add(SectionDocuments, f.documents())
	}
	if containsAny(folded, []string{"bao lau", "may ngay", "bao nhieu ngay", "khi nao co", "bao gio co", "thoi gian", "thoi han", "mat may"}) {
		add(SectionProcessing, f.processing())
	}
	if containsAny(folded, []string{"o dau", "noi nop", "nop o", "cho nao", "den dau", "co quan nao"}) {
		add(SectionSubmitAt, f.submitAt())
	}
	if containsAny(folded, []string{"cac buoc", "lam the nao", "lam sao", "thu tuc gom", "trinh tu", "quy trinh"}) {
		add(SectionSteps, f.steps())
	}
	if containsAny(folded, []string{"ai duoc", "ai phai", "ai can", "doi tuong", "dieu kien", "co duoc lam"}) {
		add(SectionApplicants, f.applicants())
	}
	return joinLines(parts...), cites
}

func joinLines(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}
