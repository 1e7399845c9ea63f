package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

func TestMain(m *testing.M) {
	ocr.RunSingleThreaded()
	os.Exit(m.Run())
}

// station ocr FILE... prints one JSON object per file, and a file it
// cannot read is reported in its object and in the exit status.
func TestOCRCommand(t *testing.T) {
	pg, err := corpus.Sample(42, corpus.Back, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	card := filepath.Join(dir, "back.png")
	notImage := filepath.Join(dir, "notes.png")
	os.WriteFile(card, pg.Image, 0o644)
	os.WriteFile(notImage, []byte("not an image"), 0o644)

	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"ocr", "-ocr-workers", "1", card, notImage}, &cli{stdout: &stdout, stderr: &stderr})
	if err == nil || !strings.Contains(err.Error(), "1 of 2") {
		t.Fatalf("err = %v, want one of two files failed", err)
	}
	dec := json.NewDecoder(&stdout)
	var first struct {
		File   string               `json:"file"`
		Kind   string               `json:"kind"`
		Fields map[string]ocr.Field `json:"fields"`
	}
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if first.File != card || first.Kind != "cccd_back_mrz" || first.Fields["id_number"].Value != pg.Fields["id_number"] {
		t.Fatalf("first = %+v", first)
	}
	var second struct {
		File  string                `json:"file"`
		Error struct{ Code string } `json:"error"`
	}
	if err := dec.Decode(&second); err != nil {
		t.Fatal(err)
	}
	if second.File != notImage || second.Error.Code != "not_an_image" {
		t.Fatalf("second = %+v", second)
	}
}
