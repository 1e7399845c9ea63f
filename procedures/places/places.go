// Package places is the stations' tourist information ("Tra cứu thông tin
// du lịch"): places to visit, their opening hours and how to get there from
// the station, events, and safety tips for visitors, in Vietnamese and
// English. The starter dataset of Ho Chi Minh City ships in the binary and
// `station import` loads it; ward staff correct a place, and an import never
// overwrites their correction. Searching it needs nothing personal and is
// never part of a filing: a visitor's question is not stored.
package places

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

//go:embed hcmc.yaml
var shipped []byte

// Kinds of places. Events are places too, with when they happen as their
// hours.
var Kinds = []string{"museum", "market", "landmark", "church", "pagoda", "park", "street", "event"}

// Place is a place to visit or an event.
type Place struct {
	Slug      string   `yaml:"slug" json:"slug"`
	Kind      string   `yaml:"kind" json:"kind"`
	Name      string   `yaml:"name" json:"name"`
	NameEN    string   `yaml:"name_en" json:"name_en"`
	Summary   string   `yaml:"summary" json:"summary"`
	SummaryEN string   `yaml:"summary_en" json:"summary_en"`
	Address   string   `yaml:"address" json:"address"`
	Lat       float64  `yaml:"lat" json:"lat"`
	Lng       float64  `yaml:"lng" json:"lng"`
	Hours     string   `yaml:"hours" json:"hours"`
	HoursEN   string   `yaml:"hours_en" json:"hours_en"`
	When      string   `yaml:"when" json:"-"` // an event's hours, as the dataset writes them
	WhenEN    string   `yaml:"when_en" json:"-"`
	Aliases   []string `yaml:"aliases" json:"aliases"`
	Source    Source   `yaml:"source" json:"source"`
	CheckedOn string   `yaml:"-" json:"checked_on"`
	Uncertain []string `yaml:"uncertain" json:"uncertain,omitempty"`
	EditedBy  string   `yaml:"-" json:"edited_by,omitempty"`
}

// Source is where a place's facts were taken from.
type Source struct {
	Name string `yaml:"name" json:"name"`
	URL  string `yaml:"url" json:"url,omitempty"`
}

// Tip is a safety tip for visitors.
type Tip struct {
	Text   string `yaml:"text" json:"text"`
	TextEN string `yaml:"text_en" json:"text_en"`
}

// Dataset is a file of places, events and tips.
type Dataset struct {
	CheckedOn string  `yaml:"checked_on"`
	Places    []Place `yaml:"places"`
	Events    []Place `yaml:"events"`
	Tips      []Tip   `yaml:"tips"`
}

// Shipped is the starter dataset built into the binary.
func Shipped() (*Dataset, error) { return Parse(shipped) }

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// The city's extent, against coordinates typed the wrong way round.
const minLat, maxLat, minLng, maxLng = 10.3, 11.2, 106.3, 107.1

// Parse reads and checks a dataset; every problem is named with its place.
func Parse(b []byte) (*Dataset, error) {
	var d Dataset
	if err := yaml.UnmarshalWithOptions(b, &d, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	checked, err := time.Parse(time.DateOnly, d.CheckedOn)
	if err != nil {
		return nil, fmt.Errorf("places: checked_on %q is not a date (YYYY-MM-DD)", d.CheckedOn)
	}
	if time.Since(checked) > 366*24*time.Hour {
		return nil, fmt.Errorf("places: checked on %s, more than a year ago: check the places again", d.CheckedOn)
	}
	for i := range d.Events {
		e := &d.Events[i]
		if e.Kind != "" && e.Kind != "event" {
			return nil, fmt.Errorf("places: event %s: kind is event", e.Slug)
		}
		e.Kind, e.Hours, e.HoursEN = "event", e.When, e.WhenEN
	}
	var errs []error
	seen := map[string]bool{}
	all := append(slices.Clone(d.Places), d.Events...)
	for i := range all {
		p := &all[i]
		p.CheckedOn = d.CheckedOn
		normalize(p)
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("places: %s: %w", p.Slug, err))
		}
		if seen[p.Slug] {
			errs = append(errs, fmt.Errorf("places: %s: listed twice", p.Slug))
		}
		seen[p.Slug] = true
	}
	for i, t := range d.Tips {
		if strings.TrimSpace(t.Text) == "" || strings.TrimSpace(t.TextEN) == "" {
			errs = append(errs, fmt.Errorf("places: tip %d: text and text_en are required", i+1))
		}
		d.Tips[i] = Tip{Text: vietnamese.NFC(strings.TrimSpace(t.Text)), TextEN: strings.TrimSpace(t.TextEN)}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d.Places, d.Events = all, nil
	return &d, nil
}

func normalize(p *Place) {
	for _, s := range []*string{&p.Name, &p.NameEN, &p.Summary, &p.SummaryEN, &p.Address, &p.Hours, &p.HoursEN, &p.Source.Name} {
		*s = vietnamese.NFC(strings.TrimSpace(*s))
	}
	for i, a := range p.Aliases {
		p.Aliases[i] = vietnamese.NFC(strings.TrimSpace(a))
	}
	if p.Aliases == nil {
		p.Aliases = []string{}
	}
	if p.Uncertain == nil {
		p.Uncertain = []string{}
	}
}

func (p *Place) validate() error {
	var missing []string
	for name, v := range map[string]string{"name": p.Name, "name_en": p.NameEN, "summary": p.Summary, "summary_en": p.SummaryEN,
		"address": p.Address, "hours": p.Hours, "hours_en": p.HoursEN, "source.name": p.Source.Name} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	switch {
	case !slugRe.MatchString(p.Slug):
		return fmt.Errorf("slug %q: lower-case words joined by -", p.Slug)
	case !slices.Contains(Kinds, p.Kind):
		return fmt.Errorf("kind %q: one of %s", p.Kind, strings.Join(Kinds, ", "))
	case len(missing) > 0:
		return fmt.Errorf("%s required", strings.Join(missing, ", "))
	case p.Lat < minLat || p.Lat > maxLat || p.Lng < minLng || p.Lng > maxLng:
		return fmt.Errorf("lat %.5f, lng %.5f is not in Ho Chi Minh City", p.Lat, p.Lng)
	case p.Source.URL != "" && !strings.HasPrefix(p.Source.URL, "https://"):
		return fmt.Errorf("source url %q: an https address", p.Source.URL)
	}
	return nil
}
