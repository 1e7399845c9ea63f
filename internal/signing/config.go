package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Config holds where the certificates and keys are. They are files the
// operator installs (from the ward's or the service's certificate
// authority), never part of the repository.
type Config struct {
	// CertFile is the service's signing certificate in PEM, followed by the
	// certificates of its chain up to (not necessarily including) the root.
	CertFile string
	// KeyFile is its private key in PEM (PKCS#8, PKCS#1 RSA or SEC 1 EC).
	KeyFile string
	// WardDir, when set, holds the wards' own certificates: WARD.crt and
	// WARD.key, where WARD is the ward code a document belongs to. A
	// ward's documents are signed with its certificate when it has one,
	// with the service's otherwise.
	WardDir string
	// PublicURL is the address residents reach the service at; the
	// verification page's link in each document's QR code starts with it.
	PublicURL string
	// TSAURL, when set, is an RFC 3161 time-stamping authority whose token
	// is embedded in each signature.
	TSAURL string
}

// RegisterFlags adds the signing settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.CertFile, "sign-cert", "", "PEM certificate chain (signer first) the service signs its documents with; empty: documents are not signed")
	fs.StringVar(&c.KeyFile, "sign-key", "", "PEM private key of -sign-cert")
	fs.StringVar(&c.WardDir, "sign-ward-dir", "", "directory of the wards' own certificates, WARD.crt and WARD.key by ward code")
	fs.StringVar(&c.PublicURL, "public-url", "http://localhost:8080", "address residents reach the service at; the verification link in documents starts with it")
	fs.StringVar(&c.TSAURL, "sign-tsa-url", "", "RFC 3161 time-stamping authority for the signatures (empty: none)")
}

// Validate checks the settings and that the certificates and keys load.
func (c *Config) Validate() error {
	if (c.CertFile == "") != (c.KeyFile == "") {
		return config.Invalid("sign-key", c.KeyFile, "-sign-cert and -sign-key are set together")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return config.Invalid("public-url", c.PublicURL, "must be an http or https address")
	}
	if c.TSAURL != "" {
		if u, err := url.Parse(c.TSAURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return config.Invalid("sign-tsa-url", c.TSAURL, "must be an http or https address")
		}
	}
	_, err = c.keys()
	return err
}

// Enabled says whether documents are signed at all.
func (c *Config) Enabled() bool { return c.CertFile != "" || c.WardDir != "" }

// keys loads the service's and the wards' keys.
func (c *Config) keys() (*keyring, error) {
	k := &keyring{wards: map[string]*Key{}}
	if c.CertFile != "" {
		key, err := LoadKey(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, config.Invalid("sign-cert", c.CertFile, err.Error())
		}
		k.service = key
	}
	if c.WardDir != "" {
		certs, err := filepath.Glob(filepath.Join(c.WardDir, "*.crt"))
		if err != nil || len(certs) == 0 {
			return nil, config.Invalid("sign-ward-dir", c.WardDir, "holds no WARD.crt file")
		}
		for _, cert := range certs {
			ward := strings.TrimSuffix(filepath.Base(cert), ".crt")
			if !wardCode.MatchString(ward) {
				return nil, config.Invalid("sign-ward-dir", cert, "file names are ward codes (letters, digits, - and _)")
			}
			key, err := LoadKey(cert, strings.TrimSuffix(cert, ".crt")+".key")
			if err != nil {
				return nil, config.Invalid("sign-ward-dir", cert, err.Error())
			}
			k.wards[ward] = key
		}
	}
	return k, nil
}

var wardCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// Key is a signing certificate with its chain and private key.
type Key struct {
	Cert   *x509.Certificate
	Chain  []*x509.Certificate // the issuers above Cert, nearest first
	Signer crypto.Signer
}

// LoadKey reads a PEM certificate chain and its private key, and checks
// that they belong together and that the certificate may sign documents
// now.
func LoadKey(certFile, keyFile string) (*Key, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	return ParseKey(certPEM, keyPEM, time.Now())
}

// ParseKey is LoadKey on the files' contents.
func ParseKey(certPEM, keyPEM []byte, now time.Time) (*Key, error) {
	var certs []*x509.Certificate
	for rest := certPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	signer, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, err
	}
	k := &Key{Cert: certs[0], Chain: certs[1:], Signer: signer}
	if !publicKeysEqual(k.Cert.PublicKey, signer.Public()) {
		return nil, errors.New("the private key is not the certificate's")
	}
	if now.Before(k.Cert.NotBefore) || now.After(k.Cert.NotAfter) {
		return nil, fmt.Errorf("the certificate is valid only from %s to %s", k.Cert.NotBefore.Format(time.DateOnly), k.Cert.NotAfter.Format(time.DateOnly))
	}
	if k.Cert.KeyUsage != 0 && k.Cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, errors.New("the certificate's key usage allows no signature")
	}
	return k, nil
}

func parsePrivateKey(keyPEM []byte) (crypto.Signer, error) {
	for rest := keyPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return nil, errors.New("no PEM private key block")
		}
		var key any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(b.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted: give it unencrypted in a file only the service can read")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("private key: %w", err)
		}
		switch k := key.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey:
			return k.(crypto.Signer), nil
		case ed25519.PrivateKey:
			return nil, errors.New("Ed25519 keys are not supported in PDF signatures: use RSA or ECDSA")
		}
		return nil, errors.New("unsupported private key")
	}
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// fingerprint is the SHA-256 of a certificate's DER.
func fingerprint(c *x509.Certificate) []byte {
	h := sha256.Sum256(c.Raw)
	return h[:]
}

// keyring holds the service's key and the wards' own.
type keyring struct {
	service *Key
	wards   map[string]*Key
}

// For returns the key a ward's documents are signed with: the ward's own,
// else the service's; nil when neither is configured.
func (k *keyring) For(ward string) *Key {
	if key, ok := k.wards[ward]; ok {
		return key
	}
	return k.service
}
