// Package signing signs the documents the station and the wards hand out —
// receipts, tracking slips, review decisions, report acknowledgements — as
// PDF signatures (PAdES, the CMS profile of ISO 32000-1 that ETSI TS 102
// 778-2 describes) with the ward's certificate or the service's, through
// github.com/digitorus/pdfsign. Each signed document is recorded with the
// SHA-256 of its exact bytes, and its QR code leads to a public page that
// says who signed it, when, and whether a copy someone holds is the one
// signed, byte for byte.
package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pdfsign/verify"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// Kinds of signed documents.
const (
	KindReceipt        = "receipt"         // a dossier's receipt (giấy biên nhận)
	KindTrackingSlip   = "tracking_slip"   // a dossier's status printed after a lookup
	KindReviewDecision = "review_decision" // a ward's decision on a dossier
	KindReportAck      = "report_ack"      // the acknowledgement of a security report
)

// How long a signed document's record is kept, from its signing: as long
// as its verification page answers. A tracking slip is a snapshot of a
// status, printed again at every lookup, and is kept 90 days; every other
// paper (receipts, decisions, acknowledgements, payment receipts) five
// years. After that the page says the document is unknown.
const (
	SlipRetention  = 90 * 24 * time.Hour
	PaperRetention = 5 * 365 * 24 * time.Hour
)

// Purge deletes the records of documents signed longer ago than their
// retention, as of now, and returns how many it deleted.
func (s *Service) Purge(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM signed_documents
		WHERE signed_at < CASE WHEN kind = $1 THEN $2::timestamptz ELSE $3::timestamptz END`,
		KindTrackingSlip, now.Add(-SlipRetention), now.Add(-PaperRetention))
	if err != nil {
		return 0, fmt.Errorf("purge signed documents: %w", err)
	}
	return tag.RowsAffected(), nil
}

// PurgeJob is the daily sweep applying the retention.
func (s *Service) PurgeJob() jobs.Sweep {
	return jobs.Sweep{Name: "signed-documents-purge", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
		_, err := s.Purge(ctx, s.now())
		return err
	}}
}

// Document says what is being signed. Nothing personal goes here: the
// subject is a dossier's or a report's id.
type Document struct {
	Kind        string
	Title       string // what the page calls it: "Giấy biên nhận hồ sơ"
	SubjectKind string // "dossier", "report", ...
	SubjectID   string
	Ward        string // the ward whose certificate signs, when it has one
	Reason      string // the signature's reason, shown by PDF readers
}

// Render draws a document's PDF. link is the address of its verification
// page, to be printed as a QR code; it is empty when the document will not
// be signed.
type Render func(link string) ([]byte, error)

// Service signs documents and verifies copies of them.
type Service struct {
	pool      *pgxpool.Pool
	keys      *keyring
	publicURL string
	tsa       string
	now       func() time.Time
}

// New loads the configured certificates and keys. With none configured the
// service signs nothing and documents are rendered without a signature.
func New(pool *pgxpool.Pool, cfg Config) (*Service, error) {
	keys, err := cfg.keys()
	if err != nil {
		return nil, err
	}
	return &Service{pool: pool, keys: keys, publicURL: strings.TrimRight(cfg.PublicURL, "/"), tsa: cfg.TSAURL, now: time.Now}, nil
}

// Link is the verification page of the document id.
func (s *Service) Link(id string) string { return s.publicURL + "/verify/" + id }

// Sign renders doc with its verification link and signs it with the
// ward's certificate or the service's. Without either the document is
// rendered unsigned, with no link.
func (s *Service) Sign(ctx context.Context, doc Document, render Render) ([]byte, error) {
	key := s.keys.For(doc.Ward)
	if key == nil {
		return render("")
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	unsigned, err := render(s.Link(id))
	if err != nil {
		return nil, err
	}
	at := s.now().Truncate(time.Second)
	signed, err := s.sign(unsigned, key, doc, at)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(signed)
	if _, err := s.pool.Exec(ctx, `INSERT INTO signed_documents (id, kind, title, subject_kind, subject_id, ward,
			signer, signer_org, issuer, cert_serial, cert_sha256, cert_not_after, signed_at, sha256, size)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		id, doc.Kind, doc.Title, doc.SubjectKind, doc.SubjectID, doc.Ward,
		key.Cert.Subject.CommonName, strings.Join(key.Cert.Subject.Organization, ", "), issuerName(key.Cert),
		key.Cert.SerialNumber.Text(16), fingerprint(key.Cert), key.Cert.NotAfter, at, digest[:], len(signed)); err != nil {
		return nil, fmt.Errorf("record signed document: %w", err)
	}
	return signed, nil
}

// sign puts a certification signature on pdfBytes that allows no later
// change.
func (s *Service) sign(pdfBytes []byte, key *Key, doc Document, at time.Time) ([]byte, error) {
	rdr, err := pdf.NewReader(bytes.NewReader(pdfBytes), int64(len(pdfBytes)))
	if err != nil {
		return nil, fmt.Errorf("sign: read pdf: %w", err)
	}
	data := sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:     key.Cert.Subject.CommonName,
				Location: "Thành phố Hồ Chí Minh",
				Reason:   doc.Reason,
				Date:     at,
			},
		},
		Signer:            key.Signer,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       key.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{key.Cert}, key.Chain...)},
	}
	if s.tsa != "" {
		data.TSA = sign.TSA{URL: s.tsa}
	}
	var out bytes.Buffer
	if err := sign.Sign(bytes.NewReader(pdfBytes), &out, rdr, int64(len(pdfBytes)), data); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out.Bytes(), nil
}

