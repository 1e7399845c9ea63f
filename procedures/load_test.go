package procedures_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The slugs issue 3 requires, all of which must ship.
var requiredSlugs = []string{
	"residence.permanent-register", "residence.temporary-register", "residence.temporary-extend",
	"residence.absence-declare", "residence.stay-notify", "residence.permanent-remove",
	"residence.temporary-remove", "residence.household-split", "residence.info-update", "residence.info-confirm",
	"idcard.first-issue", "idcard.renew", "idcard.reissue", "idcard.under14", "eid.register",
	"passport.issue", "passport.lost-report", "passport.restore", "foreigner.temporary-residence-declare",
	"civil.birth-register", "civil.death-register", "civil.marriage-register", "civil.marital-status-confirm",
	"civil.extract-copy", "civil.parent-child-recognition", "civil.birth-linked", "civil.death-linked",
	"vehicle.register", "vehicle.deregister", "driving.licence-renew", "security.business-certificate",
	"weapons.rudimentary-declare",
	"utility.bill-payment", "health.insurance-purchase", "health.telemedicine", "social.insurance-lookup",
	"report.security-incident", "dossier.status-lookup",
	"fire.safety-inspection-request", "fire.operation-restore", "fire.training", "driving.test-register",
	"finance.bank-account", "finance.consumer-loan", "telecom.subscriber-identify", "signature.personal-certificate",
	"tourism.information",
}

// Field names that mean the same thing must be spelled the same in every
// entry, so that a scan or an earlier answer fills them everywhere.
var sharedFields = map[string]procedures.FieldType{
	"full_name": procedures.FieldText, "date_of_birth": procedures.FieldDate, "sex": procedures.FieldSelect,
	"id_number": procedures.FieldIDNumber, "phone": procedures.FieldPhone, "email": procedures.FieldEmail,
	"place_of_residence": procedures.FieldAddress, "address": procedures.FieldAddress,
}

// serviceGroups hold the kiosk's and the partners' services; every other
// group holds procedures.
var serviceGroups = map[string]bool{"utility": true, "health": true, "social": true, "report": true, "dossier": true,
	"finance": true, "telecom": true, "signature": true, "tourism": true}

func TestShippedCatalogue(t *testing.T) {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]procedures.Entry{}
	for _, e := range entries {
		bySlug[e.Slug] = e
	}
	for _, slug := range requiredSlugs {
		if _, ok := bySlug[slug]; !ok {
			t.Errorf("missing entry %s", slug)
		}
	}
	for _, e := range entries {
		if e.Kind == procedures.KindService != serviceGroups[e.Group] {
			t.Errorf("%s: kind %s does not fit group %s", e.Slug, e.Kind, e.Group)
		}
		if vietnamese.NFC(e.Name) != e.Name {
			t.Errorf("%s: name not NFC", e.Slug)
		}
		hasID := false
		for _, f := range e.Form.Fields {
			if want, ok := sharedFields[f.Name]; ok && f.Type != want {
				t.Errorf("%s: field %s has type %s, want %s as everywhere else", e.Slug, f.Name, f.Type, want)
			}
			if f.FromScan != "" && f.FromScan != f.Name && sharedFields[f.Name] != "" {
				t.Errorf("%s: shared field %s is filled from scan field %s", e.Slug, f.Name, f.FromScan)
			}
			if f.FromScan == "id_number" {
				hasID = true
			}
			values := map[string]bool{}
			for _, o := range f.Options {
				if values[o.Value] {
					t.Errorf("%s: field %s offers %q twice", e.Slug, f.Name, o.Value)
				}
				values[o.Value] = true
			}
		}
		if e.Kind == procedures.KindProcedure && !hasID && e.Slug != "idcard.first-issue" && e.Slug != "idcard.reissue" {
			t.Errorf("%s: no field is filled by an ID-card scan", e.Slug)
		}
		for _, f := range e.Fees {
			if f.Unconfirmed {
				found := false
				for _, u := range e.Uncertain {
					found = found || strings.Contains(strings.ToLower(u), "lệ phí") || strings.Contains(strings.ToLower(u), "giá") || strings.Contains(strings.ToLower(u), "phí")
				}
				if !found && e.Kind == procedures.KindProcedure {
					t.Errorf("%s: fee %q is unconfirmed but uncertain says nothing about fees", e.Slug, f.Label)
				}
			}
		}
	}
}

const goodEntry = `slug: residence.test-entry
name: Thủ tục thử
group: residence
kind: procedure
summary: Một thủ tục để thử.
agency: Công an phường
submit_at: [Công an phường]
applicants: [Công dân]
steps: [{title: Nộp, text: Nộp hồ sơ.}]
documents: [{name: Tờ khai, form_code: CT01, accepted: [original], quantity: 1}]
fees: [{label: Lệ phí, amount: 20000, online_amount: 10000, basis: {document: Thông tư 75/2022/TT-BTC, article: Điều 5, issued: "2022-12-22"}, checked_on: "2026-11-25"}]
processing: {working_days: 3, text: 03 ngày làm việc.}
online: full
legal_basis: [{document: Luật Cư trú, article: Điều 1}]
aliases: [một, hai, ba]
form: {fields: [{name: full_name, label: Họ tên, type: text, required: true, from_scan: full_name}]}
source: {name: Luật, checked_on: "2026-11-24"}
`

