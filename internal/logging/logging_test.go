package logging

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestLoggerMasksPersonalData(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("lookup 079203001234", "phone", "0903123456", "err", errors.New("no row for 079203001234"))
	out := buf.String()
	for _, leaked := range []string{"079203001234", "0903123456"} {
		if strings.Contains(out, leaked) {
			t.Errorf("log leaked %s: %s", leaked, out)
		}
	}
	if !strings.Contains(out, "********1234") {
		t.Errorf("log lost the masked form: %s", out)
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, "loud", "json"); err == nil {
		t.Error("accepted level loud")
	}
	if _, err := New(&bytes.Buffer{}, "info", "xml"); err == nil {
		t.Error("accepted format xml")
	}
}
