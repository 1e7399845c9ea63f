package evals

import (
	"bytes"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

func TestPromptfooExportKeepsConversationsAndTranslatesAssertions(t *testing.T) {
	s, err := ParseSuite("residence.yaml", []byte(`
tests:
  - description: a conversation
    turns:
      - text: "đăng ký tạm trú"
        assert: [{type: choices, value: ["p:residence.temporary-register"]}, {type: icontains, value: "thu tuc"}]
      - choice: "p:residence.temporary-register"
      - text: "079160004321"
    assert:
      - {type: procedure, value: residence.temporary-register}
      - {type: facts_from_catalogue}
      - {type: contains, value: "Lệ phí", weight: 2}
      - {type: latency, threshold: 500}
      - {type: json_schema, value: {type: object, required: [reply]}}
      - {type: fields, value: {full_name: An}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WritePromptfoo(&buf, []*Suite{s}, "http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "# Left out") || !strings.Contains(buf.String(), "facts_from_catalogue") {
		t.Errorf("the left-out assertion is not listed:\n%s", buf.String())
	}
	var cfg pfConfig
	if err := yaml.Unmarshal(buf.Bytes(), &cfg); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, buf.String())
	}
	if len(cfg.Tests) != 3 || cfg.Providers[0].ID != "file://evals/promptfoo/station-provider.js" || cfg.EvaluateOptions.MaxConcurrency != 1 {
		t.Fatalf("config = %+v", cfg)
	}
	first, second := cfg.Tests[0], cfg.Tests[1]
	if first.Metadata["conversationId"] != second.Metadata["conversationId"] || second.Vars["choice"] != "p:residence.temporary-register" {
		t.Errorf("turns do not share a conversation: %v / %v", first.Metadata, second.Metadata)
	}
	promptfooTypes := map[string]bool{"javascript": true, "contains": true, "latency": true, "is-json": true}
	var types []string
	for _, test := range cfg.Tests {
		for _, a := range test.Assert {
			if !promptfooTypes[a.Type] {
				t.Errorf("%s is not a promptfoo type", a.Type)
			}
			types = append(types, a.Type)
		}
	}
	if !strings.Contains(buf.String(), `text: "079160004321"`) {
		t.Error("an ID number must stay a quoted string, or YAML readers take it for a number")
	}
	if got := strings.Join(types, ","); got != "javascript,javascript,javascript,contains,latency,is-json,javascript" {
		t.Errorf("types = %s", got)
	}
}
