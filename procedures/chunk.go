package procedures

import (
	"fmt"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// chunk is one searchable passage of an entry.
type chunk struct {
	Section string // overview, eligibility, step 1, documents, fees, ...
	Body    string // NFC, shown as the citation
	Text    string // what search matches: the entry's name and the body (NFC), for embedders
	Folded  string // Text folded, for full-text search
}

// chunks splits an entry into the passages search runs over. Every passage
// is matched together with the entry's name, so that "giấy tờ làm hộ
// chiếu" finds the documents passage of the passport entry; the overview
// also carries the aliases residents use.
func chunks(e *Entry) []chunk {
	var out []chunk
	add := func(section, body, extra string) {
		body = vietnamese.NFC(strings.TrimSpace(body))
		if body == "" {
			return
		}
		text := vietnamese.NFC(strings.TrimSpace(e.Name + ". " + body + " " + extra))
		out = append(out, chunk{Section: section, Body: body, Text: text, Folded: vietnamese.Fold(text)})
	}
	add("overview", e.Summary, strings.Join(e.Aliases, ". ")+". "+e.Agency)
	add("eligibility", "Ai được làm: "+strings.Join(e.Applicants, "; ")+".", "")
	add("where", "Nơi nộp: "+strings.Join(e.SubmitAt, "; ")+". Cơ quan giải quyết: "+e.Agency+".", "")
	for i, s := range e.Steps {
		add(fmt.Sprintf("step %d", i+1), s.Title+": "+s.Text, "")
	}
	if len(e.Documents) > 0 {
		var b strings.Builder
		b.WriteString("Giấy tờ cần có: ")
		for i, d := range e.Documents {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(d.Name)
			if d.FormCode != "" {
				fmt.Fprintf(&b, " (mẫu %s)", d.FormCode)
			}
			if d.Optional {
				b.WriteString(" (nếu có)")
			}
		}
		b.WriteString(".")
		add("documents", b.String(), "")
	}
	var fees strings.Builder
	if len(e.Fees) == 0 {
		fees.WriteString("Lệ phí: không thu.")
	} else {
		fees.WriteString("Lệ phí: ")
		for i, f := range e.Fees {
			if i > 0 {
				fees.WriteString("; ")
			}
			if f.Unconfirmed {
				fmt.Fprintf(&fees, "%s theo mức thu của địa phương (xin hỏi cán bộ)", f.Label)
				continue
			}
			fmt.Fprintf(&fees, "%s %s", f.Label, FormatVND(f.Amount))
			if f.OnlineAmount != nil {
				fmt.Fprintf(&fees, " (nộp trực tuyến %s)", FormatVND(*f.OnlineAmount))
			}
		}
		fees.WriteString(".")
	}
	fmt.Fprintf(&fees, " Thời hạn giải quyết: %s", e.Processing.Text)
	add("fees", fees.String(), "le phi bao nhieu tien thoi gian mat bao lau")
	var legal []string
	for _, l := range e.LegalBasis {
		if l.Article != "" {
			legal = append(legal, l.Article+" "+l.Document)
		} else {
			legal = append(legal, l.Document)
		}
	}
	add("legal_basis", "Căn cứ pháp lý: "+strings.Join(legal, "; ")+".", "")
	return out
}

// entryNames returns the folded names residents use for an entry: its name
// and its aliases.
func entryNames(e *Entry) []string {
	names := []string{vietnamese.Fold(e.Name)}
	for _, a := range e.Aliases {
		names = append(names, vietnamese.Fold(a))
	}
	return names
}

// FormatVND writes an amount of đồng the Vietnamese way: 1.000.000 đồng.
func FormatVND(amount int64) string {
	if amount == 0 {
		return "miễn phí"
	}
	return vietnamese.FormatVND(amount)
}
