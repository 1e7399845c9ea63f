package agent

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// A small IPP/1.1 client (RFC 8010/8011): the three operations the agent
// needs — Print-Job, Get-Job-Attributes, Get-Printer-Attributes. The Go IPP
// libraries (phin1x/go-ipp, OpenPrinting/goipp) are not reachable from this
// project's module proxy, so the encoding is written here, against the
// real printer stack in tests (ippeveprinter, CUPS's IPP Everywhere
// reference printer).

// IPP operations and tags used here.
const (
	opPrintJob             = 0x0002
	opGetJobAttributes     = 0x0009
	opGetPrinterAttributes = 0x000B

	tagOperation = 0x01
	tagEnd       = 0x03

	tagInteger  = 0x21
	tagBoolean  = 0x22
	tagEnum     = 0x23
	tagURI      = 0x45
	tagCharset  = 0x47
	tagLanguage = 0x48
	tagMimeType = 0x49
	tagName     = 0x42
	tagKeyword  = 0x44
)

// Job states (RFC 8011 5.3.7).
const (
	jobProcessingStopped = 6
	jobCanceled          = 7
	jobAborted           = 8
	jobCompleted         = 9
)

// Printer states (RFC 8011 5.4.11).
const (
	printerIdle       = 3
	printerProcessing = 4
	printerStopped    = 5
)

type ippAttr struct {
	tag   byte
	name  string
	value []byte
}

func ippString(tag byte, name, v string) ippAttr { return ippAttr{tag, name, []byte(v)} }
func ippInt(tag byte, name string, v int32) ippAttr {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, uint32(v))
	return ippAttr{tag, name, b}
}

// ippResponse is a response's status and every attribute's values, by
// name (groups are merged: the agent asks for one job or one printer).
type ippResponse struct {
	Status uint16
	Attrs  map[string][][]byte
}

func (r *ippResponse) int(name string) (int, bool) {
	v := r.Attrs[name]
	if len(v) == 0 || len(v[0]) != 4 {
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(v[0]))), true
}

func (r *ippResponse) strings(name string) []string {
	var out []string
	for _, v := range r.Attrs[name] {
		out = append(out, string(v))
	}
	return out
}

var requestID atomic.Uint32

// ippClient talks to one printer.
type ippClient struct {
	uri  string // ipp://host:port/path
	http *http.Client
}

func (c *ippClient) url() string {
	u := c.uri
	for scheme, http := range map[string]string{"ipp://": "http://", "ipps://": "https://"} {
		if strings.HasPrefix(u, scheme) {
			return http + strings.TrimPrefix(u, scheme)
		}
	}
	return u
}

// do sends an operation with the operation attributes attrs (after the
// charset, language and printer-uri every request carries) and document.
func (c *ippClient) do(ctx context.Context, op uint16, attrs []ippAttr, document io.Reader) (*ippResponse, error) {
	var b bytes.Buffer
	b.Write([]byte{2, 0})
	binary.Write(&b, binary.BigEndian, op)
	binary.Write(&b, binary.BigEndian, requestID.Add(1))
	b.WriteByte(tagOperation)
	all := append([]ippAttr{
		ippString(tagCharset, "attributes-charset", "utf-8"),
		ippString(tagLanguage, "attributes-natural-language", "vi"),
		ippString(tagURI, "printer-uri", c.uri),
	}, attrs...)
	for _, a := range all {
		b.WriteByte(a.tag)
		binary.Write(&b, binary.BigEndian, uint16(len(a.name)))
		b.WriteString(a.name)
		binary.Write(&b, binary.BigEndian, uint16(len(a.value)))
		b.Write(a.value)
	}
	b.WriteByte(tagEnd)
	var body io.Reader = &b
	if document != nil {
		body = io.MultiReader(&b, document)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/ipp")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ipp: HTTP %s", res.Status)
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return parseIPP(raw)
}

var errIPPShort = errors.New("ipp: response cut short")

// parseIPP reads a response. A value without a name is another value of
// the attribute before it (and collection members are kept that way too,
// which is all the agent needs of them).
func parseIPP(raw []byte) (*ippResponse, error) {
	if len(raw) < 9 {
		return nil, errIPPShort
	}
	r := &ippResponse{Status: binary.BigEndian.Uint16(raw[2:4]), Attrs: map[string][][]byte{}}
	p, last := 8, ""
	for p < len(raw) {
		tag := raw[p]
		p++
		if tag == tagEnd {
			return r, nil
		}
		if tag < 0x10 { // the start of a group
			continue
		}
		if p+2 > len(raw) {
			return nil, errIPPShort
		}
		n := int(binary.BigEndian.Uint16(raw[p:]))
		p += 2
		if p+n+2 > len(raw) {
			return nil, errIPPShort
		}
		name := string(raw[p : p+n])
		p += n
		vn := int(binary.BigEndian.Uint16(raw[p:]))
		p += 2
		if p+vn > len(raw) {
			return nil, errIPPShort
		}
		if name == "" {
			name = last
		}
		r.Attrs[name] = append(r.Attrs[name], raw[p:p+vn])
		last = name
		p += vn
	}
	return nil, errIPPShort
}
