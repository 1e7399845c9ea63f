// Package signingtest makes certificate chains for tests: a root
// authority, an intermediate and a document-signing certificate, written as
// PEM files the way an operator installs the real ones.
package signingtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/signing"
)

// Chain is a test chain on disk.
type Chain struct {
	RootPEM  []byte // the root authority's certificate
	CertFile string // signer, then intermediate
	KeyFile  string
}

// New writes a chain whose signer is named signer (its common name) into
// a temporary directory of tb.
func New(tb testing.TB, signer string) Chain {
	tb.Helper()
	return Write(tb, tb.TempDir(), "signer", signer)
}

// Write writes the chain as dir/base.crt and dir/base.key.
func Write(tb testing.TB, dir, base, signer string) Chain {
	tb.Helper()
	now := time.Now()
	root, rootKey := issue(tb, &x509.Certificate{
		Subject:   pkix.Name{CommonName: "Citizenstation Test Root CA", Organization: []string{"Citizenstation tests"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, nil)
	mid, midKey := issue(tb, &x509.Certificate{
		Subject:   pkix.Name{CommonName: "Citizenstation Test Issuing CA", Organization: []string{"Citizenstation tests"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, root, rootKey)
	leaf, leafKey := issue(tb, &x509.Certificate{
		Subject:   pkix.Name{CommonName: signer, Organization: []string{"Công an Thành phố Hồ Chí Minh"}, Country: []string{"VN"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{documentSigning},
	}, mid, midKey)
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		tb.Fatal(err)
	}
	c := Chain{
		RootPEM:  pemOf("CERTIFICATE", root.Raw),
		CertFile: filepath.Join(dir, base+".crt"),
		KeyFile:  filepath.Join(dir, base+".key"),
	}
	chain := append(pemOf("CERTIFICATE", leaf.Raw), pemOf("CERTIFICATE", mid.Raw)...)
	if err := os.WriteFile(c.CertFile, chain, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(c.KeyFile, pemOf("PRIVATE KEY", keyDER), 0o600); err != nil {
		tb.Fatal(err)
	}
	return c
}

// Config is a signing configuration with the chain as the service's.
func (c Chain) Config(publicURL string) signing.Config {
	return signing.Config{CertFile: c.CertFile, KeyFile: c.KeyFile, PublicURL: publicURL}
}

// documentSigning is the Document Signing extended key usage (RFC 9336).
var documentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

func issue(tb testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		tb.Fatal(err)
	}
	tmpl.SerialNumber = n
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return cert, key
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
