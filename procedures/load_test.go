package procedures_test

import (
	"testing"

	"github.com/citizenstation/citizenstation/procedures"
)

func TestShippedCatalogueLoads(t *testing.T) {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no entries")
	}
}
