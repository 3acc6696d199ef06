package phone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// Real peers: one node with its SIP server on loopback; baresip, a real
// SIP phone, calls a tenant's number, hears the keypad menu spoken by
// espeak-ng and presses keys (RFC 4733); the admin API sets the trunk up.

const wait = 45 * time.Second // generous: the machine is shared and loaded

// logLines keeps what the node logs, so a test can wait for a step no API
// shows (a voicemail's recording starting).
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(p))
	return len(p), nil
}

func (l *logLines) waitFor(t *testing.T, texts ...string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		l.mu.Lock()
	lines:
		for _, s := range l.lines {
			for _, text := range texts {
				if !strings.Contains(s, text) {
					continue lines
				}
			}
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the node never logged a line with %q", texts)
}

type center struct {
	app      *app.App
	url      string
	tenantID string
	http     *http.Client
	logs     *logLines
	front    string // the number's queue (and the menu's operator)
	cards    string // key 1
	number   string
}

func newCenter(t testing.TB) *center {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen, cfg.Addr = t.TempDir(), "", "127.0.0.1:0"
	cfg.SIPListen = "127.0.0.1:0"
	cfg.OutboundAllow = "127.0.0.0/8" // baresip's Contact and RTP are on loopback
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	logs := &logLines{}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)), fstest.MapFS{})
	if err != nil {
		cancel()
		t.Fatalf("open node: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); a.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served; a.Close() })
	if a.SIP == nil {
		t.Fatal("--sip-listen given, and the node has no SIP server")
	}

	const pw = "phone-test-password-1"
	tn, _, err := a.Accounts.CreateTenant(ctx, "phone", "Phone", false,
		accounts.NewUser{Email: "admin@phone.example", Name: "Admin", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &center{app: a, url: "http://" + ln.Addr().String(), tenantID: tn.ID, http: &http.Client{Jar: jar}, logs: logs,
		number: "+15550100"}
	c.do(t, "POST", "/api/v1/auth/login", map[string]string{"tenant": "phone", "email": "admin@phone.example", "password": pw}, nil, 200)
	var q struct{ ID string }
	c.do(t, "POST", "/api/v1/queues", map[string]any{"name": "Front", "strategy": "longest_idle", "default": true}, &q, 201)
	c.front = q.ID
	c.do(t, "POST", "/api/v1/queues", map[string]any{"name": "Cards", "strategy": "longest_idle"}, &q, 201)
	c.cards = q.ID
	return c
}

func (c *center) do(t testing.TB, method, path string, body, out any, want int) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return raw
}

// conversationOf waits for the conversation of a caller's call.
func (c *center) conversationOf(t *testing.T, caller string) conversation.Conversation {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		pid, err := c.app.DB.PersonaIDByIdentifier(ctx, c.tenantID, persona.Identifier{Kind: persona.KindPhone, Value: caller})
		if err == nil {
			conv, err := c.app.DB.LatestUnresolvedConversation(ctx, c.tenantID, pid)
			if err == nil {
				return conv
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no conversation for the caller %s within %s", caller, wait)
	return conversation.Conversation{}
}

type callView struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	EndedReason string `json:"ended_reason"`
	HungUpBy    string `json:"hung_up_by"`
}

// callIn waits until the conversation's latest call is in one of states.
func (c *center) callIn(t *testing.T, conv string, states ...string) callView {
	t.Helper()
	deadline := time.Now().Add(wait)
	var last []callView
	for time.Now().Before(deadline) {
		var out struct{ Items []callView }
		raw := c.do(t, "GET", "/api/v1/conversations/"+conv+"/calls", nil, nil, 200)
		if err := json.Unmarshal(raw, &out.Items); err != nil {
			json.Unmarshal(raw, &out)
		}
		last = out.Items
		if len(last) > 0 {
			for _, s := range states {
				if last[0].State == s {
					return last[0]
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the conversation's call did not reach %v within %s: %+v", states, wait, last)
	return callView{}
}

func (c *center) timeline(t *testing.T, conv string) []conversation.Message {
	t.Helper()
	msgs, err := c.app.DB.Messages(context.Background(), c.tenantID, conv, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func (c *center) menuTrunk(t *testing.T) {
	t.Helper()
	c.do(t, "POST", "/api/v1/phone/trunks", map[string]any{"name": "Main line", "accept_from": []string{"127.0.0.1"},
		"numbers": []map[string]any{{"number": c.number, "queue_id": c.front, "menu": map[string]any{
			"language": "en",
			"menu": map[string]any{"prompt": "For cards press 1. To leave a message press 9.", "options": map[string]any{
				"1": map[string]any{"action": map[string]any{"type": "queue", "queue": c.cards}},
				"9": map[string]any{"action": map[string]any{"type": "voicemail"}},
			}},
		}}}}, nil, 201)
}

// TestPhoneCallMenuToQueue: baresip calls the tenant's number, presses 1
// during the menu, and the call waits in the Cards queue as voice work of a
// new conversation on the phone channel, with the caller's number as the
// persona's identifier; the caller hears their place in line. The caller hangs up: the call ends cancelled by the
// customer and routing holds nothing for it.
func TestPhoneCallMenuToQueue(t *testing.T) {
	c := newCenter(t)
	c.menuTrunk(t)
	phone := baresiptest.Start(t, baresiptest.Options{User: "+15550111"})
	if err := phone.Dial("sip:" + c.number + "@" + c.app.SIP.UDPAddr()); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_ESTABLISHED")
	if err := phone.SendDTMF('1'); err != nil { // barges into the menu's prompt
		t.Fatal(err)
	}
	conv := c.conversationOf(t, "+15550111")
	if conv.Channel != "phone" {
		t.Fatalf("the call's conversation is on %q, want phone", conv.Channel)
	}
	call := c.callIn(t, conv.ID, "queued", "ringing")
	var work []store.WorkRecord
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		ws, err := c.app.DB.ActiveWorkFor(context.Background(), c.tenantID, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		work = work[:0]
		for _, w := range ws {
			if w.Kind == "escalation" {
				work = append(work, w)
			} else {
				t.Fatalf("the phone conversation is routed as %s work too: %+v", w.Kind, w)
			}
		}
		if len(work) == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(work) != 1 || work[0].QueueID != c.cards || work[0].Modality != "voice" {
		t.Fatalf("the call's routing work: %+v; want one voice item in Cards (%s)", work, c.cards)
	}

	// The caller, alone in Cards, is told so over the hold music.
	c.logs.waitFor(t, "queue position announced", "call_id="+call.ID, "position=1")

	if err := phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
	ended := c.callIn(t, conv.ID, "ended")
	if ended.ID != call.ID || ended.EndedReason != "cancelled" || ended.HungUpBy != "customer" {
		t.Fatalf("the call ended as %+v; want cancelled by the customer", ended)
	}
	deadline = time.Now().Add(wait)
	for {
		ws, err := c.app.DB.ActiveWorkFor(context.Background(), c.tenantID, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		left := 0
		for _, w := range ws {
			if w.Kind == "escalation" {
				left++
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the call's work is still in routing %s after the caller hung up", wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var texts []string
	for _, m := range c.timeline(t, conv.ID) {
		texts = append(texts, m.Body)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Phone call from +15550111 to +15550100", "Voice call ended: the customer hung up before an agent answered"} {
		if !strings.Contains(all, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, all)
		}
	}
}

// TestPhoneVoicemail: the caller presses 9, hears the greeting and the
// beep, speaks (baresip's 440 Hz sine) and hangs up; the message lands in
// the conversation with the recording attached, and the recording carries
// the caller's tone (sox).
func TestPhoneVoicemail(t *testing.T) {
	c := newCenter(t)
	c.menuTrunk(t)
	phone := baresiptest.Start(t, baresiptest.Options{User: "+15550112"})
	if err := phone.Dial("sip:" + c.number + "@" + c.app.SIP.UDPAddr()); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_ESTABLISHED")
	if err := phone.SendDTMF('9'); err != nil {
		t.Fatal(err)
	}
	c.logs.waitFor(t, "voicemail recording")
	time.Sleep(2 * time.Second) // two seconds of message
	if err := phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
	conv := c.conversationOf(t, "+15550112")
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, m := range c.timeline(t, conv.ID) {
			if !strings.HasPrefix(m.Body, "Voicemail") {
				continue
			}
			if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "audio/wav" {
				t.Fatalf("the voicemail message %q has attachments %+v; want one audio/wav", m.Body, m.Attachments)
			}
			_, data, err := c.app.DB.Attachment(context.Background(), c.tenantID, m.Attachments[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			wav := filepath.Join(t.TempDir(), "vm.wav")
			if err := os.WriteFile(wav, data, 0o600); err != nil {
				t.Fatal(err)
			}
			st := baresiptest.Stats(t, wav)
			if st.RMS < 0.05 || st.Freq < 400 || st.Freq > 480 {
				t.Fatalf("the voicemail has rms %.3f at %.0f Hz; want baresip's 440 Hz sine", st.RMS, st.Freq)
			}
			if !strings.Contains(m.Body, "from +15550112 to +15550100") {
				t.Errorf("voicemail message %q", m.Body)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no voicemail message in the conversation within %s", wait)
}

// TestPhoneAnnouncesEstimate: with an agent staffed on Cards but no voice
// line free, a caller who waits there is told their place and the
// estimated wait (internal/waittime: the prior of 4 minutes for the one
// staffed agent, before any departure teaches it more).
func TestPhoneAnnouncesEstimate(t *testing.T) {
	c := newCenter(t)
	c.menuTrunk(t)
	var me struct {
		User struct{ ID string } `json:"user"`
	}
	c.do(t, "GET", "/api/v1/me", nil, &me, 200)
	c.do(t, "PUT", "/api/v1/users/"+me.User.ID+"/routing", map[string]any{"skills": map[string]int{}, "queues": []string{c.cards},
		"capacity": map[string]int{"voice": 0, "chat": 1}, "blocks": map[string][]string{}, "wrap_up_seconds": 0}, nil, 200)
	c.do(t, "PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil, 200)

	phone := baresiptest.Start(t, baresiptest.Options{User: "+15550112"})
	if err := phone.Dial("sip:" + c.number + "@" + c.app.SIP.UDPAddr()); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_ESTABLISHED")
	if err := phone.SendDTMF('1'); err != nil {
		t.Fatal(err)
	}
	conv := c.conversationOf(t, "+15550112")
	call := c.callIn(t, conv.ID, "queued", "ringing")
	c.logs.waitFor(t, "queue position announced", "call_id="+call.ID, "position=1", "estimated_wait=4m")
	if err := phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
}
