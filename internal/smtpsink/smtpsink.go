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
	hold   *hold          // the next DATA's answer is held
	// rejectData is how many DATAs still to refuse
	rejectData int
}

type hold struct {
	took    chan struct{}
	release chan struct{}
}

// HoldNext makes the sink take the next message's data and keep it (it is on
// Messages) but not answer until release is called: the relay has the mail
// while the sender has not heard so, as when the sender's node dies just
// then. took is closed once the data is in.
func (s *Sink) HoldNext() (took <-chan struct{}, release func()) {
	h := &hold{took: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.hold = h
	s.mu.Unlock()
	var once sync.Once
	return h.took, func() { once.Do(func() { close(h.release) }) }
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

// RejectData makes the sink refuse the next times messages' data with a
// temporary failure (451) after taking the recipient.
func (s *Sink) RejectData(times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectData = times
}

func (s *Sink) refuseData() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejectData > 0 {
		s.rejectData--
		return true
	}
	return false
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
	if err == nil && s.sink.refuseData() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.msg.Data = b
	s.sink.Messages <- s.msg
	s.sink.mu.Lock()
	h := s.sink.hold
	s.sink.hold = nil
	s.sink.mu.Unlock()
	if h != nil {
		close(h.took)
		<-h.release
	}
	return err
}
