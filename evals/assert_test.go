package evals

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

func ptr[T any](v T) *T { return &v }

// testEntries is a small catalogue: two procedures with fees, forms and
// documents.
func testEntries() []procedures.Entry {
	return []procedures.Entry{
		{
			Slug: "dang-ky-tam-tru", Name: "Đăng ký tạm trú", Group: "residence",
			Documents: []procedures.Document{
				{Name: "Tờ khai thay đổi thông tin cư trú", FormCode: "CT01", Quantity: 1},
				{Name: "Giấy tờ chứng minh chỗ ở hợp pháp", Quantity: 1},
			},
			Fees: []procedures.Fee{{Label: "Lệ phí", Amount: 15000, OnlineAmount: ptr(int64(7000))}},
		},
		{
			Slug: "cap-lai-can-cuoc", Name: "Cấp lại thẻ căn cước", Group: "idcard",
			Documents: []procedures.Document{{Name: "Tờ khai căn cước", FormCode: "CC01", Quantity: 1}},
			Fees:      []procedures.Fee{{Label: "Lệ phí", Amount: 70000, OnlineAmount: ptr(int64(35000))}},
		},
	}
}

func compiled(t *testing.T, src string) *Assertion {
	t.Helper()
	var a Assertion
	if err := yaml.Unmarshal([]byte(src), &a); err != nil {
		t.Fatal(err)
	}
	if err := a.compile(t.TempDir()); err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	return &a
}

// TestEveryAssertionTypePassesAndFails checks each assertion type against a
// reply that passes it and one that fails it. It is long because the table
// has a row per assertion type; the loop after it is short.
func TestEveryAssertionTypePassesAndFails(t *testing.T) {
	model := newFakeModel(t, func(msgs []fakeMessage) string {
		reply := msgs[len(msgs)-1].Content
		if strings.Contains(reply, "CT01") {
			return "```json\n{\"score\": 0.9, \"reason\": \"Nêu đúng tờ khai, câu ngắn.\"}\n```"
		}
		return `{"score": 0.2, "reason": "Không nêu giấy tờ cần mang."}`
	})
	ck := &Checker{Facts: NewFacts(testEntries()), Embedder: model.embedder(t), Judge: &ModelJudge{Model: model.llm(t)}}

	good := Reply{
		Reply:     "Để đăng ký tạm trú, bác cần Tờ khai thay đổi thông tin cư trú (mẫu CT01). Lệ phí 15.000 đồng, nộp trực tuyến 7.000 đồng.",
		Stage:     "explain",
		Status:    "answered",
		Procedure: &Procedure{Slug: "dang-ky-tam-tru", Name: "Đăng ký tạm trú"},
		Citations: []Citation{{Slug: "dang-ky-tam-tru", Section: "fees"}},
		Eval:      &assistant.EvalInfo{Route: "procedure_question"},
		LatencyMS: 12,
	}
	bad := Reply{
		Reply:     "Bác nộp Tờ khai căn cước mẫu CC01, lệ phí 50 nghìn đồng.",
		Stage:     "identify",
		Status:    "clarify",
		Procedure: &Procedure{Slug: "dang-ky-tam-tru"},
		Eval:      &assistant.EvalInfo{Route: "unclear"},
		LatencyMS: 900,
	}
	state := &State{Stage: "collect", Procedure: good.Procedure,
		Fields: map[string]Field{"full_name": {Value: "Nguyễn Văn An", Provenance: "typed"}, "date_of_birth": {Value: "1950-03-02"}}}
	wrongState := &State{Stage: "collect", Fields: map[string]Field{"full_name": {Value: "Nguyen Van An"}}}
	schema := `{type: json_schema, value: {type: object, required: [reply, stage, status], properties: {stage: {enum: [identify, confirm, explain, collect, review, done, handoff]}}}}`

	tests := []struct {
		name      string
		assertion string
		pass      Reply
		passState *State
		fail      Reply
		failState *State
	}{
		{"equals", `{type: equals, value: "Xin chào"}`, Reply{Reply: " Xin chào "}, nil, Reply{Reply: "Xin chao"}, nil},
		{"equals fold", `{type: equals, value: "xin chao", fold: true}`, Reply{Reply: "Xin chào"}, nil, Reply{Reply: "Chào bác"}, nil},
		{"contains", `{type: contains, value: ["Tờ khai", "CT01"]}`, good, nil, bad, nil},
		{"contains fold", `{type: contains, value: "le phi 15.000", fold: true}`, good, nil, bad, nil},
		{"icontains alias", `{type: icontains, value: "TO KHAI THAY DOI"}`, good, nil, bad, nil},
		{"not_contains", `{type: not_contains, value: "căn cước"}`, good, nil, bad, nil},
		{"not_contains fold", `{type: not-contains, value: "can cuoc", fold: true}`, good, nil, bad, nil},
		{"regex", `{type: regex, value: "\\d{1,3}(\\.\\d{3})+ đồng"}`, good, nil, bad, nil},
		{"not_regex", `{type: not-regex, value: "\\d{9,}"}`, good, nil, Reply{Reply: "Số của ông Bình là 0909123456"}, nil},
		{"procedure", `{type: procedure, value: dang-ky-tam-tru}`, good, nil, Reply{}, nil},
		{"procedure none", `{type: procedure, value: none}`, Reply{}, nil, good, nil},
		{"stage", `{type: stage, value: [explain, collect]}`, good, nil, bad, nil},
		{"status", `{type: status, value: answered}`, good, nil, bad, nil},
		{"choices", `{type: choices, value: ["p:dang-ky-tam-tru", "goi can bo"]}`, Reply{Choices: []Choice{{ID: "p:dang-ky-tam-tru", Label: "Đăng ký tạm trú"}, {ID: "handoff", Label: "Gọi cán bộ"}}}, nil, good, nil},
		{"route", `{type: route, value: procedure_question}`, good, nil, bad, nil},
		{"fields", `{type: fields, value: {full_name: Nguyễn Văn An, date_of_birth: "1950-03-02"}}`, good, state, good, wrongState},
		{"json_schema", schema, good, nil, Reply{Raw: []byte(`{"reply":"x","stage":"dancing","status":"answered"}`)}, nil},
		{"cites", `{type: cites, value: {slug: dang-ky-tam-tru, section: fees}}`, good, nil, bad, nil},
		{"cites slug#section", `{type: cites, value: "dang-ky-tam-tru#fees"}`, good, nil, Reply{Citations: []Citation{{Slug: "dang-ky-tam-tru", Section: "steps"}}}, nil},
		{"facts_from_catalogue", `{type: facts_from_catalogue}`, good, nil, bad, nil},
		{"max_latency_ms", `{type: max_latency_ms, value: 500}`, good, nil, bad, nil},
		{"latency alias", `{type: latency, threshold: 500}`, good, nil, bad, nil},
		{"similar", `{type: similar, value: "Đăng ký tạm trú cần tờ khai CT01, lệ phí 15.000 đồng", threshold: 0.7}`, good, nil, bad, nil},
		{"rubric", `{type: rubric, value: "Nêu đúng mẫu tờ khai cần nộp", threshold: 0.7}`, good, nil, bad, nil},
		{"llm-rubric alias", `{type: llm-rubric, value: "Nêu đúng mẫu tờ khai cần nộp"}`, good, nil, bad, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := compiled(t, tt.assertion)
			ctx := context.Background()
			if o := ck.Check(ctx, a, subject{reply: tt.pass, state: tt.passState}); !o.Pass {
				t.Errorf("want pass, got fail: %s", o.Reason)
			}
			o := ck.Check(ctx, a, subject{reply: tt.fail, state: tt.failState})
			if o.Pass {
				t.Errorf("want fail, got pass (score %.2f)", o.Score)
			}
			if o.Reason == "" {
				t.Error("a failure must say why")
			}
		})
	}
}

