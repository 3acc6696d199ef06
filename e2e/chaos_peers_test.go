package e2e

import (
	"io"
	"net"
	"regexp"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
)

// noticeRef finds the chaos test's mark in a notice's text: the event's
// reference, which the notice type's templates print.
var noticeRef = regexp.MustCompile(`\[notice:(ev-\d+)\]`)

// sendKey is one notice on one channel: the channel, the address it went
// to, the event's reference. A customer gets one notice per event, so two
// sends with one key are the same channel step sent twice.
type sendKey struct{ channel, to, ref string }

// relay is the nodes' outbound SMTP relay: a real SMTP server that counts the
// notices it is handed per sendKey.
type relay struct {
	Addr  string
	mu    sync.Mutex
	sends map[sendKey]int
	mails int
}

func startRelay(t *testing.T) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{Addr: ln.Addr().String(), sends: map[sendKey]int{}}
	srv := smtp.NewServer(relayBackend{r})
	srv.Domain = "relay.chaos.test"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *relay) add(to []string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mails++
	m := noticeRef.FindSubmatch(data)
	if m == nil {
		return
	}
	for _, rcpt := range to {
		r.sends[sendKey{"email", rcpt, string(m[1])}]++
	}
}

// counts returns a copy of the sends per key and the mails taken in all.
func (r *relay) counts() (map[sendKey]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[sendKey]int, len(r.sends))
	for k, v := range r.sends {
		out[k] = v
	}
	return out, r.mails
}

type relayBackend struct{ r *relay }

func (b relayBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &relaySession{r: b.r}, nil
}

type relaySession struct {
	r  *relay
	to []string
}

func (s *relaySession) Reset()                               { s.to = nil }
func (s *relaySession) Logout() error                        { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.r.add(s.to, b)
	return nil
}

// textCounts counts the texts the fake Twilio took per sendKey.
func textCounts(tw *twiliotest.Server) (map[sendKey]int, int) {
	out := map[sendKey]int{}
	texts := tw.Texts()
	for _, f := range texts {
		if m := noticeRef.FindStringSubmatch(f.Get("Body")); m != nil {
			out[sendKey{"sms", f.Get("To"), m[1]}]++
		}
	}
	return out, len(texts)
}
