package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/stationtest"
)

// storeEvalRuns stores the two runs the viewer's browser test compares:
// "before" on the shipped prompts, "after" on a copy whose words at the
// candidate list an evaluator changed, which breaks one case.
func storeEvalRuns(t *testing.T, bin *stationtest.Binary, root, tmp string) {
	t.Helper()
	prompts := filepath.Join(tmp, "prompts-edit")
	if err := os.CopyFS(prompts, os.DirFS(filepath.Join(root, "assistant", "prompts", "v1"))); err != nil {
		t.Fatal(err)
	}
	guidePath := filepath.Join(prompts, "guide.yaml")
	guide, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^candidates: "(.*)"$`).FindSubmatch(guide)
	if line == nil {
		t.Fatal("guide.yaml has no candidates message")
	}
	os.WriteFile(guidePath, []byte(strings.Replace(string(guide), string(line[0]), `candidates: "Mời chọn."`, 1)), 0o644)
	suite := filepath.Join(tmp, "residence.yaml")
	os.WriteFile(suite, []byte(`
name: residence
threshold: 0.5   # so both runs exit 0; the case that breaks is what the viewer shows
tests:
  - description: tạm trú
    vars: {text: "tôi muốn đăng ký tạm trú"}
    assert: [{type: choices, value: ["p:residence.temporary-register"]}]
  - description: căn cước bị mất
    vars: {text: "làm lại căn cước bị mất"}
    assert:
      - {type: choices, value: ["p:idcard.reissue"]}
      - {type: contains, value: "`+string(line[1])+`"}
`), 0o644)
	bin.MustRun(t, "", "eval", "run", suite, "--label", "before")
	bin.MustRun(t, "", "eval", "run", suite, "--label", "after", "--assistant-prompts", prompts)
}