// TestSimilarWithTheCataloguesLocalEmbedder uses the default embedder of
// station eval run, the catalogue's local one.
func TestSimilarWithTheCataloguesLocalEmbedder(t *testing.T) {
	ck := &Checker{Embedder: procedures.NewLocalEmbedder()}
	a := compiled(t, `{type: similar, value: "Lệ phí đăng ký tạm trú 15.000 đồng, nộp trực tuyến 7.000 đồng.", threshold: 0.7}`)
	same := Reply{Reply: "Lệ phí:\n- Lệ phí đăng ký tạm trú (cá nhân, hộ gia đình): 15.000 đồng; nộp trực tuyến: 7.000 đồng"}
	other := Reply{Reply: "Lệ phí:\n- Lệ phí cấp lại thẻ căn cước: 70.000 đồng"}
	if o := ck.Check(context.Background(), a, subject{reply: same}); !o.Pass {
		t.Errorf("same facts: %s (%.3f)", o.Reason, o.Score)
	}
	if o := ck.Check(context.Background(), a, subject{reply: other}); o.Pass || o.Score <= 0 || o.Score >= 0.7 {
		t.Errorf("another procedure's fee: pass %v score %.3f", o.Pass, o.Score)
	}
}

func TestRubricKeepsTheJudgesReasonAndScore(t *testing.T) {
	model := newFakeModel(t, func([]fakeMessage) string {
		return `Here is my grade: {"score": 0.4, "reason": "Câu quá dài, hỏi hai câu một lúc."}`
	})
	ck := &Checker{Judge: &ModelJudge{Model: model.llm(t)}}
	o := ck.Check(context.Background(), compiled(t, `{type: rubric, value: "Một câu hỏi mỗi lượt", weight: 2}`), subject{reply: Reply{Reply: "x"}})
	if o.Pass || o.Score != 0.4 || o.Weight != 2 || o.Reason != "Câu quá dài, hỏi hai câu một lúc." {
		t.Fatalf("outcome = %+v", o)
	}
}

