package database_test

import (
	"testing"

	"github.com/citizenstation/citizenstation/internal/database"
)

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"0b6e5f2c-1d3a-4c8e-9f7a-2b4d6e8f0a1c":  true,
		"0B6E5F2C-1D3A-4C8E-9F7A-2B4D6E8F0A1C":  true,
		"":                                      false,
		"0b6e5f2c1d3a4c8e9f7a2b4d6e8f0a1c":      false,
		"0b6e5f2c-1d3a-4c8e-9f7a-2b4d6e8f0a1":   false,
		"0b6e5f2c-1d3a-4c8e-9f7a-2b4d6e8f0a1c0": false,
		"0b6e5f2c-1d3a-4c8e-9f7a_2b4d6e8f0a1c":  false,
		"0b6e5f2c-1d3a-4c8e-9f7a-2b4d6e8f0a1g":  false,
		"{b6e5f2c-1d3a-4c8e-9f7a-2b4d6e8f0a1c}": false,
		"0b6e5f2c-1d3a-4c8é-9f7a-2b4d6e8f0a1c":  false,
	} {
		if got := database.IsUUID(s); got != want {
			t.Errorf("IsUUID(%q) = %v, want %v", s, got, want)
		}
	}
}
