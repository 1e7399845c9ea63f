package assistant

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

//go:embed openings.yaml
var shippedOpenings []byte

// Opening is the first thing a resident says, the procedure it should
// lead to, and the form values the opening already gives.
type Opening struct {
	Say   string            `yaml:"say"`
	Want  string            `yaml:"want"`
	Fills map[string]string `yaml:"fills"`
}

// ShippedOpenings returns the openings built into the binary.
func ShippedOpenings() ([]Opening, error) {
	var file struct {
		Openings []Opening `yaml:"openings"`
	}
	if err := yaml.UnmarshalWithOptions(shippedOpenings, &file, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("openings.yaml: %w", err)
	}
	return file.Openings, nil
}

// OpeningsQuality is how the guide did on a set of openings.
type OpeningsQuality struct {
	Openings   int
	Top1, Top3 float64 // share whose procedure was offered first, or among those offered
	// MedianTurns is the median number of the resident's turns up to and
	// including the one answered by the form's first question (or by the
	// partner's screen, for services handed over); an opening that never
	// gets there counts as MaxTurns.
	MedianTurns float64
	// Fills and FillsKept: form values the openings imply, and how many of
	// them the form had when its first question came.
	Fills, FillsKept int
	Misses           []OpeningMiss
}

// OpeningMiss is an opening whose procedure was not offered first.
type OpeningMiss struct {
	Opening
	Offered []string
}

// MaxTurns bounds one opening's play in MeasureOpenings.
const MaxTurns = 12

// MeasureOpenings plays every opening as a resident would: say it, choose
// the wanted procedure when it is offered, and go on ("Tiếp tục") until the
// form's first question.
func (s *Service) MeasureOpenings(ctx context.Context, openings []Opening) (OpeningsQuality, error) {
	q := OpeningsQuality{Openings: len(openings)}
	if len(openings) == 0 {
		return q, nil
	}
	var top1, top3 int
	turns := make([]int, 0, len(openings))
	for _, o := range openings {
		p, err := s.playOpening(ctx, o)
		if err != nil {
			return q, fmt.Errorf("opening %q: %w", o.Say, err)
		}
		switch {
		case len(p.offered) > 0 && p.offered[0] == o.Want:
			top1++
			top3++
		case slices.Contains(p.offered, o.Want):
			top3++
			fallthrough
		default:
			q.Misses = append(q.Misses, OpeningMiss{Opening: o, Offered: p.offered})
		}
		turns = append(turns, p.turns)
		q.Fills += len(o.Fills)
		q.FillsKept += p.kept
	}
	n := float64(len(openings))
	q.Top1, q.Top3 = float64(top1)/n, float64(top3)/n
	slices.Sort(turns)
	if m := len(turns); m%2 == 1 {
		q.MedianTurns = float64(turns[m/2])
	} else {
		q.MedianTurns = float64(turns[m/2-1]+turns[m/2]) / 2
	}
	return q, nil
}

type openingPlay struct {
	offered []string // the procedures offered after the opening
	turns   int
	kept    int // expected fills present at the first question
}

func (s *Service) playOpening(ctx context.Context, o Opening) (openingPlay, error) {
	var p openingPlay
	r, err := s.Start(ctx, StartRequest{})
	if err != nil {
		return p, err
	}
	id := r.SessionID
	m := Message{Text: o.Say}
	for p.turns = 1; p.turns <= MaxTurns; p.turns++ {
		if r, err = s.Send(ctx, id, m, SendOptions{}); err != nil {
			return p, err
		}
		if r.AskNow && p.turns == 1 {
			// "Is it happening now?" — an opening tells a story: no.
			if r, err = s.Send(ctx, id, Message{Choice: ChoiceNo}, SendOptions{}); err != nil {
				return p, err
			}
			p.turns++
		}
		if p.offered == nil {
			p.offered = offered(r)
		}
		switch {
		case r.Field != nil || r.Stage == StageReview || (r.Stage == StageDone && r.Handover != nil):
			v, err := s.store.Get(ctx, id, s.now())
			if err != nil {
				return p, err
			}
			for name, want := range o.Fills {
				if v.Fields[name].Value == want {
					p.kept++
				}
			}
			return p, nil
		case r.Stage == StageConfirm && slices.Contains(offered(r), o.Want):
			m = Message{Choice: "p:" + o.Want}
		case r.Stage == StageExplain:
			m = Message{Choice: ChoiceNext}
		default:
			p.turns = MaxTurns
			return p, nil
		}
	}
	return p, nil
}

// offered lists the procedures a reply offers to choose, in order.
func offered(r *Reply) []string {
	var out []string
	if r.Stage == StageExplain && r.Procedure != nil {
		return []string{r.Procedure.Slug}
	}
	for _, c := range r.Choices {
		if slug, ok := strings.CutPrefix(c.ID, "p:"); ok {
			out = append(out, slug)
		}
	}
	return out
}
