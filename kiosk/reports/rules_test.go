package reports

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestShippedRules(t *testing.T) {
	r, err := ShippedRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"theft", "violence", "suspicious", "traffic_accident", "fire", "drugs", "gambling", "public_order"} {
		if _, ok := r.Category(code); !ok {
			t.Errorf("category %s missing", code)
		}
	}
	if r.SLA[Critical].Acknowledge != 5*time.Minute || r.Duplicates.Window != 2*time.Hour {
		t.Errorf("durations not read: %+v %+v", r.SLA[Critical], r.Duplicates)
	}
}

func TestAssess(t *testing.T) {
	r, err := ShippedRules()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		category           string
		injury, inProgress bool
		urgency            Urgency
		departments        []string
		call               []string
	}{
		{"fire", false, false, Critical, []string{"PC07"}, []string{"114"}},
		{"fire", true, false, Critical, []string{"CC115", "PC07"}, []string{"114", "115"}},
		{"traffic_accident", false, false, High, []string{"PC08"}, nil},
		{"traffic_accident", true, false, Critical, []string{"CC115", "PC08"}, []string{"115"}},
		{"drugs", false, false, Normal, []string{"PC04"}, nil},
		{"violence", false, false, High, []string{"PC02", "PC06"}, nil},
		{"violence", false, true, Critical, []string{"PC02", "PC06"}, []string{"113"}},
		{"violence", true, true, Critical, []string{"CC115", "PC02", "PC06"}, []string{"113", "115"}},
		{"theft", false, true, High, []string{"PC02"}, nil},
		{"gambling", false, false, Normal, []string{"PC06"}, nil},
		{"suspicious", false, false, Normal, nil, nil},
	}
	for _, tc := range tests {
		cat, _ := r.Category(tc.category)
		a := r.Assess(cat, tc.injury, tc.inProgress)
		if a.Urgency != tc.urgency || !slices.Equal(a.Departments, tc.departments) {
			t.Errorf("%s injury=%v in_progress=%v: urgency %s, departments %v; want %s, %v",
				tc.category, tc.injury, tc.inProgress, a.Urgency, a.Departments, tc.urgency, tc.departments)
		}
		switch {
		case tc.call == nil && a.Emergency != nil:
			t.Errorf("%s: unexpected emergency %+v", tc.category, a.Emergency)
		case tc.call != nil && (a.Emergency == nil || !slices.Equal(a.Emergency.Call, tc.call)):
			t.Errorf("%s: emergency %+v, want call %v", tc.category, a.Emergency, tc.call)
		case tc.call != nil && !strings.HasPrefix(a.Emergency.Message, "KHẨN CẤP: Hãy gọi ngay "+tc.call[0]):
			t.Errorf("%s: message %q does not start with the number to call", tc.category, a.Emergency.Message)
		}
	}
}

func TestParseRulesRejects(t *testing.T) {
	base := string(shippedRules)
	for name, edit := range map[string][2]string{
		"unknown department in a route": {"departments: [PC07]}", "departments: [PC99]}"},
		"unknown emergency number":      {`emergency: ["114"]`, `emergency: ["911"]`},
		"unknown field":                 {"\nduplicates:", "\nduplicate:"},
	} {
		text := strings.Replace(base, edit[0], edit[1], 1)
		if text == base {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := ParseRules([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