// Record is what the service kept of a signed document.
type Record struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	Ward         string    `json:"ward,omitempty"`
	Signer       string    `json:"signer"`
	SignerOrg    string    `json:"signer_org,omitempty"`
	Issuer       string    `json:"issuer"`
	CertSerial   string    `json:"cert_serial"`
	CertSHA256   string    `json:"cert_sha256"`
	CertNotAfter time.Time `json:"cert_not_after"`
	SignedAt     time.Time `json:"signed_at"`
	SHA256       string    `json:"sha256"`
	Size         int       `json:"size"`
}

var (
	uuidRe      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	errNotFound = apperr.New(apperr.NotFound, "signed_document_not_found",
		"Không tìm thấy giấy tờ có mã này. Xin kiểm tra lại mã QR hoặc đường dẫn trên giấy tờ.")
)

// Lookup returns the record of a signed document.
func (s *Service) Lookup(ctx context.Context, id string) (*Record, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if !uuidRe.MatchString(id) {
		return nil, errNotFound
	}
	var r Record
	var cert, digest []byte
	err := s.pool.QueryRow(ctx, `SELECT id::text, kind, title, ward, signer, signer_org, issuer, cert_serial, cert_sha256,
			cert_not_after, signed_at, sha256, size
		FROM signed_documents WHERE id = $1`, id).Scan(&r.ID, &r.Kind, &r.Title, &r.Ward, &r.Signer, &r.SignerOrg, &r.Issuer,
		&r.CertSerial, &cert, &r.CertNotAfter, &r.SignedAt, &digest, &r.Size)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("signed document: %w", err)
	}
	r.CertSHA256, r.SHA256 = hex.EncodeToString(cert), hex.EncodeToString(digest)
	return &r, nil
}

// Verdicts of a verification.
const (
	Intact  = "intact"  // the very bytes signed, and the signature holds
	Changed = "changed" // not the document signed: something was altered
)

// Verification is the answer about one copy of a signed document.
type Verification struct {
	Record  *Record `json:"document"`
	Verdict string  `json:"verdict"`
	// SignatureValid says whether the copy's own signature still matches
	// the bytes it covers (a copy with bytes added after the signature can
	// keep a valid signature and still not be the document issued).
	SignatureValid bool   `json:"signature_valid"`
	SHA256         string `json:"sha256"`
	Message        string `json:"message"`
}

// Verify checks a copy of the document id: intact only when its bytes are
// exactly those signed and its signature verifies with the certificate
// recorded.
func (s *Service) Verify(ctx context.Context, id string, copy []byte) (*Verification, error) {
	rec, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(copy, []byte("%PDF-")) {
		return nil, apperr.New(apperr.Invalid, "not_a_pdf", "Tệp gửi lên không phải là tệp PDF. Xin chọn đúng tệp giấy tờ đã nhận.")
	}
	digest := sha256.Sum256(copy)
	v := &Verification{Record: rec, SHA256: hex.EncodeToString(digest[:])}
	v.SignatureValid = signatureHolds(copy, rec.CertSHA256)
	want, _ := hex.DecodeString(rec.SHA256)
	if subtle.ConstantTimeCompare(digest[:], want) == 1 && v.SignatureValid {
		v.Verdict = Intact
		v.Message = "Giấy tờ còn nguyên vẹn: đúng bản đã được ký số, không thay đổi byte nào."
		return v, nil
	}
	v.Verdict = Changed
	if v.SignatureValid {
		v.Message = "Giấy tờ đã bị thay đổi: có nội dung được thêm vào sau khi ký. Đừng dùng bản này; xin liên hệ công an phường."
	} else {
		v.Message = "Giấy tờ đã bị thay đổi sau khi ký: chữ ký số không còn khớp với nội dung. Đừng dùng bản này; xin liên hệ công an phường."
	}
	return v, nil
}

// signatureHolds verifies the PDF's signatures cryptographically over the
// bytes they cover, and that one was made with the certificate recorded.
func signatureHolds(doc []byte, certSHA256 string) (ok bool) {
	defer func() {
		if recover() != nil { // a mangled file must not take the page down
			ok = false
		}
	}()
	opts := verify.DefaultVerifyOptions()
	opts.AllowUntrustedRoots = true // trust comes from the recorded certificate below
	opts.TrustSignatureTime = true
	resp, err := verify.VerifyWithOptions(bytes.NewReader(doc), int64(len(doc)), opts)
	if err != nil || resp == nil || len(resp.Signers) == 0 {
		return false
	}
	for _, sg := range resp.Signers {
		if !sg.ValidSignature {
			return false
		}
	}
	for _, sg := range resp.Signers {
		for _, c := range sg.Certificates {
			if c.Certificate != nil && hex.EncodeToString(fingerprint(c.Certificate)) == certSHA256 {
				return true
			}
		}
	}
	return false
}

// issuerName names who issued a certificate: its common name, else its
// organisation.
func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return strings.Join(c.Issuer.Organization, ", ")
}

func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("document id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
