package ocr

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if err := RunSingleThreaded(); err != nil {
		fmt.Fprintln(os.Stderr, "OMP_THREAD_LIMIT:", err)
	}
	os.Exit(m.Run())
}
