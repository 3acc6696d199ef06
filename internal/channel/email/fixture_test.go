package email_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// hostname is the test center's SMTP name and Message-ID domain.
const hostname = "mx.switchboard.test"

// fixture is a running center with the email channel: a real database, job
// queue and inbox, the SMTP listener on loopback, and a sink as the relay.
type fixture struct {
	db       *store.DB
	svc      *inbox.Service
	ch       *email.Channel
	addr     string // the listener
	relay    *smtpsink.Sink
	tenant   string // northwind, support@northwind.example
	other    string // contoso, help@contoso.example
	finished <-chan *river.Event
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB, configure ...func(*email.Config)) *fixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db := open(t)
	core := inboxtest.Start(t, db, inboxtest.Options{})
	svc, reg, clk, log, finished := core.Inbox, core.Channels, core.Clock, core.Log, core.Finished

	relay := smtpsink.Start(t)
	cfg := email.Config{Listen: "127.0.0.1:0", Hostname: hostname, MaxMessageBytes: 1 << 20, Relay: relay.Addr}
	for _, c := range configure {
		c(&cfg)
	}
	ch, err := email.New(email.Deps{DB: db, Inbox: svc, Clock: clk, Log: log}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(ch); err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- ch.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	f := &fixture{db: db, svc: svc, ch: ch, addr: ch.Addr().String(), relay: relay, finished: finished}
	f.tenant = f.account(t, "northwind", "Support@Northwind.example", "Northwind Support")
	f.other = f.account(t, "contoso", "help@contoso.example", "Contoso Help")
	return f
}

func (f *fixture) account(t *testing.T, slug, address, name string) string {
	t.Helper()
	tn := storetest.NewTenant(t, f.db, slug)
	if _, err := f.svc.CreateAccount(context.Background(), inbox.Actor{TenantID: tn.ID},
		channel.Account{Channel: "email", Address: address, Name: name}); err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// reply is the SMTP server's last answer to a transaction.
type reply struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// sendScript is a mail client: Python's smtplib, speaking SMTP to the
// listener. It sends MAIL without SIZE, so the size limit must hold while the
// data arrives, and stops at the first refusal, printing it.
const sendScript = `
import json, smtplib, sys
host, port = sys.argv[1].rsplit(":", 1)
sender, rcpts = sys.argv[2], sys.argv[3].split(",")
data = sys.stdin.buffer.read()
s = smtplib.SMTP(host, int(port), timeout=30)
def done(code, msg):
    print(json.dumps({"code": code, "msg": msg.decode("utf-8", "replace")}))
    try:
        s.quit()
    except Exception:
        pass
    sys.exit(0)
s.ehlo("client.example")
code, msg = s.mail(sender)
if code != 250:
    done(code, msg)
for r in rcpts:
    code, msg = s.rcpt(r)
    if code not in (250, 251):
        done(code, msg)
try:
    code, msg = s.data(data)
except smtplib.SMTPDataError as e:
    code, msg = e.smtp_code, e.smtp_error
done(code, msg)
`

// send hands raw to the listener from the return path sender to rcpts and
// returns the server's answer.
func (f *fixture) send(t *testing.T, sender string, rcpts []string, raw []byte) reply {
	t.Helper()
	cmd := exec.Command("python3", "-c", sendScript, f.addr, sender, strings.Join(rcpts, ","))
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python smtplib: %v\n%s", err, stderr.String())
	}
	var r reply
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("python smtplib said %q: %v", out, err)
	}
	return r
}

// mustAccept sends and fails the test unless the listener took the mail.
func (f *fixture) mustAccept(t *testing.T, sender string, rcpts []string, raw []byte) {
	t.Helper()
	if r := f.send(t, sender, rcpts, raw); r.Code != 250 {
		t.Fatalf("mail refused: %d %s", r.Code, r.Msg)
	}
}

// python runs a Python script and returns what it printed.
func python(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("python3", append([]string{"-c", script}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return out
}

// message is the stored message a mail with this Message-ID became.
func (f *fixture) message(t *testing.T, tenantID, messageID string) conversation.Message {
	t.Helper()
	m, err := f.db.MessageByExternalID(context.Background(), tenantID, "email", messageID)
	if err != nil {
		t.Fatalf("message %s: %v", messageID, err)
	}
	return m
}

func (f *fixture) noMessage(t *testing.T, tenantID, messageID string) {
	t.Helper()
	if _, err := f.db.MessageByExternalID(context.Background(), tenantID, "email", messageID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("message %s: %v, want none", messageID, err)
	}
}

func meta(t *testing.T, m conversation.Message) map[string]any {
	t.Helper()
	out := map[string]any{}
	if len(m.Meta) > 0 {
		if err := json.Unmarshal(m.Meta, &out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// waitJob waits for a delivery job to finish recording its outcome.
func (f *fixture) waitJob(t *testing.T) {
	t.Helper()
	select {
	case <-f.finished:
	case <-time.After(20 * time.Second):
		t.Fatal("delivery job did not finish")
	}
}

// relayed is the next message the relay received.
func (f *fixture) relayed(t *testing.T) smtpsink.Message {
	t.Helper()
	select {
	case m := <-f.relay.Messages:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("the relay received nothing")
	}
	return smtpsink.Message{}
}

// lf turns a readable multi-line literal into mail's CRLF lines.
func lf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimPrefix(s, "\n"), "\n", "\r\n"))
}
