package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestImportWardsCommand imports ward boundaries as an operator would: from
// a file, then the sample only when the table is empty.
func TestImportWardsCommand(t *testing.T) {
	freshEnvironment(t)

	file := filepath.Join(t.TempDir(), "wards.geojson")
	os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"code":"26740","name":"Phường Thử"},
		"geometry":{"type":"Polygon","coordinates":[[[106.60,10.70],[106.61,10.70],[106.61,10.71],[106.60,10.70]]]}}]}`), 0o600)
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"No code"},"geometry":null}]}`), 0o600)

	runSteps(t, []step{
		{args: []string{"import", "wards", file}, want: "26740\tPhường Thử\nimported 1 wards\n"},
		{args: []string{"import", "wards", "-if-empty", "sample"}, want: "1 wards already imported; nothing to do\n"},
		{args: []string{"import", "wards", "sample"}, want: "imported 4 wards\n"},
		{args: []string{"import", "wards", bad}, wantErr: "properties.code"},
		{args: []string{"import", "wards", filepath.Join(t.TempDir(), "missing.geojson")}, wantErr: "no such file"},
	})
}
