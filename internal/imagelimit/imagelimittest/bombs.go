// Package imagelimittest makes the image bombs the security tests send:
// small files whose headers claim far more pixels than an upload may have.
package imagelimittest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
)

// PNG is a valid width × height RGBA PNG of transparent black: its pixel
// data really is all there, compressed a thousandfold, so a decoder that
// trusts it takes 4 bytes a pixel (a 40-megapixel PNG of 160 KB unpacks
// to 160 MB).
func PNG(width, height int) []byte {
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+4*width) // filter byte, then the pixels
	for range height {
		z.Write(row)
	}
	z.Close()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", idat.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

func chunk(w *bytes.Buffer, typ string, data []byte) {
	binary.Write(w, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.Write(w, binary.BigEndian, crc.Sum32())
}

// JPEG is a small colour JPEG whose frame header claims width × height
// pixels, with an EXIF orientation (1–8, 0 for no EXIF) in front, as a
// phone held sideways writes it: a decoder that trusts the header
// allocates the whole frame (about 400 MB for 16k × 16k) before it finds
// the data short.
func JPEG(width, height, orientation int) []byte {
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 16, 16)), &jpeg.Options{Quality: 50})
	data := buf.Bytes()
	for i := 2; i+9 < len(data); {
		marker, n := data[i+1], int(binary.BigEndian.Uint16(data[i+2:]))
		if marker == 0xC0 { // baseline frame: precision, height, width
			binary.BigEndian.PutUint16(data[i+5:], uint16(height))
			binary.BigEndian.PutUint16(data[i+7:], uint16(width))
			break
		}
		i += 2 + n
	}
	if orientation == 0 {
		return data
	}
	return WithOrientation(data, orientation)
}

// WithOrientation puts an EXIF APP1 segment holding only an Orientation tag
// in front of a JPEG.
func WithOrientation(data []byte, o int) []byte {
	le := binary.LittleEndian
	tiff := make([]byte, 26)
	copy(tiff, "II")
	le.PutUint16(tiff[2:], 42)
	le.PutUint32(tiff[4:], 8)
	le.PutUint16(tiff[8:], 1)
	le.PutUint16(tiff[10:], 0x0112)
	le.PutUint16(tiff[12:], 3) // SHORT
	le.PutUint32(tiff[14:], 1)
	le.PutUint16(tiff[18:], uint16(o))
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{0xFF, 0xD8}, append(seg, payload...)...)
	return append(out, data[2:]...)
}
