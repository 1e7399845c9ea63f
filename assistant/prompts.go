package assistant

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// The prompts and the guide's wording live as files in prompts/<version>/,
// embedded in the binary. A reply reports the version of the set that made
// it: the directory name and a hash of its files, so that an edit without a
// new directory still shows.
//
//go:embed prompts
var promptFiles embed.FS

// PromptSet is one version of the prompts and the guide's wording.
type PromptSet struct {
	Version    string
	Understand string
	Answer     string
	Phrase     string
	guide      map[string]string
}

// requiredMessages are the guide keys the code uses; a set missing one is
// refused at start rather than showing a blank reply.
var requiredMessages = []string{
	"welcome", "ask_again_need", "candidates", "not_found", "none_of_these", "chosen",
	"explain_summary", "explain_steps", "explain_documents", "explain_no_documents", "explain_fees",
	"explain_no_fee", "explain_applicants", "explain_processing", "explain_submit_at", "explain_last",
	"dont_know_skip", "dont_know_year", "dont_know_id", "dont_know_later", "candidate_answer", "date_read_back", "address_set", "choice_address",
	"check_not_past", "check_not_future", "check_after", "check_within", "check_age_min", "check_age_max", "check_too_old",
	"scan_differs", "name_marks", "name_marks_again", "choice_use_card", "choice_keep_typed", "choice_rewrite_marks",
	"collect_intro", "ask_field", "optional", "field_saved", "field_invalid", "scan_filled",
	"scan_nothing", "scan_unreadable", "scan_confirm", "scan_rejected", "review", "review_missing",
	"done", "done_with_id", "done_ward", "done_next", "done_already", "handoff", "resume", "emergency", "crisis",
	"model_confirm", "emergency_ask_now", "emergency_report_sent", "emergency_report_failed", "choice_emergency_report",
	"guarded_injection", "guarded_others", "greeting", "thanks", "unclear", "back_at_start", "back",
	"restart", "no_answer", "from_catalogue", "out_of_scope", "facts_replaced",
	"choice_back", "choice_handoff", "choice_next", "choice_yes", "choice_no", "choice_skip",
	"choice_confirm", "choice_none", "choice_resume", "choice_restart", "choice_edit", "choice_start_form",
	"explain_last_partner", "choice_open_partner", "said_question", "said_answer", "report_intro",
}

// LoadPrompts reads prompt set version: the name of a shipped set (a
// directory under prompts/) or, for evaluators trying an edit without a
// rebuild, a directory on disk (any name with a slash: ./mine, /tmp/v2).
func LoadPrompts(version string) (*PromptSet, error) {
	fsys, dir := fs.FS(promptFiles), "prompts/"+version
	if strings.ContainsRune(version, '/') {
		fsys, dir = os.DirFS(version), "."
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("prompt set %q: %w", version, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	h := sha256.New()
	files := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		h.Write(b)
		files[n] = string(b)
	}
	p := &PromptSet{
		Version:    path.Base(filepath.ToSlash(filepath.Clean(version))) + "." + hex.EncodeToString(h.Sum(nil))[:8],
		Understand: files["understand.txt"],
		Answer:     files["answer.txt"],
		Phrase:     files["phrase.txt"],
	}
	if err := yaml.Unmarshal([]byte(files["guide.yaml"]), &p.guide); err != nil {
		return nil, fmt.Errorf("prompt set %q: guide.yaml: %w", version, err)
	}
	for _, k := range requiredMessages {
		if _, ok := p.guide[k]; !ok {
			return nil, fmt.Errorf("prompt set %q: guide.yaml lacks %q", version, k)
		}
	}
	if p.Understand == "" || p.Answer == "" || p.Phrase == "" {
		return nil, fmt.Errorf("prompt set %q: understand.txt, answer.txt and phrase.txt are required", version)
	}
	return p, nil
}

// DefaultPrompts is the prompt set the service ships with.
const DefaultPrompts = "v1"

// Say returns guide message key with {name} placeholders filled from args,
// given as name, value pairs.
func (p *PromptSet) Say(key string, args ...string) string {
	msg, ok := p.guide[key]
	if !ok {
		panic("assistant: unknown guide message " + key) // caught by LoadPrompts' check and the tests
	}
	if len(args) == 0 {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}
