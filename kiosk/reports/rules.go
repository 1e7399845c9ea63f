package reports

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/goccy/go-yaml"
)

//go:embed rules.yaml
var shippedRules []byte

// Urgency orders reports for the duty officer and sets their SLA.
type Urgency string

// The urgencies, most urgent first.
const (
	Critical Urgency = "critical"
	High     Urgency = "high"
	Normal   Urgency = "normal"
)

var urgencyRank = map[Urgency]int{Critical: 0, High: 1, Normal: 2}

// Rules decide where a report goes, how fast it must be handled and whether
// the reporter must be told to call an emergency number. They are data
// (rules.yaml), not code.
type Rules struct {
	CommandCentre struct {
		Code string `yaml:"code"`
		Name string `yaml:"name"`
	} `yaml:"command_centre"`
	Departments      map[string]string `yaml:"departments"`
	SLA              map[Urgency]SLA   `yaml:"sla"`
	Duplicates       DuplicateRule     `yaml:"duplicates"`
	EmergencyNumbers map[string]string `yaml:"emergency_numbers"`
	Categories       []Category        `yaml:"categories"`
	Injury           InjuryRule        `yaml:"injury"`
	Routes           []Route           `yaml:"routes"`
	byCode           map[string]*Category
}

// SLA is how long a report of one urgency may wait to be acknowledged and
// to be closed.
type SLA struct {
	Acknowledge time.Duration `yaml:"acknowledge"`
	Resolve     time.Duration `yaml:"resolve"`
}

// DuplicateRule says when two reports are likely the same incident.
type DuplicateRule struct {
	DistanceM float64       `yaml:"distance_m"`
	Window    time.Duration `yaml:"window"`
}

// Category is a kind of incident a resident can report.
type Category struct {
	Code        string   `yaml:"code" json:"code"`
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description"`
	Keywords    []string `yaml:"keywords" json:"keywords"`
	Urgency     Urgency  `yaml:"urgency" json:"urgency"`
	// Emergency numbers to call whenever this category is reported.
	Emergency []string `yaml:"emergency" json:"-"`
	// Emergency numbers to call when the incident is still going on.
	EmergencyWhenInProgress []string `yaml:"emergency_when_in_progress" json:"-"`
}

// InjuryRule raises urgency and adds emergency numbers when someone is hurt.
type InjuryRule struct {
	Urgency   Urgency  `yaml:"urgency"`
	Emergency []string `yaml:"emergency"`
}

// Route adds departments to reports of a category ("*" for all), optionally
// only at one urgency or only when someone is injured.
type Route struct {
	Category    string   `yaml:"category"`
	Urgency     Urgency  `yaml:"urgency"`
	Injury      bool     `yaml:"injury"`
	Departments []string `yaml:"departments"`
}

// ShippedRules returns the rules in rules.yaml.
func ShippedRules() (*Rules, error) { return ParseRules(shippedRules) }

// ParseRules reads and checks a rules file.
func ParseRules(data []byte) (*Rules, error) {
	var r Rules
	if err := yaml.UnmarshalWithOptions(data, &r, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("routing rules: %w", err)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("routing rules: %w", err)
	}
	return &r, nil
}