func TestLoadReportsEveryProblemWithFileAndPath(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each must appear in the error
	}{
		{"good", map[string]string{"residence.test-entry.yaml": goodEntry}, nil},
		{"missing field", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, "agency: Công an phường\n", "", 1)},
			[]string{"residence.test-entry.yaml", "missing property 'agency'"}},
		{"bad enum in a nested list", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, "accepted: [original]", "accepted: [photocopy]", 1)},
			[]string{"residence.test-entry.yaml", "/documents/0/accepted/0"}},
		{"fee as text", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, "amount: 20000,", "amount: 20.000đ,", 1)},
			[]string{"/fees/0/amount"}},
		{"online dearer than on paper", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, "online_amount: 10000", "online_amount: 30000", 1)},
			[]string{"/fees/0/online_amount"}},
		{"unknown key", map[string]string{"residence.test-entry.yaml": goodEntry + "colour: red\n"},
			[]string{"colour"}},
		{"slug outside its group", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, "group: residence", "group: civil", 1)},
			[]string{"/slug", "must start with its group"}},
		{"file named after another slug", map[string]string{"other.yaml": goodEntry},
			[]string{"other.yaml", "must be named residence.test-entry.yaml"}},
		{"select without options", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, "type: text, required: true, from_scan", "type: select, required: true, from_scan", 1)},
			[]string{"/form/fields/0", "options"}},
		{"bad date", map[string]string{"residence.test-entry.yaml": strings.Replace(goodEntry, `"2026-11-24"`, `"24/11/2026"`, 1)},
			[]string{"/source/checked_on"}},
		{"broken YAML", map[string]string{"residence.test-entry.yaml": "slug: [unclosed\n"},
			[]string{"residence.test-entry.yaml", "not valid YAML"}},
		{"two files, two problems", map[string]string{
			"residence.test-entry.yaml": strings.Replace(goodEntry, "online: full", "online: maybe", 1),
			"residence.other.yaml":      strings.Replace(strings.Replace(goodEntry, "test-entry", "other", 1), "kind: procedure", "kind: thing", 1),
		}, []string{"2 problem(s)", "residence.test-entry.yaml: at '/online'", "residence.other.yaml: at '/kind'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			entries, err := procedures.Load(fsys)
			if tt.want == nil {
				if err != nil || len(entries) != 1 {
					t.Fatalf("Load: %v", err)
				}
				if entries[0].Fees[0].OnlineAmount == nil || *entries[0].Fees[0].OnlineAmount != 10000 {
					t.Errorf("fees %+v", entries[0].Fees)
				}
				return
			}
			var le *procedures.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %v, want a LoadError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadRejectsDuplicateSlugs(t *testing.T) {
	fsys := fstest.MapFS{
		"residence.test-entry.yaml": {Data: []byte(goodEntry)},
		"residence.copy.yaml":       {Data: []byte(goodEntry)},
	}
	_, err := procedures.Load(fsys)
	if err == nil || !strings.Contains(err.Error(), "must be named") {
		t.Fatalf("error %v", err)
	}
}

// TestEveryGroupHasAnEntry: each group the schema names — the nine groups
// of the ward police one-stop desk, the kiosk's services and the partners'
// — has at least one entry in the shipped catalogue.
func TestEveryGroupHasAnEntry(t *testing.T) {
	raw, err := os.ReadFile("entry.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties struct {
			Group struct {
				Enum []string `json:"enum"`
			} `json:"group"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil || len(schema.Properties.Group.Enum) < 15 {
		t.Fatalf("groups of the schema: %v %v", schema.Properties.Group.Enum, err)
	}
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		count[e.Group]++
	}
	for _, g := range schema.Properties.Group.Enum {
		t.Logf("%-10s %d", g, count[g])
		if count[g] == 0 {
			t.Errorf("group %s has no entry", g)
		}
	}
}

// TestEverySeedServiceHasAnEntry: each service the news the project
// started from names (procedures/seeds.yaml: the nine one-stop groups, the
// ward procedures, the kiosk's functions, the city's additions and the
// daily-life services) is offered by at least one shipped entry.
func TestEverySeedServiceHasAnEntry(t *testing.T) {
	seeds, err := procedures.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]bool{}
	for _, e := range entries {
		groups[e.Group] = true
	}
	cover := procedures.Cover(seeds, entries)
	if len(cover) < 30 {
		t.Fatalf("only %d seeds", len(cover))
	}
	for _, c := range cover {
		t.Logf("%-55s %v", c.Name, c.Entries)
		if !c.Offered() {
			t.Errorf("%s (%s): entries %v, missing %v", c.Name, c.Source, c.Entries, c.Missing)
		}
		if c.Group != "" && !groups[c.Group] {
			t.Errorf("%s: group %s has no entry", c.Name, c.Group)
		}
	}
	// A seed naming a word no entry of its own has is not offered.
	none := procedures.Cover([]procedures.Seed{{Name: "x", Slugs: []string{"utility.bill-payment"}, Words: []string{"vé máy bay"}},
		{Name: "y", Slugs: []string{"nothing.here"}}}, entries)
	if none[0].Offered() || none[1].Offered() {
		t.Errorf("coverage of seeds no entry offers: %+v", none)
	}
}
