package ocr

import (
	"os"
	"syscall"
)

// RunSingleThreaded makes Tesseract run one thread per recognition, so
// that the pool's workers do not fight over the cores: on this machine a
// form took 2.4 s with OpenMP's default threads against 0.6 s with one.
// OpenMP reads OMP_THREAD_LIMIT when its library loads, before main runs,
// so setting the variable from Go is too late; when it is unset the process
// executes itself again with it set. Call it first thing in main (and in
// TestMain). A value the operator set is left alone.
func RunSingleThreaded() error {
	if _, set := os.LookupEnv("OMP_THREAD_LIMIT"); set {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
}
