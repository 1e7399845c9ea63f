package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportWardsCommand imports ward boundaries as an operator would: from
// a file, then the sample only when the table is empty.
func TestImportWardsCommand(t *testing.T) {
	ctx := context.Background()
	freshEnvironment(t)

	file := filepath.Join(t.TempDir(), "wards.geojson")
	os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"code":"26740","name":"Phường Thử"},
		"geometry":{"type":"Polygon","coordinates":[[[106.60,10.70],[106.61,10.70],[106.61,10.71],[106.60,10.70]]]}}]}`), 0o600)
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"No code"},"geometry":null}]}`), 0o600)

	steps := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{args: []string{file}, want: "26740\tPhường Thử\nimported 1 wards\n"},
		{args: []string{"-if-empty", "sample"}, want: "1 wards already imported; nothing to do\n"},
		{args: []string{"sample"}, want: "imported 4 wards\n"},
		{args: []string{bad}, wantErr: "properties.code"},
		{args: []string{filepath.Join(t.TempDir(), "missing.geojson")}, wantErr: "no such file"},
	}
	for _, st := range steps {
		var out, errOut bytes.Buffer
		err := importWardsCommand(&out, &errOut).ParseAndRun(ctx, st.args)
		switch {
		case st.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), st.wantErr) {
				t.Errorf("%v: err = %v, want %q", st.args, err, st.wantErr)
			}
		case err != nil:
			t.Errorf("%v: %v", st.args, err)
		case !strings.HasSuffix(out.String(), st.want):
			t.Errorf("%v: output %q, want it to end with %q", st.args, out.String(), st.want)
		}
	}
}
