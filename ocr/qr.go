package ocr

import (
	"errors"
	"image"
	"math"
	"strings"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// CardQR is what the chip ID card's QR code holds: seven '|'-separated
// fields, the old 9-digit ID number possibly empty.
type CardQR struct {
	IDNumber         string
	OldIDNumber      string
	FullName         string
	DateOfBirth      string // YYYY-MM-DD
	Sex              string
	PlaceOfResidence string
	IssueDate        string // YYYY-MM-DD
}

// ErrNotCardQR is returned for a QR payload that is not an ID card's.
var ErrNotCardQR = errors.New("not a chip ID card QR payload")

// ParseCardQR parses the payload
// id|old id|full name|ddMMyyyy|sex|place of residence|ddMMyyyy issued.
// It is tolerant: the old ID may be empty (never collapse "||"), some
// cards leave it out altogether (six fields), newer ones may add fields at
// the end, and the address may hold commas.
func ParseCardQR(payload string) (*CardQR, error) {
	f := strings.Split(strings.TrimSpace(vietnamese.NFC(payload)), "|")
	if len(f) < 6 {
		return nil, ErrNotCardQR
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if !(len(f[0]) == 12 && allDigits(f[0])) {
		return nil, ErrNotCardQR
	}
	// Six fields: the card leaves the old ID out altogether.
	if len(f) == 6 {
		f = append([]string{f[0], ""}, f[1:]...)
	}
	q := &CardQR{
		IDNumber:         f[0],
		OldIDNumber:      f[1],
		FullName:         f[2],
		DateOfBirth:      qrDate(f[3]),
		Sex:              f[4],
		PlaceOfResidence: f[5],
	}
	if len(f) > 6 {
		q.IssueDate = qrDate(f[6])
	}
	if q.OldIDNumber != "" && !allDigits(q.OldIDNumber) {
		return nil, ErrNotCardQR
	}
	if q.FullName == "" || q.DateOfBirth == "" {
		return nil, ErrNotCardQR
	}
	return q, nil
}

// qrDate turns ddMMyyyy into YYYY-MM-DD, or "" when it is not a date.
func qrDate(s string) string {
	d, err := time.Parse("02012006", s)
	if err != nil {
		return ""
	}
	return d.Format(time.DateOnly)
}

// decodeQR finds and decodes a QR code in g. It returns the payload and
// the box around the code, in g's pixels.
func decodeQR(g *image.Gray) (string, [4]int, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(g)
	if err != nil {
		return "", [4]int{}, err
	}
	hints := map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_TRY_HARDER:    true,
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", [4]int{}, err
	}
	return res.GetText(), qrBox(res.GetResultPoints()), nil
}

// qrBox is the box around a QR code's finder patterns, widened by the half
// finder pattern that lies beyond their centres.
func qrBox(pts []gozxing.ResultPoint) [4]int {
	if len(pts) == 0 {
		return [4]int{}
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p.GetX()), math.Max(maxX, p.GetX())
		minY, maxY = math.Min(minY, p.GetY()), math.Max(maxY, p.GetY())
	}
	pad := (maxX - minX) / 8
	return [4]int{int(minX - pad), int(minY - pad), int(maxX - minX + 2*pad), int(maxY - minY + 2*pad)}
}
