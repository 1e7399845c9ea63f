package evals

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

// TestShippedSuites plays every shipped suite in-process against the real
// assistant, on the real catalogue, PostgreSQL and Tesseract: once with the
// deterministic guide, once with the guide helped by a scripted model
// behind an OpenAI-compatible server. It fails when any suite falls below
// its threshold, as station eval run would.
func TestShippedSuites(t *testing.T) {
	suites, err := LoadSuites("suites")
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, s := range suites {
		cases += len(s.Tests)
	}
	if cases < 120 {
		t.Errorf("the shipped suites hold %d cases, want at least 120", cases)
	}

	in, checker := shippedAssistant(t)
	script := &scriptedModel{says: adversarialOutputs(suites)}
	model := newFakeModel(t, script.answer)
	providers := map[string][]Provider{
		"guide":          {{ID: ProviderGuide}},
		"scripted-model": {{ID: ProviderOpenAI, Label: "scripted-model", Config: ProviderConfig{URL: model.URL, Model: "scripted"}}},
	}
	for _, name := range []string{"guide", "scripted-model"} {
		t.Run(name, func(t *testing.T) {
			for _, s := range suites {
				s.Providers = providers[name]
			}
			r := &Runner{Targets: in.Target, Checker: checker, Concurrency: 4}
			report, err := r.Run(context.Background(), suites)
			if err != nil {
				t.Fatal(err)
			}
			var summary bytes.Buffer
			report.WriteSummary(&summary)
			t.Log("\n" + summary.String())
			for _, s := range report.Suites {
				for _, p := range s.Providers {
					if !p.Passed {
						t.Errorf("suite %s [%s]: pass rate %.1f%% below its threshold %.0f%% %s", s.Name, p.Provider, 100*p.PassRate, 100*s.Threshold, p.Error)
					}
					// A suite that only just passes is one failure from red:
					// the guide is fixed, not the threshold lowered.
					if s.Threshold < 1 && p.PassRate <= s.Threshold {
						t.Errorf("suite %s [%s] passes at exactly its threshold (%.1f%%): fix the guide so it is above", s.Name, p.Provider, 100*p.PassRate)
					}
				}
			}
		})
	}
	if model.calls() == 0 || script.invented.Load() == 0 {
		t.Errorf("the scripted model answered %d calls, %d with invented facts; the suites must exercise both paths", model.calls(), script.invented.Load())
	}
	if len(script.says) < 100 {
		t.Errorf("the suites give %d adversarial model outputs (vars.model_says), want at least 100", len(script.says))
	}
	for question := range script.says {
		if _, ok := script.played.Load(question); !ok {
			t.Errorf("the adversarial output for %q was never asked for: the question does not reach the model", question)
		}
	}
}

// adversarialOutputs maps each case's last question to what the scripted
// model answers it with: the case's vars.model_says, a hostile or misled
// model's words the guard must keep from the resident.
func adversarialOutputs(suites []*Suite) map[string]string {
	out := map[string]string{}
	for _, s := range suites {
		for _, c := range s.Tests {
			says := c.Vars["model_says"]
			if says == "" || len(c.Turns) == 0 {
				continue
			}
			out[vietnamese.Fold(c.Turns[len(c.Turns)-1].Text)] = says
		}
	}
	return out
}

// TestShippedSuitesRepeatStably plays every shipped suite five times on
// the deterministic guide: each attempt starts on a lane emptied of what
// the last one wrote, so no case may pass some times and fail others.
func TestShippedSuitesRepeatStably(t *testing.T) {
	suites, err := LoadSuites("suites")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range suites {
		s.Providers = []Provider{{ID: ProviderGuide}}
	}
	in, checker := shippedAssistant(t)
	r := &Runner{Targets: in.Target, Checker: checker, Concurrency: 4, Repeat: 5}
	report, err := r.Run(context.Background(), suites)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range report.Suites {
		for _, c := range s.Providers[0].Cases {
			if c.Status == StatusFlaky {
				t.Errorf("%s: %q passed %.0f%% of 5 attempts: %s", s.Name, c.Description, 100*c.PassRate, firstFailure(c))
			}
		}
	}
}