func (r *Rules) check() error {
	if r.CommandCentre.Code == "" {
		return fmt.Errorf("command_centre.code is missing")
	}
	for _, u := range []Urgency{Critical, High, Normal} {
		if s, ok := r.SLA[u]; !ok || s.Acknowledge <= 0 || s.Resolve <= 0 {
			return fmt.Errorf("sla.%s needs positive acknowledge and resolve", u)
		}
	}
	if r.Duplicates.DistanceM <= 0 || r.Duplicates.Window <= 0 {
		return fmt.Errorf("duplicates needs positive distance_m and window")
	}
	if _, ok := urgencyRank[r.Injury.Urgency]; !ok {
		return fmt.Errorf("injury.urgency %q is not critical, high or normal", r.Injury.Urgency)
	}
	r.byCode = map[string]*Category{}
	numbers := func(where string, calls []string) error {
		for _, n := range calls {
			if _, ok := r.EmergencyNumbers[n]; !ok {
				return fmt.Errorf("%s: emergency number %q is not in emergency_numbers", where, n)
			}
		}
		return nil
	}
	if err := numbers("injury", r.Injury.Emergency); err != nil {
		return err
	}
	for i := range r.Categories {
		c := &r.Categories[i]
		if c.Code == "" || c.Name == "" {
			return fmt.Errorf("category %d needs a code and a name", i+1)
		}
		if _, dup := r.byCode[c.Code]; dup {
			return fmt.Errorf("category %q appears twice", c.Code)
		}
		if _, ok := urgencyRank[c.Urgency]; !ok {
			return fmt.Errorf("category %q: urgency %q is not critical, high or normal", c.Code, c.Urgency)
		}
		if err := numbers("category "+c.Code, append(slices.Clone(c.Emergency), c.EmergencyWhenInProgress...)); err != nil {
			return err
		}
		r.byCode[c.Code] = c
	}
	for i, rt := range r.Routes {
		if _, ok := r.byCode[rt.Category]; !ok && rt.Category != "*" {
			return fmt.Errorf("route %d: unknown category %q", i+1, rt.Category)
		}
		if _, ok := urgencyRank[rt.Urgency]; !ok && rt.Urgency != "" {
			return fmt.Errorf("route %d: unknown urgency %q", i+1, rt.Urgency)
		}
		for _, d := range rt.Departments {
			if _, ok := r.Departments[d]; !ok {
				return fmt.Errorf("route %d: department %q is not in departments", i+1, d)
			}
		}
	}
	return nil
}

// Category returns the category with code, if there is one.
func (r *Rules) Category(code string) (*Category, bool) {
	c, ok := r.byCode[code]
	return c, ok
}

// Assessment is what the rules say about one report before it is stored.
type Assessment struct {
	Urgency     Urgency
	Departments []string // sorted codes
	Emergency   *Emergency
	SLA         SLA
}

// Emergency tells the reporter, before anything else, which numbers to call.
type Emergency struct {
	Call    []string `json:"call"`
	Message string   `json:"message"`
}

// Assess applies the rules to a report of category c.
func (r *Rules) Assess(c *Category, injury, inProgress bool) Assessment {
	a := Assessment{Urgency: c.Urgency}
	calls := slices.Clone(c.Emergency)
	if inProgress && len(c.EmergencyWhenInProgress) > 0 {
		a.Urgency = Critical
		calls = append(calls, c.EmergencyWhenInProgress...)
	}
	if injury {
		if urgencyRank[r.Injury.Urgency] < urgencyRank[a.Urgency] {
			a.Urgency = r.Injury.Urgency
		}
		calls = append(calls, r.Injury.Emergency...)
	}
	depts := map[string]bool{}
	for _, rt := range r.Routes {
		if rt.Category != "*" && rt.Category != c.Code {
			continue
		}
		if rt.Urgency != "" && rt.Urgency != a.Urgency {
			continue
		}
		if rt.Injury && !injury {
			continue
		}
		for _, d := range rt.Departments {
			depts[d] = true
		}
	}
	for d := range depts {
		a.Departments = append(a.Departments, d)
	}
	sort.Strings(a.Departments)
	a.SLA = r.SLA[a.Urgency]
	if len(calls) > 0 {
		a.Emergency = r.emergency(calls)
	}
	return a
}

// emergency builds the answer that tells the reporter to call first: the
// numbers in the order fire, police, ambulance, each said once.
func (r *Rules) emergency(calls []string) *Emergency {
	order := []string{"114", "113", "115"}
	var e Emergency
	for _, n := range order {
		if slices.Contains(calls, n) && !slices.Contains(e.Call, n) {
			e.Call = append(e.Call, n)
		}
	}
	for _, n := range calls {
		if !slices.Contains(e.Call, n) {
			e.Call = append(e.Call, n)
		}
	}
	e.Message = "KHẨN CẤP: Hãy gọi ngay "
	for i, n := range e.Call {
		if i > 0 {
			e.Message += ", "
		}
		e.Message += n + " (" + r.EmergencyNumbers[n] + ")"
	}
	e.Message += ". Phản ánh của bạn vẫn được chuyển tới công an phường và Trung tâm Chỉ huy."
	return &e
}
