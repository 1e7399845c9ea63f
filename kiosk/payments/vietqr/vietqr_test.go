package vietqr

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// NAPAS's published examples, "QR_Format_T&C_v1.0_VN_092021" §6.1.1–6.1.4.
var napas = []struct {
	section string
	in      Transfer
	want    string
}{
	{"6.1.2 static to card", Transfer{BankBIN: "970403", Account: "9704031101234567", Service: ToCard},
		"00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52"},
	{"6.1.3 dynamic to account", Transfer{BankBIN: "970403", Account: "0011012345678", Amount: 180000, BillNumber: "NPS6869", Purpose: "thanh toan don hang"},
		"00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"},
	{"6.1.4 dynamic to card", Transfer{BankBIN: "970403", Account: "9704031101234567", Service: ToCard, Amount: 180000, BillNumber: "NPS6869", Purpose: "thanh toan don hang"},
		"00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107NPS68690819thanh toan don hang6304A203"},
}

func TestPayloadMatchesNAPASExamples(t *testing.T) {
	for _, tt := range napas {
		t.Run(tt.section, func(t *testing.T) {
			got, err := Payload(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("payload\n got %s\nwant %s", got, tt.want)
			}
			if !Valid(tt.want) {
				t.Errorf("published CRC %s does not check", tt.want[len(tt.want)-4:])
			}
		})
	}
}

// The published §6.1.1 example writes the 13-digit account 0011012345678
// with the length 12 (its CRC is computed over that string and checks). A
// correct encoder writes 13, so the payload differs there and in the CRC.
func TestPayloadStaticToAccountAgainstNAPASTypo(t *testing.T) {
	const published = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5"
	if !Valid(published) {
		t.Fatal("published §6.1.1 CRC does not check")
	}
	got, err := Payload(Transfer{BankBIN: "970403", Account: "0011012345678"})
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(published[:len(published)-4], "01120011012345678", "01130011012345678", 1)
	if got[:len(got)-4] != fixed {
		t.Errorf("payload\n got %s\nwant %s…", got, fixed)
	}
	if !Valid(got) {
		t.Errorf("payload %s has a bad CRC", got)
	}
}

func TestCRC16(t *testing.T) {
	// The CRC-16/CCITT-FALSE check value.
	if got := CRC16("123456789"); got != 0x29B1 {
		t.Errorf("CRC16(123456789) = %04X, want 29B1", got)
	}
	// A tampered payload fails its CRC.
	p := napas[2].want
	if Valid(p[:60] + "9" + p[61:]) {
		t.Error("tampered payload passed its CRC")
	}
}

func TestCRCIsAlwaysFourDigits(t *testing.T) {
	// Some CRCs are below 0x1000; they must still be written with four digits.
	for amount := int64(1000); amount < 400000; amount += 1000 {
		p, err := Payload(Transfer{BankBIN: "970436", Account: "1234567890", Amount: amount, Purpose: "KS1"})
		if err != nil {
			t.Fatal(err)
		}
		if CRC16(p[:len(p)-4]) < 0x1000 {
			if !Valid(p) {
				t.Fatalf("payload %s with a small CRC is not valid", p)
			}
			return
		}
	}
	t.Fatal("no payload with a CRC below 0x1000 found")
}

func TestPayloadRejectsBadInput(t *testing.T) {
	for _, in := range []Transfer{
		{BankBIN: "97040", Account: "1"},
		{BankBIN: "970403", Account: ""},
		{BankBIN: "970403", Account: "12 34"},
		{BankBIN: "970403", Account: "1", Amount: -5},
		{BankBIN: "970403", Account: "1", Purpose: "a reference much longer than twenty-five"},
	} {
		if _, err := Payload(in); err == nil {
			t.Errorf("Payload(%+v) accepted", in)
		}
	}
}

func TestPurposeIsPlainASCII(t *testing.T) {
	p, err := Payload(Transfer{BankBIN: "970403", Account: "0011012345678", Amount: 50000, Purpose: "Thanh toán điện"})
	if err != nil {
		t.Fatal(err)
	}
	want := "62190815Thanh toan dien"
	if !bytes.Contains([]byte(p), []byte(want)) {
		t.Errorf("payload %s does not contain %s", p, want)
	}
}

func TestPNGDecodesToThePayload(t *testing.T) {
	payload := napas[2].want
	b, err := PNG(payload, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetText() != payload {
		t.Errorf("QR decodes to %q, want %q", res.GetText(), payload)
	}
}
