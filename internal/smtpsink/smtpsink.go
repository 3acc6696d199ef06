// Package smtpsink is a real SMTP server that keeps what it receives, for tests
// that check what Switchboard sends by mail (resets now, email replies later).
package smtpsink

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one message as received: envelope and raw data.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Sink is a running SMTP server on loopback.
type Sink struct {
	Addr     string
	Messages chan Message

	mu     sync.Mutex
	reject map[string]int // recipient → RCPTs still to refuse
}

// RejectRcpt makes the sink refuse the next times RCPT TO:<to> with a
// temporary failure (451), as a relay does when a mailbox is briefly
// unavailable, so tests can see the sender retry.
func (s *Sink) RejectRcpt(to string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject == nil {
		s.reject = map[string]int{}
	}
	s.reject[to] = times
}

func (s *Sink) refuse(to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject[to] > 0 {
		s.reject[to]--
		return true
	}
	return false
}

// Start runs a sink until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{Addr: ln.Addr().String(), Messages: make(chan Message, 100)}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "sink.test"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

type backend struct{ s *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{sink: b.s}, nil }

type session struct {
	sink *Sink
	msg  Message
}

func (s *session) Reset()        { s.msg = Message{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.From = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.sink.refuse(to) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy, try again later"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.msg.Data = b
	s.sink.Messages <- s.msg
	return err
}
