//go:build race

package ocr

// raceDetector is true when the tests run under -race. The race detector makes
// the corpus generator's pixel loops some twenty times slower, so the accuracy
// tests that read hundreds of pages run in make test's second pass, without it.
const raceDetector = true
