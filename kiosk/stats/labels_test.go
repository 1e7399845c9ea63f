package stats

import (
	"testing"

	"github.com/citizenstation/citizenstation/procedures"
)

// TestPartnerServicesLabelled: every service a visit can be handed over to
// (the catalogue's partner entries) reads in words in the statistics.
func TestPartnerServicesLabelled(t *testing.T) {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Group {
		case "finance", "telecom", "signature", "tourism":
		default:
			continue
		}
		if Label(e.Slug) == e.Slug {
			t.Errorf("%s has no label in the statistics", e.Slug)
		}
	}
}
