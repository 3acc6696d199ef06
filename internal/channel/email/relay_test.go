package email_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// strictRelay is a relay as providers run them: STARTTLS, PLAIN login only
// over TLS, and per-recipient answers (gone@ is unknown, busy@ is deferred).
type strictRelay struct {
	addr  string
	roots *x509.CertPool
	mu    sync.Mutex
	got   []relayed
}

type relayed struct {
	user string
	tls  bool
	to   string
	data string
}

func startStrictRelay(t *testing.T) *strictRelay {
	t.Helper()
	cert, roots := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &strictRelay{addr: ln.Addr().String(), roots: roots}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &relaySession{relay: r, conn: c}, nil }))
	srv.Domain = "relay.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.AllowInsecureAuth = false
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

type relaySession struct {
	relay *strictRelay
	conn  *smtp.Conn
	user  string
	to    string
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "relay-user" || pass != "s3cret-relay-pass" {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}
func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch to {
	case "gone@example.com":
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case "busy@example.com":
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try later"}
	}
	s.to = to
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	_, isTLS := s.conn.TLSConnectionState()
	s.relay.mu.Lock()
	s.relay.got = append(s.relay.got, relayed{user: s.user, tls: isTLS, to: s.to, data: string(b)})
	s.relay.mu.Unlock()
	return err
}

// selfSigned is a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestSendThroughRelay(t *testing.T) {
	relay := startStrictRelay(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := newFixture(t, storetest.OpenSQLite) // for a real store and inbox.Service; its own relay is unused here
	db := f.db
	newChannel := func(user, pass string) *email.Channel {
		ch, err := email.New(email.Deps{DB: db, Inbox: f.svc, Clock: clock.System{}, Log: log},
			email.Config{Hostname: hostname, Relay: relay.addr, RelayUser: user, RelayPassword: pass, RootCAs: relay.roots})
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	ch := newChannel("relay-user", "s3cret-relay-pass")
	out := func(to string) channel.Outbound {
		return channel.Outbound{TenantID: "t", MessageID: "01JMSG" + strings.ToUpper(strings.Split(to, "@")[0]), To: to, Subject: "Your card",
			Body: "Hello", ReplyToken: "abcdefgh23456723", Account: channel.Account{Address: "support@northwind.example", Name: "Northwind"}}
	}
	ctx := context.Background()

	sent, err := ch.Send(ctx, out("zoe@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if sent.ExternalID != "01JMSGZOE@"+hostname || sent.Status != "sent" {
		t.Fatalf("sent %+v", sent)
	}
	relay.mu.Lock()
	got := relay.got
	relay.mu.Unlock()
	if len(got) != 1 || !got[0].tls || got[0].user != "relay-user" || got[0].to != "zoe@example.com" ||
		!strings.Contains(got[0].data, "Message-Id: <01JMSGZOE@"+hostname+">") {
		t.Fatalf("relay got %+v", got)
	}

	for _, tc := range []struct {
		name      string
		ch        *email.Channel
		to        string
		permanent bool
	}{
		{"unknown recipient", ch, "gone@example.com", true},
		{"deferred recipient", ch, "busy@example.com", false},
		{"wrong password: the center's problem, kept for a retry", newChannel("relay-user", "wrong"), "zoe@example.com", false},
		{"relay not verified: no login in the clear", func() *email.Channel {
			c, _ := email.New(email.Deps{DB: db, Inbox: f.svc, Clock: clock.System{}, Log: log},
				email.Config{Hostname: hostname, Relay: relay.addr, RelayUser: "relay-user", RelayPassword: "s3cret-relay-pass"})
			return c
		}(), "zoe@example.com", false},
	} {
		_, err := tc.ch.Send(ctx, out(tc.to))
		if err == nil || errors.Is(err, channel.ErrPermanent) != tc.permanent {
			t.Errorf("%s: %v, want permanent=%v", tc.name, err, tc.permanent)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the password is in the error: %v", tc.name, err)
		}
	}

	// A relay that is down is retried.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close()
	c, _ := email.New(email.Deps{DB: db, Inbox: f.svc, Clock: clock.System{}, Log: log}, email.Config{Hostname: hostname, Relay: down})
	if _, err := c.Send(ctx, out("zoe@example.com")); err == nil || errors.Is(err, channel.ErrPermanent) {
		t.Errorf("relay down: %v, want a retryable error", err)
	}
	// A tenant without an address cannot send at all.
	o := out("zoe@example.com")
	o.Account = channel.Account{}
	if _, err := ch.Send(ctx, o); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("no sender address: %v", err)
	}
}
