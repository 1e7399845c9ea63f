package config

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peterbourgon/ff/v3"
)

func TestEnvironmentOverridesDefaultsAndErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"bad addr", map[string]string{"STATION_ADDR": "eight-thousand"}, "STATION_ADDR"},
		{"bad database url", map[string]string{"STATION_DATABASE_URL": "postgres://%zz"}, "STATION_DATABASE_URL"},
		{"bad duration", map[string]string{"STATION_SHUTDOWN_TIMEOUT": "soon"}, "STATION_SHUTDOWN_TIMEOUT"},
		{"bad log level", map[string]string{"STATION_LOG_LEVEL": "loud"}, ""}, // checked by logging.New
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Setenv("STATION_DATA_DIR", filepath.Join(t.TempDir(), "data"))
			var p Platform
			var s Server
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			p.RegisterFlags(fs)
			s.RegisterFlags(fs)
			err := ff.Parse(fs, nil, ff.WithEnvVarPrefix(EnvPrefix))
			if err == nil {
				err = p.Validate()
			}
			if err == nil {
				err = s.Validate()
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v does not name %s", err, tt.wantErr)
			}
		})
	}
}
