package email_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// testCA is a certificate authority made for one test; it signs the
// listener's certificates, and clients trust it alone.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Switchboard test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue writes a certificate for 127.0.0.1 with the serial number and its key
// as PEM files at certPath and keyPath.
func (ca *testCA) issue(t *testing.T, serial int64, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "mx.switchboard.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{hostname}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The listener offers STARTTLS with the configured certificate, mail sent
// over it is taken, and a renewed certificate is presented from the next
// handshake on.
func TestStartTLS(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ca := newTestCA(t)
			dir := t.TempDir()
			certPath, keyPath := filepath.Join(dir, "mx.pem"), filepath.Join(dir, "mx.key")
			ca.issue(t, 100, certPath, keyPath)
			f := newFixture(t, e.Open, func(c *email.Config) { c.TLSCert, c.TLSKey = certPath, keyPath })
			client := &tls.Config{RootCAs: ca.pool, ServerName: "127.0.0.1"}

			r := sendNetSMTP(t, f.addr, "zoe@example.com", []string{"support@northwind.example"},
				lf("\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Private\nMessage-ID: <tls-1@example.com>\n\nMy account number is in here.\n"), client)
			if r.code != 250 {
				t.Fatalf("over STARTTLS: %d %s", r.code, r.msg)
			}
			if r.tls == nil || !r.tls.HandshakeComplete || r.tls.PeerCertificates[0].SerialNumber.Int64() != 100 {
				t.Fatalf("TLS state %+v", r.tls)
			}
			if m := f.message(t, f.tenant, "tls-1@example.com"); m.Body != "My account number is in here." {
				t.Fatalf("body %q", m.Body)
			}

			// Renewal: new files in place; the next handshake presents them.
			ca.issue(t, 101, certPath, keyPath)
			later := time.Now().Add(time.Minute) // a renewal within the clock's resolution still counts
			os.Chtimes(certPath, later, later)
			os.Chtimes(keyPath, later, later)
			r = sendNetSMTP(t, f.addr, "zoe@example.com", []string{"support@northwind.example"},
				lf("\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Again\nMessage-ID: <tls-2@example.com>\n\nStill private.\n"), client)
			if r.code != 250 || r.tls.PeerCertificates[0].SerialNumber.Int64() != 101 {
				t.Fatalf("after renewal: %d %s, serial %v", r.code, r.msg, r.tls.PeerCertificates[0].SerialNumber)
			}

			// A renewal half-written (the key not yet matching) keeps the last
			// good pair in service.
			os.WriteFile(keyPath, []byte("not a key"), 0o600)
			r = sendNetSMTP(t, f.addr, "zoe@example.com", []string{"support@northwind.example"},
				lf("\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Third\nMessage-ID: <tls-3@example.com>\n\nThird.\n"), client)
			if r.code != 250 || r.tls.PeerCertificates[0].SerialNumber.Int64() != 101 {
				t.Fatalf("during a half-written renewal: %d %s", r.code, r.msg)
			}
		})
	}
}

func TestStartTLSNeedsBothFiles(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	_, err := email.New(email.Deps{DB: f.db, Inbox: f.svc, Clock: clockSystem(), Log: discardLog()},
		email.Config{Hostname: hostname, TLSCert: "mx.pem"})
	if err == nil {
		t.Fatal("a certificate without a key was taken")
	}
	_, err = email.New(email.Deps{DB: f.db, Inbox: f.svc, Clock: clockSystem(), Log: discardLog()},
		email.Config{Hostname: hostname, TLSCert: filepath.Join(t.TempDir(), "missing.pem"), TLSKey: "missing.key"})
	if err == nil {
		t.Fatal("missing certificate files were taken")
	}
}
