package agent

import (
	"bytes"
	"fmt"
	"image"
)

// PNM writes img as a binary PPM (P6), the file SANE's pnm backend reads:
// tests and demonstrations "scan" a known image through it.
func PNM(img image.Image) []byte {
	b := img.Bounds()
	var out bytes.Buffer
	fmt.Fprintf(&out, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out.Write([]byte{byte(r >> 8), byte(g >> 8), byte(bl >> 8)})
		}
	}
	return out.Bytes()
}
