package evals

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exampleSuite = `
description: Cư trú — tạm trú
threshold: 0.9
providers:
  - id: guide
  - id: openai
    label: qwen
    config: {url: "http://127.0.0.1:8000/v1", model: qwen2.5-7b-instruct, temperature: 0, api_key_env: LLM_KEY}
defaultTest:
  vars: {name: Nguyễn Văn An}
  options: {repeat: 2, timeout_ms: 3000}
  assert:
    - {type: facts_from_catalogue, weight: 2}
tests:
  - description: one turn, promptfoo style
    vars: {text: "toi muon dang ky tam tru"}
    assert:
      - {type: procedure, value: dang-ky-tam-tru}
  - description: a conversation
    turns:
      - text: "đăng ký tạm trú"
        assert: [{type: stage, value: confirm}]
      - choice: "1"
      - text: "tên tôi là {{name}}"
      - image: fixtures/cccd.png
    assert:
      - {type: fields, value: {full_name: "{{name}}"}}
`

func TestParseSuite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "residence.yaml")
	s, err := ParseSuite(path, []byte(exampleSuite))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "residence" || s.PassThreshold() != 0.9 || len(s.Providers) != 2 || s.Providers[1].Name() != "qwen" {
		t.Fatalf("suite = %+v", s)
	}
	if *s.Providers[1].Config.Temperature != 0 || s.Providers[1].Config.APIKeyEnv != "LLM_KEY" {
		t.Errorf("provider config = %+v", s.Providers[1].Config)
	}
	one := s.Tests[0]
	if len(one.Turns) != 1 || one.Turns[0].Text != "toi muon dang ky tam tru" {
		t.Errorf("single-turn case turns = %+v", one.Turns)
	}
	conv := s.Tests[1]
	if got := conv.Turns[2].Text; got != "tên tôi là Nguyễn Văn An" {
		t.Errorf("vars not filled: %q", got)
	}
	if got := conv.Turns[3].Image; got != filepath.Join(dir, "fixtures/cccd.png") {
		t.Errorf("image path = %q", got)
	}
	// {{vars}} are filled in turns only; assertion values are literal.
	if conv.Assert[0].fields["full_name"] != "{{name}}" {
		t.Errorf("fields = %v", conv.Assert[0].fields)
	}
}

func TestSuiteMistakesAreReportedBeforeRunning(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown type", "tests: [{vars: {text: x}, assert: [{type: contians, value: x}]}]", `unknown type "contians"`},
		{"bad regex", "tests: [{vars: {text: x}, assert: [{type: regex, value: '(['}]}]", "regex"},
		{"no input", "tests: [{description: a}]", "no turns"},
		{"two inputs in a turn", "tests: [{turns: [{text: a, choice: '1'}]}]", "exactly one"},
		{"duplicate description", "tests: [{description: a, vars: {text: x}}, {description: a, vars: {text: y}}]", "also tests[0]"},
		{"unknown var", "tests: [{turns: [{text: 'hi {{who}}'}]}]", "unknown vars who"},
		{"threshold", "threshold: 1.5\ntests: [{vars: {text: x}}]", "threshold"},
		{"provider", "providers: [{id: gpt}]\ntests: [{vars: {text: x}}]", `unknown id "gpt"`},
		{"provider without model", "providers: [{id: openai}]\ntests: [{vars: {text: x}}]", "config.model"},
		{"fields shape", "tests: [{vars: {text: x}, assert: [{type: fields, value: abc}]}]", "fields"},
		{"negative weight", "tests: [{vars: {text: x}, assert: [{type: stage, value: x, weight: -1}]}]", "weight"},
		{"no tests", "description: empty", "no tests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSuite("bad.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "bad.yaml") {
				t.Fatalf("err = %v, want it to name bad.yaml and %q", err, tt.want)
			}
		})
	}
}

// TestSuiteCheckListsEverything: one load names every mistake of every
// file, and warns of unknown keys instead of refusing them.
func TestSuiteCheckListsEverything(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`
tests:
  - {description: one, vars: {text: x}, assert: [{type: contians, value: x}]}
  - {description: two, turns: [{text: a, choice: "1"}]}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("threshold: 2\ntests: [{vars: {text: x}}]"), 0o644)
	_, err := LoadSuites(dir)
	for _, want := range []string{`a.yaml: tests[0] "one": assert[0]: unknown type "contians"`, `a.yaml: tests[1] "two": turns[0]: give exactly one`, "b.yaml: threshold 2"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadSuites error lacks %q:\n%v", want, err)
		}
	}

	s, err := ParseSuite("typo.yaml", []byte("threshhold: 0.5\ntests: [{description: a, vars: {text: x}, asert: [], assert: [{type: stage, value: x, valeu: y}]}]"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"typo.yaml: unknown key tests[0].asert is ignored", "typo.yaml: unknown key tests[0].assert[0].valeu is ignored", "typo.yaml: unknown key threshhold is ignored"}
	if strings.Join(s.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings = %q, want %q", s.Warnings, want)
	}
}

func TestLoadSuitesReadsDirectoriesInOrder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("tests: [{vars: {text: x}}]"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.yml"), []byte("tests: [{vars: {text: y}}]"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a suite"), 0o644)
	suites, err := LoadSuites(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 2 || suites[0].Name != "a" || suites[1].Name != "b" {
		t.Fatalf("suites = %v, %v", suites[0].Name, suites[1].Name)
	}
	if _, err := LoadSuites(filepath.Join(dir, "missing")); err == nil {
		t.Error("want an error for a missing path")
	}
}