func TestRubricFailsOnABrokenJudge(t *testing.T) {
	model := newFakeModel(t, func([]fakeMessage) string { return `{"score": 7}` })
	ck := &Checker{Judge: &ModelJudge{Model: model.llm(t)}}
	o := ck.Check(context.Background(), compiled(t, `{type: rubric, value: "x"}`), subject{reply: Reply{Reply: "x"}})
	if o.Pass || !strings.Contains(o.Reason, "outside 0–1") {
		t.Fatalf("outcome = %+v", o)
	}
}

func TestMissingDependenciesFailClearly(t *testing.T) {
	ck := &Checker{}
	for _, src := range []string{`{type: similar, value: x}`, `{type: rubric, value: x}`, `{type: facts_from_catalogue}`, `{type: route, value: x}`} {
		o := ck.Check(context.Background(), compiled(t, src), subject{reply: Reply{Reply: "x"}})
		if o.Pass || o.Reason == "" {
			t.Errorf("%s: %+v", src, o)
		}
	}
}

func TestFactsFindInventedAmountsFormsAndDocuments(t *testing.T) {
	f := NewFacts(testEntries())
	tests := []struct {
		slug, text string
		bad        []string
	}{
		{"dang-ky-tam-tru", "Lệ phí 15.000 đồng (trực tuyến 7.000đ). Mẫu CT01.", nil},
		{"dang-ky-tam-tru", "Lệ phí 15 nghìn đồng.", nil},
		{"dang-ky-tam-tru", "Gọi 113 hoặc 0909123456 nếu khẩn cấp, bước 2 trong 3 ngày.", nil},
		{"dang-ky-tam-tru", "Lệ phí 20.000 đồng.", []string{"amount 20.000 dong"}},
		{"dang-ky-tam-tru", "Nộp thêm mẫu CT02.", []string{"form CT02"}},
		{"dang-ky-tam-tru", "Mang theo Tờ khai căn cước.", []string{"document to khai can cuoc"}},
		{"", "Phí là 1,5 triệu đồng.", []string{"amount 1,5 trieu dong"}},
		{"", "Bác muốn làm thủ tục gì ạ?", nil},
		{"no-such-slug", "x", []string{"unknown procedure no-such-slug"}},
	}
	for _, tt := range tests {
		got := f.Unsupported(tt.slug, tt.text)
		if strings.Join(got, "|") != strings.Join(tt.bad, "|") {
			t.Errorf("Unsupported(%q, %q) = %q, want %q", tt.slug, tt.text, got, tt.bad)
		}
	}
}

func TestSchemaFromFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "reply.schema.json"), []byte(`{"type":"object","required":["choices"],"properties":{"choices":{"type":"array","minItems":1}}}`), 0o644)
	var a Assertion
	yaml.Unmarshal([]byte(`{type: is-json, value: reply.schema.json}`), &a)
	if err := a.compile(dir); err != nil {
		t.Fatal(err)
	}
	ck := &Checker{}
	withChoices, _ := json.Marshal(Reply{Choices: []Choice{{ID: "1", Label: "Đăng ký tạm trú"}}})
	if o := ck.Check(context.Background(), &a, subject{reply: Reply{Raw: withChoices}}); !o.Pass {
		t.Errorf("want pass: %s", o.Reason)
	}
	if o := ck.Check(context.Background(), &a, subject{reply: Reply{Raw: []byte(`{"choices":[]}`)}}); o.Pass {
		t.Error("want fail on empty choices")
	}
}

// TestFactsIgnoreDigitsInsideCodes: a payment's or dossier's code such as
// "HS7A34D" holds no amount, although "34d" alone would read as 34 đồng.
func TestFactsIgnoreDigitsInsideCodes(t *testing.T) {
	for _, text := range []string{"Mã thanh toán HS7A34D", "mã pay_8f34d1"} {
		if got := findAmounts(vietnamese.Fold(text)); len(got) != 0 {
			t.Errorf("findAmounts(%q) = %v, want none", text, got)
		}
	}
	if got := findAmounts(vietnamese.Fold("lệ phí 34đ")); len(got) != 1 || got[0].value != 34 {
		t.Errorf("a sum standing alone must still be found: %v", got)
	}
}
