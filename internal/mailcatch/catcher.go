// Package mailcatch is the demo's mail catcher: a real SMTP server on loopback
// that the center's relay points at when the demo runs without one, so that
// agents' email replies, notices and the portal's sign-in codes go somewhere
// a newcomer can read them (Admin → Outbox) and the demo works offline.
//
// It keeps the last mails in memory, bounded. The catcher listens on one
// node's loopback and only that node's relay points at it, so there is
// nothing for other nodes to share, and a demo that restarts starts with an
// empty outbox as it starts with no mail in flight; SQL would add a table and
// migrations on both engines for mail that is, by design, thrown away.
package mailcatch

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
)

// DefaultKeep is how many mails a catcher keeps unless told otherwise; older
// ones are dropped first.
const DefaultKeep = 500

// MaxBytes is the largest mail a catcher takes; a larger one is refused (552),
// so the catcher's memory stays bounded by DefaultKeep × MaxBytes at worst.
const MaxBytes = 10 << 20

// Mail is one mail as the catcher received it: the envelope and the raw data.
type Mail struct {
	ID         string    `json:"id"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	Subject    string    `json:"subject"`
	ReceivedAt time.Time `json:"received_at"`
	Raw        []byte    `json:"-"`
}

// Catcher is a running mail catcher.
type Catcher struct {
	clock clock.Clock
	keep  int
	srv   *smtp.Server
	ln    net.Listener
	done  chan struct{}

	mu    sync.Mutex
	mails []Mail // oldest first, at most keep
	added chan struct{}
}

// Start listens on addr ("127.0.0.1:0" for any free port) and serves SMTP
// until Close. keep bounds the mails kept (DefaultKeep if not positive).
func Start(addr string, keep int, clk clock.Clock, log *slog.Logger) (*Catcher, error) {
	if keep <= 0 {
		keep = DefaultKeep
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mail catcher: listen on %s: %w", addr, err)
	}
	c := &Catcher{clock: clk, keep: keep, ln: ln, done: make(chan struct{}), added: make(chan struct{})}
	c.srv = smtp.NewServer(backend{c})
	c.srv.Domain = "catcher.switchboard.invalid"
	c.srv.MaxMessageBytes = MaxBytes
	c.srv.MaxRecipients = 100
	c.srv.ReadTimeout, c.srv.WriteTimeout = time.Minute, time.Minute
	c.srv.ErrorLog = errorLog{log}
	go func() {
		defer close(c.done)
		if err := c.srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			log.Warn("mail catcher stopped", "err", err)
		}
	}()
	return c, nil
}

// Addr is where the catcher listens (host:port), for the relay setting.
func (c *Catcher) Addr() string { return c.ln.Addr().String() }

// Close stops the catcher and waits for it; the mails are dropped with it.
func (c *Catcher) Close() {
	c.srv.Close()
	<-c.done
}

// List returns the mails kept, newest first.
func (c *Catcher) List() []Mail {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Mail, len(c.mails))
	for i, m := range c.mails {
		out[len(c.mails)-1-i] = m
	}
	return out
}

// Get returns one mail by id.
func (c *Catcher) Get(id string) (Mail, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.mails {
		if m.ID == id {
			return m, true
		}
	}
	return Mail{}, false
}

// Added returns a channel closed when the next mail arrives, for callers
// that wait for mail without polling.
func (c *Catcher) Added() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.added
}

// add keeps a received mail, dropping the oldest beyond the bound.
func (c *Catcher) add(m Mail) {
	m.ID = ids.New()
	m.ReceivedAt = c.clock.Now()
	m.Subject = Subject(m.Raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mails = append(c.mails, m)
	if n := len(c.mails) - c.keep; n > 0 {
		c.mails = append(c.mails[:0:0], c.mails[n:]...)
	}
	close(c.added)
	c.added = make(chan struct{})
}

type backend struct{ c *Catcher }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{c: b.c}, nil }

// session takes any sender and recipient: the catcher stands in for the
// whole world's mail servers.
type session struct {
	c   *Catcher
	msg Mail
}

func (s *session) Reset()        { s.msg = Mail{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("mail catcher: read message: %w", err)
	}
	m := s.msg
	m.Raw = b
	s.c.add(m)
	return nil
}

// errorLog passes go-smtp's connection errors to the logger, at debug: a
// catcher's clients are the node itself.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Printf(format string, v ...any) {
	l.log.Debug("mail catcher: " + fmt.Sprintf(format, v...))
}
func (l errorLog) Println(v ...any) { l.log.Debug("mail catcher: " + fmt.Sprintln(v...)) }