// shippedAssistant builds the in-process assistant on lanes of test
// databases with the shipped catalogue and the service's parts wired as
// serve wires them, the real OCR reader and the catalogue's embedder.
func shippedAssistant(tb testing.TB) (*InProcess, *Checker) {
	tb.Helper()
	ctx := context.Background()
	cfg := LaneConfig(app.Defaults(), tb.TempDir())
	reader := &OCR{Config: ocr.Config{Workers: 2, Queue: 8, QueueTimeout: time.Minute, Languages: []string{"vie"}}}
	tb.Cleanup(reader.Close)
	var lanes []*Lane
	var entries []procedures.Entry
	for range 4 {
		pool := dbtest.New(tb)
		catalogue := procedurestest.Load(tb, pool)
		parts, err := app.Wire(ctx, pool, slog.New(slog.DiscardHandler), &cfg)
		if err != nil {
			tb.Fatal(err)
		}
		station, err := PrepareScratch(ctx, pool, parts.Stations)
		if err != nil {
			tb.Fatal(err)
		}
		lane, err := NewLane(ctx, parts, station)
		if err != nil {
			tb.Fatal(err)
		}
		lane.Recognise = reader.Into(parts.OCRStore)
		lanes = append(lanes, lane)
		if entries, err = catalogue.List(ctx, procedures.ListFilter{}); err != nil {
			tb.Fatal(err)
		}
	}
	base := assistant.Defaults()
	base.LLMRetries = 0 // a failed call falls back at once
	in := &InProcess{Lanes: lanes, Base: base}
	return in, &Checker{Facts: NewFacts(entries), Embedder: procedures.NewLocalEmbedder()}
}

// BenchmarkShippedSuites times a whole run of the shipped suites against
// the deterministic guide, in-process (the target: under 60 s on 2 cores
// for station eval run, which adds the migration and catalogue import).
func BenchmarkShippedSuites(b *testing.B) {
	suites, err := LoadSuites("suites")
	if err != nil {
		b.Fatal(err)
	}
	in, checker := shippedAssistant(b)
	r := &Runner{Targets: in.Target, Checker: checker, Concurrency: 4}
	b.ResetTimer()
	for b.Loop() {
		report, err := r.Run(context.Background(), suites)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(report.Cases()), "cases")
		b.ReportMetric(100*report.PassRate(), "pass%")
	}
}

// closestCandidate is the candidate of the prompt whose name shares the
// most distinct words (of three letters or more) with the resident's
// text; empty when none shares two.
func closestCandidate(prompt, resident string) string {
	block, _, _ := strings.Cut(strings.SplitN(prompt, "<candidates>\n", 2)[len(strings.SplitN(prompt, "<candidates>\n", 2))-1], "</candidates>")
	// Words are compared with their marks ("giá" is not "gia"), unless
	// the resident typed none.
	norm := func(s string) string { return strings.ToLower(vietnamese.NFC(s)) }
	if vietnamese.StripMarks(resident) == resident {
		norm = vietnamese.Fold
	}
	said := map[string]bool{}
	for _, w := range strings.Fields(norm(resident)) {
		if len(w) >= 3 {
			said[w] = true
		}
	}
	best, most := "", 1
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		slug, name, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		shared, seen := 0, map[string]bool{}
		for _, w := range strings.Fields(norm(name)) {
			if said[w] && !seen[w] {
				shared++
			}
			seen[w] = true
		}
		if shared > most {
			best, most = slug, shared
		}
	}
	return best
}

var residentText = regexp.MustCompile(`(?s)<resident>(.*)</resident>`)

// scriptedModel plays a small model that is right about some things,
// useless about others and dishonest about fees: it picks the candidate
// whose name shares words with what the resident said (and none when
// nothing does), recognises off-topic talk and requests for a person,
// answers anything else with prose instead of JSON, and words every free
// answer with an invented fee and form. The assistant must carry the
// same conversations: fall back to the guide on bad output, and replace
// invented facts with the catalogue's.
type scriptedModel struct {
	invented atomic.Int64      // answers that named a fee and form no entry has
	says     map[string]string // folded question → the adversarial answer to give
	played   sync.Map          // questions whose adversarial answer was given
}

var questionText = regexp.MustCompile(`(?s)<question>(.*)</question>`)

func (m *scriptedModel) answer(msgs []fakeMessage) string {
	system, user := msgs[0].Content, msgs[len(msgs)-1].Content
	if q := questionText.FindStringSubmatch(user); q != nil {
		if says, ok := m.says[vietnamese.Fold(q[1])]; ok {
			m.played.Store(vietnamese.Fold(q[1]), true)
			return says
		}
	}
	if !strings.Contains(system, "JSON") || strings.Contains(user, "<sources>") {
		m.invented.Add(1)
		return "Dạ, lệ phí là 999.000 đồng, Bác điền mẫu XY99 rồi nộp ở phường ạ."
	}
	resident := ""
	if m := residentText.FindStringSubmatch(user); m != nil {
		resident = strings.ToLower(m[1])
	}
	switch {
	case strings.Contains(resident, "cán bộ") || strings.Contains(resident, "người giúp"):
		return `{"intent": "ask_person"}`
	case strings.Contains(resident, "bóng") || strings.Contains(resident, "thời tiết") || strings.Contains(resident, "trời"):
		return `{"intent": "out_of_scope"}`
	case strings.Contains(user, "<stage>identify</stage>"):
		if slug := closestCandidate(user, resident); slug != "" {
			return `{"intent": "choose_procedure", "procedure": "` + slug + `"}`
		}
		return `{"intent": "unclear"}`
	}
	return "Xin lỗi, tôi chưa chắc Bác muốn gì."
}
