package evals

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// unknownKeys lists the keys of a suite document that no field of the
// suite format reads (a typo such as "asert" or "threshhold"), with their
// place: "tests[3].assert[0].valeu". They are warned about, not refused, so
// a promptfoo file with keys of its own still runs.
func unknownKeys(data []byte) []string {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil // the strict parse reports it
	}
	var out []string
	walkKeys(doc, reflect.TypeOf(Suite{}), "", &out)
	sort.Strings(out)
	return out
}

func walkKeys(v any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			fields[name] = f.Type
		}
		for k, sub := range m {
			ft, known := fields[k]
			if !known {
				*out = append(*out, join(path, k))
				continue
			}
			walkKeys(sub, ft, join(path, k), out)
		}
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return
		}
		for i, sub := range list {
			walkKeys(sub, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok {
			for k, sub := range m {
				walkKeys(sub, t.Elem(), join(path, k), out)
			}
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
