package assistant

import (
	"context"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The tourist information is a service like the others: its tile (or a
// visitor's question about places) opens the places stage, where every
// message is a search of the station's places in Vietnamese or English,
// answered with the places found, their checked opening hours, the way
// from this station and the safety tips. Nothing personal is asked or
// kept; the words of the answer are the places service's and the prompt
// set's, in the visitor's language.

// StagePlaces is the tourist information's search.
const StagePlaces Stage = "places"

// ChoiceLang + "vi" or "en": the language of the places' answers.
const ChoiceLang = "lang:"

// PlaceQuery is a visitor's search, asked from a station.
type PlaceQuery struct {
	Text      string
	Lang      string // "vi" or "en"; empty: guessed from the words
	StationID string
}

// PlaceResults answer a search, in Lang.
type PlaceResults struct {
	Lang    string        `json:"lang"`
	Message string        `json:"message"`
	Places  []PlaceResult `json:"places"`
	Tips    []string      `json:"tips"`
}

// PlaceResult is one place found, in the visitor's language, as the
// places service words it; nothing in it is personal.
type PlaceResult struct {
	Name, Summary, Address, Hours string
	Directions                    string // the way from the station, when it is known
	MapQR                         string // PNG data URL of the route, for a phone
	// Where the facts come from, when they were checked, and what the
	// station could not confirm.
	Source, CheckedOn, Unverified string
}

// Places finds the station's places for a visitor's words.
type Places interface {
	FindPlaces(ctx context.Context, q PlaceQuery) (*PlaceResults, error)
}

// PlacesState is the visitor's last search and its answer.
type PlacesState struct {
	Query string        `json:"query,omitempty"`
	Found *PlaceResults `json:"found,omitempty"`
}

// PlacesScreen is the places answer as the kiosk shows it: each place as
// a card of lines the server wrote, then the safety tips.
type PlacesScreen struct {
	Lang      string      `json:"lang"`
	Cards     []PlaceCard `json:"cards"`
	TipsTitle string      `json:"tips_title"`
	Tips      []string    `json:"tips"`
	// Labels word the kiosk's own buttons in Lang; absent in Vietnamese,
	// the words the kiosk screen is written in.
	Labels *ScreenLabels `json:"labels,omitempty"`
}

// ScreenLabels are the kiosk's own buttons, in the screen's language:
// send, read aloud (and reading, while it reads), back and call staff.
type ScreenLabels struct {
	Send      string `json:"send"`
	ReadAloud string `json:"read_aloud"`
	Reading   string `json:"reading"`
	Back      string `json:"back"`
	Call      string `json:"call"`
}

// PlaceCard is one place: its name, the way from the station, the other
// lines, and the route's QR code with its description.
type PlaceCard struct {
	Name   string   `json:"name"`
	Way    string   `json:"way,omitempty"`
	Lines  []string `json:"lines"`
	MapQR  string   `json:"map_qr,omitempty"`
	MapAlt string   `json:"map_alt,omitempty"`
}

// placer answers the visitor's searches.
type placer struct{ *turn }

// servesPlaces: the tourist information answers here, not on a partner's
// screen.
func (t *turn) servesPlaces(slug string) bool {
	return slug == SlugTourism && t.svc.services.Places != nil
}

// open starts the search with the visitor's own words, if they asked
// about places, or with every place.
func (t placer) open(ctx context.Context) error {
	t.sess.Stage = StagePlaces
	t.visit("places", "")
	return t.find(ctx, t.sess.State.Opening, "")
}

// find searches for text in lang (empty: guessed from the words, or the
// language of the last answer when there are none).
func (t placer) find(ctx context.Context, text, lang string) error {
	sv := t.service()
	if lang == "" && strings.TrimSpace(text) == "" && sv.Places != nil && sv.Places.Found != nil {
		lang = sv.Places.Found.Lang
	}
	found, err := t.svc.services.Places.FindPlaces(ctx, PlaceQuery{Text: text, Lang: lang, StationID: t.sess.StationID})
	if apperr.IsKind(err, apperr.Invalid) {
		t.clarify(apperr.From(err).Message)
		return nil
	}
	if err != nil {
		return err
	}
	sv.Places = &PlacesState{Query: text, Found: found}
	return nil
}

// act answers a message of the places stage: new words, or another
// language for the same words.
func (t placer) act(ctx context.Context, in Intent) error {
	switch in.Action {
	case "find":
		return t.find(ctx, in.Arg, "")
	case "lang":
		q := ""
		if p := t.service().Places; p != nil {
			q = p.Query
		}
		return t.find(ctx, q, in.Arg)
	}
	t.clarify(t.say("unclear"))
	return nil
}

// sayIn is the prompt's sentence in the visitor's language: key, or
// key_en in English.
func (t *turn) sayIn(lang, key string, args ...string) string {
	if lang == "en" {
		key += "_en"
	}
	return t.say(key, args...)
}

// lang is the language of the reply: the places' answer's, else
// Vietnamese.
func (t *turn) lang() string {
	if sv := t.sess.State.Service; t.sess.Stage == StagePlaces && sv != nil && sv.Places != nil && sv.Places.Found != nil {
		return sv.Places.Found.Lang
	}
	return "vi"
}

// presentPlaces puts the places found: the message, a card a place, the
// question for another search and the choice of language.
func (t servicePresenter) presentPlaces(s *screen) {
	p := t.sess.State.Service.Places
	lang := t.lang()
	scr := &PlacesScreen{Lang: lang, Cards: []PlaceCard{}, TipsTitle: t.sayIn(lang, "places_tips"), Tips: []string{}}
	if p != nil && p.Found != nil {
		s.say(p.Found.Message)
		for _, r := range p.Found.Places {
			checked := r.CheckedOn
			if d, ok := vietnamese.ISODay(checked); ok && lang == "vi" {
				checked = d // as Vietnamese papers write a day
			}
			c := PlaceCard{Name: r.Name, Way: r.Directions, Lines: []string{t.sayIn(lang, "places_hours", "hours", r.Hours), r.Address,
				r.Summary + " — " + t.sayIn(lang, "places_source", "source", r.Source, "date", checked)}}
			if r.Unverified != "" {
				c.Lines = append(c.Lines, r.Unverified)
			}
			if r.MapQR != "" {
				c.MapQR, c.MapAlt = r.MapQR, t.sayIn(lang, "places_qr", "name", r.Name)
			}
			scr.Cards = append(scr.Cards, c)
		}
		scr.Tips = p.Found.Tips
	}
	if lang != "vi" {
		scr.Labels = &ScreenLabels{Send: t.sayIn(lang, "label_send"), ReadAloud: t.sayIn(lang, "label_read_aloud"),
			Reading: t.sayIn(lang, "label_reading"), Back: t.sayIn(lang, "label_back"), Call: t.sayIn(lang, "label_call")}
	}
	t.reply.Places = scr
	// The question is the search field's label, written once; read aloud
	// after the answer.
	label := t.sayIn(lang, "places_ask")
	s.sayAloud(label)
	t.reply.Field = &FieldPrompt{Name: "place_query", Label: label, Type: "text", Keyboard: "text"}
	vi, en := lang == "vi", lang == "en"
	s.offer(Choice{ID: ChoiceLang + "vi", Label: "Tiếng Việt", Pressed: &vi}, Choice{ID: ChoiceLang + "en", Label: "English", Pressed: &en})
}
