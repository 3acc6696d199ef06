package outcall_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/outcall"
	vphone "github.com/switchboard-cx/switchboard/internal/voice/phone"
	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// Real peers: one node (app.Open: SQLite, the embedded bus, the notice
// sender, routing) with the voice channel registered over a real SIP
// server, media server and espeak-ng; baresip is the customer's phone.

const wait = 45 * time.Second // generous: the machine is shared and loaded

func testLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// center is a node that sends notices by voice and dials callbacks through
// the tenant's trunk (trunk), whose provider is the test's baresip.
type center struct {
	app      *app.App
	caller   *outcall.Caller
	url      string // the node's HTTP address
	tenant   string
	queue    string
	finished chan outcall.Finished
}

func newCenter(t *testing.T) *center {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen, cfg.Addr = t.TempDir(), "", "127.0.0.1:0"
	// The node's SIP server, and the loopback the test's phone is on let
	// through the one guard, as an operator would for a provider on a
	// private network.
	cfg.SIPListen, cfg.OutboundAllow = "127.0.0.1:0", "127.0.0.0/8"
	cfg.NoticeRing, cfg.CallbackRing = 8*time.Second, 8*time.Second // the no-answer tests wait this long
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, testLog(t), fstest.MapFS{})
	if err != nil {
		cancel()
		t.Fatalf("open node: %v", err)
	}
	if a.Outcall == nil {
		cancel()
		a.Close()
		t.Fatal("the node with a SIP server places no outbound calls")
	}
	c := &center{app: a, caller: a.Outcall, finished: make(chan outcall.Finished, 4)}
	c.caller.OnFinished(func(f outcall.Finished) { c.finished <- f })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.url = "http://" + ln.Addr().String()
	served := make(chan struct{})
	go func() { defer close(served); a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-served
		a.Close()
	})

	tn, _, err := a.Accounts.CreateTenant(ctx, "northwind", "Northwind", false,
		accounts.NewUser{Email: "admin@northwind.example", Name: "Admin", Password: "outcall-test-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	c.tenant = tn.ID
	deadline := time.Now().Add(wait)
	for !a.Dispatch.Leading() {
		if time.Now().After(deadline) {
			t.Fatal("routing did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	q, err := a.Dispatch.SaveQueue(ctx, dispatch.Actor{TenantID: tn.ID}, dispatch.QueueConfig{Name: "Front", Strategy: "longest_idle", Default: true})
	if err != nil {
		t.Fatal(err)
	}
	c.queue = q.ID
	typ := notice.Type{Key: "payment.due", Name: "Payment due", Category: prefs.Transactional, Channels: []string{"voice", "sms"},
		ReplyExpected: true, DefaultLanguage: "en", Templates: map[string]map[string]notice.Template{"en": {
			"voice": {Body: "Hello {{.name}}. A payment of {{.amount}} is due on Friday.", Keypad: []notice.KeypadChoice{
				{Key: "1", Label: "to confirm the payment", Response: "confirm"},
				{Key: "2", Label: "to talk to someone", Response: "talk", Talk: true}}},
			"sms": {Short: "A payment of {{.amount}} is due on Friday. Reply YES to confirm."},
		}}}
	if _, err := a.Notify.PutType(ctx, tn.ID, typ); err != nil {
		t.Fatal(err)
	}
	return c
}

// trunk gives the tenant a trunk whose provider is the phone.
func (c *center) trunk(t *testing.T, phone *baresiptest.Phone) {
	t.Helper()
	if _, err := c.app.Phone.CreateTrunk(context.Background(), c.tenant, vphone.TrunkInput{Name: "Main", Provider: phone.Addr,
		AcceptFrom: []string{"127.0.0.1/32"}, Numbers: []vphone.Number{{Number: "+15557000100", QueueID: c.queue}}}); err != nil {
		t.Fatal(err)
	}
}

// driving makes a customer with the number who is driving: voice only.
func (c *center) driving(t *testing.T, number string) string {
	t.Helper()
	ctx, now := context.Background(), time.Now()
	p := persona.Persona{ID: ids.New(), TenantID: c.tenant, Name: "Carla", CreatedAt: now, UpdatedAt: now,
		Identifiers: []persona.Identifier{{Kind: persona.KindPhone, Value: number}}}
	if err := c.app.DB.CreatePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := c.app.Notify.SetMomentary(ctx, c.tenant, p.ID, &prefs.Momentary{State: "driving",
		AllowChannels: []string{"voice"}, Until: now.Add(time.Hour)}, notify.Who{Source: "test", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// raise raises a payment.due notice for the persona and returns its delivery.
func (c *center) raise(t *testing.T, personaID string) string {
	t.Helper()
	r, err := c.app.Notify.Raise(context.Background(), c.tenant, notify.RaiseInput{Type: "payment.due",
		To: &notice.Target{PersonaID: personaID}, Data: map[string]any{"amount": "42 euros"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 1 || r.Results[0].DeliveryID == "" {
		t.Fatalf("raised %+v", r)
	}
	return r.Results[0].DeliveryID
}

// delivery waits until the delivery reaches status.
func (c *center) delivery(t *testing.T, id, status string) notify.DeliveryView {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		d, err := c.app.Notify.Delivery(context.Background(), c.tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s is %s on %s, want %s; steps %+v", id, d.Status, d.Channel, status, d.Steps)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *center) waitFinished(t *testing.T) outcall.Finished {
	t.Helper()
	select {
	case f := <-c.finished:
		return f
	case <-time.After(wait):
		t.Fatal("the notice call did not end")
		return outcall.Finished{}
	}
}

// TestSpokenNoticeAnsweredByKeypad: a customer driving (voice only) gets a
// payment notice; the center calls baresip, reads it out (baresip records
// speech), baresip presses 1 (RFC 4733) and the notice is replied "confirm"
// in the customer's conversation, as a typed reply would be.
func TestSpokenNoticeAnsweredByKeypad(t *testing.T) {
	c := newCenter(t)
	const number = "+15550123"
	phone := baresiptest.Start(t, baresiptest.Options{User: number})
	c.trunk(t, phone)
	pid := c.driving(t, number)
	raised := time.Now()
	id := c.raise(t, pid)

	phone.WaitEvent("CALL_ESTABLISHED")
	t.Logf("BENCH voice_notice_raise_to_answer_ms %d (raise → sender → speech rendered → INVITE → baresip auto-answer)",
		time.Since(raised).Milliseconds())
	d := c.delivery(t, id, notice.StatusDelivered)
	if d.Channel != "voice" {
		t.Fatalf("delivered on %s", d.Channel)
	}
	time.Sleep(2 * time.Second) // two seconds of the notice for baresip's recording
	pressed := time.Now()
	if err := phone.SendDTMF('1'); err != nil {
		t.Fatal(err)
	}
	c.delivery(t, id, notice.StatusReplied)
	t.Logf("BENCH voice_notice_key_to_reply_ms %d (RFC 4733 '1' sent by baresip → delivery replied, polled every 100 ms)",
		time.Since(pressed).Milliseconds())
	f := c.waitFinished(t)
	if f.Err != nil || f.Key != "1" || f.Response != "confirm" || f.ConversationID == "" || f.TalkCallID != "" {
		t.Fatalf("finished %+v", f)
	}
	phone.WaitEvent("CALL_CLOSED")
	d = c.delivery(t, id, notice.StatusReplied)
	if d.ConversationID != f.ConversationID {
		t.Fatalf("replied in %s, the keypad's conversation is %s", d.ConversationID, f.ConversationID)
	}
	last := d.Steps[len(d.Steps)-1]
	if last.Channel != "voice" || !strings.Contains(last.Detail, `reply "confirm" (key 1)`) {
		t.Fatalf("last step %+v", last)
	}
	st := baresiptest.Stats(t, phone.Recording())
	if st.RMS < 0.02 {
		t.Fatalf("baresip heard rms %.3f: no notice was spoken", st.RMS)
	}
}

// waiting waits until the queue holds n items.
func (c *center) waiting(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		stats, err := c.app.Dispatch.Stats(context.Background(), c.tenant)
		if err != nil {
			t.Fatal(err)
		}
		got := -1
		for _, s := range stats {
			if s.QueueID == c.queue {
				got = s.Waiting + s.Offered
			}
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue holds %d, want %d", got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSpokenNoticeTalkToSomeone: pressing 2 records the reply "talk" and
// hands the caller to the calls service: a queued call in the conversation
// that holds the notice (the agent's context); hanging up ends the call and
// withdraws its work.
func TestSpokenNoticeTalkToSomeone(t *testing.T) {
	c := newCenter(t)
	const number = "+15550124"
	phone := baresiptest.Start(t, baresiptest.Options{User: number})
	c.trunk(t, phone)
	id := c.raise(t, c.driving(t, number))
	phone.WaitEvent("CALL_ESTABLISHED")
	c.delivery(t, id, notice.StatusDelivered)
	if err := phone.SendDTMF('2'); err != nil {
		t.Fatal(err)
	}
	f := c.waitFinished(t)
	if f.Err != nil || f.Key != "2" || f.Response != "talk" || f.TalkCallID == "" {
		t.Fatalf("finished %+v", f)
	}
	d := c.delivery(t, id, notice.StatusReplied)
	if d.ConversationID != f.ConversationID {
		t.Fatalf("replied in %s, queued %s", d.ConversationID, f.ConversationID)
	}
	// The reply's conversation is routed as any reply is, and the call
	// waits in it as voice work (internal/voice/calls owns it now).
	c.waiting(t, 2)
	call, err := c.app.Calls.Call(context.Background(), c.tenant, f.TalkCallID)
	if err != nil || call.ConversationID != f.ConversationID || call.State != "queued" {
		t.Fatalf("the talk call %+v: %v", call, err)
	}
	msgs, err := c.app.DB.Messages(context.Background(), c.tenant, f.ConversationID, store.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Body)
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "Pressed 2 on the phone: to talk to someone") || !strings.Contains(all, "Reply to notification Payment due") {
		t.Fatalf("the conversation does not show the notice:\n%s", all)
	}
	time.Sleep(time.Second) // hold music for baresip's recording
	if err := phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
	c.waiting(t, 1) // the call's work withdrawn; the conversation stays for an agent
	deadline := time.Now().Add(wait)
	for {
		call, err := c.app.Calls.Call(context.Background(), c.tenant, f.TalkCallID)
		if err != nil {
			t.Fatal(err)
		}
		if call.State == "ended" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the talk call is %s after the caller hung up", call.State)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSpokenNoticeNotAnsweredFallsBack: the phone rings and nobody answers;
// the delivery's voice attempt fails "no answer" and the notice moves on to
// the next channel in the customer's order.
func TestSpokenNoticeNotAnsweredFallsBack(t *testing.T) {
	c := newCenter(t)
	const number = "+15550125"
	phone := baresiptest.Start(t, baresiptest.Options{User: number, Manual: true})
	c.trunk(t, phone)
	ctx, now := context.Background(), time.Now()
	p := persona.Persona{ID: ids.New(), TenantID: c.tenant, Name: "Dora", CreatedAt: now, UpdatedAt: now,
		Identifiers: []persona.Identifier{{Kind: persona.KindPhone, Value: number}}}
	if err := c.app.DB.CreatePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	id := c.raise(t, p.ID)
	phone.WaitEvent("CALL_INCOMING")
	deadline := time.Now().Add(wait)
	for {
		d, err := c.app.Notify.Delivery(ctx, c.tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		var failed bool
		for _, s := range d.Steps {
			failed = failed || s.Channel == "voice" && strings.Contains(s.Detail, "no answer")
		}
		if failed && d.Channel == "sms" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery on %s (%s), steps %+v; want voice's no answer, then sms", d.Channel, d.Status, d.Steps)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
