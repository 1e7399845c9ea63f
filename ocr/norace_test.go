//go:build !race

package ocr

// raceDetector: see race_test.go.
const raceDetector = false
