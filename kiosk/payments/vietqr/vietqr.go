// Package vietqr builds NAPAS VietQR payloads: EMVCo merchant-presented QR
// codes for a bank transfer (NAPAS 247) to an account or a card. A payload
// is a string of ID/length/value data objects ending with a CRC-16; banks'
// apps scan it and pre-fill the transfer.
package vietqr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// NAPASGUID identifies NAPAS in tag 38.
const NAPASGUID = "A000000727"

// Service codes of tag 38/02.
const (
	ToAccount = "QRIBFTTA" // transfer to a bank account
	ToCard    = "QRIBFTTC" // transfer to a card
)

// Transfer is what a VietQR asks the payer's bank to do.
type Transfer struct {
	BankBIN string // 6-digit acquirer BIN, e.g. 970403
	Account string // account or card number
	Service string // ToAccount or ToCard; ToAccount when empty
	// Amount in VND; 0 makes a static (reusable) code without an amount.
	Amount int64
	// BillNumber (62/01) and Purpose (62/08) are shown to the payer and come
	// back on the bank statement, so they carry the order reference.
	BillNumber string
	Purpose    string
}

// Payload returns the EMVCo payload string for t.
func Payload(t Transfer) (string, error) {
	if len(t.BankBIN) != 6 || !digits(t.BankBIN) {
		return "", fmt.Errorf("vietqr: bank BIN %q is not 6 digits", t.BankBIN)
	}
	if t.Account == "" || len(t.Account) > 19 || !alnum(t.Account) {
		return "", fmt.Errorf("vietqr: account %q must be 1–19 letters or digits", t.Account)
	}
	if t.Amount < 0 || t.Amount > 9_999_999_999_999 {
		return "", fmt.Errorf("vietqr: amount %d out of range", t.Amount)
	}
	service := t.Service
	if service == "" {
		service = ToAccount
	}
	initiation := "11" // static
	if t.Amount > 0 {
		initiation = "12" // dynamic: one transaction
	}
	beneficiary := tlv("00", t.BankBIN) + tlv("01", t.Account)
	merchant := tlv("00", NAPASGUID) + tlv("01", beneficiary) + tlv("02", service)

	var b strings.Builder
	b.WriteString(tlv("00", "01"))
	b.WriteString(tlv("01", initiation))
	b.WriteString(tlv("38", merchant))
	b.WriteString(tlv("53", "704"))
	if t.Amount > 0 {
		b.WriteString(tlv("54", strconv.FormatInt(t.Amount, 10)))
	}
	b.WriteString(tlv("58", "VN"))
	var extra string
	for _, f := range []struct{ id, v string }{{"01", t.BillNumber}, {"08", t.Purpose}} {
		// Bank apps count characters and many choke on UTF-8: plain ASCII.
		v := ascii(f.v)
		if v == "" {
			continue
		}
		if len(v) > 25 {
			return "", fmt.Errorf("vietqr: tag 62/%s %q is longer than 25 characters", f.id, v)
		}
		extra += tlv(f.id, v)
	}
	if extra != "" {
		b.WriteString(tlv("62", extra))
	}
	b.WriteString("6304")
	b.WriteString(fmt.Sprintf("%04X", CRC16(b.String())))
	return b.String(), nil
}

// PNG renders a payload as a QR code image of size×size pixels.
func PNG(payload string, size int) ([]byte, error) {
	return qrcode.Encode(payload, qrcode.Medium, size)
}

// CRC16 is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no
// final XOR), computed over the payload up to and including "6304".
func CRC16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Valid reports whether payload ends with its correct CRC.
func Valid(payload string) bool {
	if len(payload) < 8 || payload[len(payload)-8:len(payload)-4] != "6304" {
		return false
	}
	return fmt.Sprintf("%04X", CRC16(payload[:len(payload)-4])) == payload[len(payload)-4:]
}

func tlv(id, value string) string {
	return fmt.Sprintf("%s%02d%s", id, utf8.RuneCountInString(value), value)
}

func ascii(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x20 && r < 0x7F:
			return r
		}
		return -1
	}, vietnamese.StripMarks(s))
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}
