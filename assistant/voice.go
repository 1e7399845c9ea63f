package assistant

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// One voice: the guide calls the resident the same way in every reply of
// a visit: "Bác" unless the resident chose another form with one touch
// (or said "gọi tôi là chú"). Templates say "Bác" and catalogue entries
// "ông/bà"; both are said in the visit's form as the reply is finished.

// AddressForms are the forms of address a resident may choose.
var AddressForms = []string{"Bác", "Ông", "Bà", "Cô", "Chú", "Anh", "Chị"}

// DefaultAddress is the form the guide uses until the resident chooses.
const DefaultAddress = "Bác"

// ChoiceAddress prefixes the choice ids that set the form of address.
const ChoiceAddress = "address:"

var (
	// "Bác" as the address, not "Bác sĩ" (a doctor).
	bacRe = regexp.MustCompile(`\bBác\b(\s+sĩ)?`)
	// the catalogue's "ông/bà", "Ông/Bà".
	ongBaRe = regexp.MustCompile(`(?:ông|Ông)\s*/\s*(?:bà|Bà)`)
	// "gọi tôi là chú", "xưng hô là cô", folded.
	callMeRe = regexp.MustCompile(`^(?:(?:xin |hay |cu )?goi (?:toi|minh|tui) (?:la |bang )?|xung ho (?:la |voi toi la )?|goi la )(bac|ong|ba|co|chu|anh|chi)$`)
)

// address is the visit's form of address.
func (c *conversation) address() string {
	if a := c.sess.State.Address; a != "" {
		return a
	}
	return DefaultAddress
}

// voice says text in the visit's form of address.
func (c *conversation) voice(text string) string {
	a := c.address()
	text = ongBaRe.ReplaceAllString(text, a)
	if a == DefaultAddress {
		return text
	}
	return bacRe.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasSuffix(m, "sĩ") {
			return m
		}
		return a
	})
}

// addressChosen reads a choice or words that set the form of address.
func addressChosen(choice, folded string) (string, bool) {
	if form, ok := strings.CutPrefix(choice, ChoiceAddress); ok {
		return form, slices.Contains(AddressForms, form)
	}
	if g := callMeRe.FindStringSubmatch(strings.Trim(folded, " .!?")); g != nil {
		for _, f := range AddressForms {
			if foldedForm(f) == g[1] {
				return f, true
			}
		}
	}
	return "", false
}

func foldedForm(f string) string {
	switch f {
	case "Bác":
		return "bac"
	case "Ông":
		return "ong"
	case "Bà":
		return "ba"
	case "Cô":
		return "co"
	case "Chú":
		return "chu"
	case "Chị":
		return "chi"
	}
	return "anh"
}

// addressChoices are the one-touch buttons that change the form of address.
func (t presenter) addressChoices() []Choice {
	var out []Choice
	for _, f := range AddressForms {
		if f != t.address() {
			out = append(out, Choice{ID: ChoiceAddress + f, Label: t.say("choice_address", "form", f)})
		}
	}
	return out
}

// earlierInVisit returns the form of address of the visit's earlier
// session, if the kiosk visit already had one: the introduction is then
// not said again, and the form is kept.
func (s *Store) earlierInVisit(ctx context.Context, kioskSessionID string) (address string, found bool, err error) {
	if kioskSessionID == "" {
		return "", false, nil
	}
	var (
		id     string
		sealed []byte
		state  State
	)
	err = s.pool.QueryRow(ctx, `
		SELECT id::text, state_sealed FROM assistant_sessions
		WHERE kiosk_session_id = $1 ORDER BY created_at DESC LIMIT 1`, kioskSessionID).Scan(&id, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if err := s.openState(id, sealed, &state); err != nil {
		return "", false, err
	}
	return state.Address, true, nil
}

// said repeats the words the resident typed, in the reply's language and
// the visit's form of address: a question while the conversation was
// finding what they need or where to go; an answer the guide did not take,
// beside the reason, unless the reason names it. An answer taken is read
// back by the reply itself, and a touch is acknowledged by it: neither is
// repeated.
func (t *turn) said() string {
	var key string
	switch {
	case t.msg.Text == "":
		return ""
	case t.from == StageIdentify || t.from == StageConfirm || t.from == StagePlaces:
		key = "said_question"
	case t.status == StatusClarify && !strings.Contains(vietnamese.Fold(t.reply.Reply), t.folded):
		key = "said_answer"
	default:
		return ""
	}
	return t.voice(t.sayIn(t.lang(), key)) + " " + t.text
}
