package survey_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/csat/survey"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

const (
	waitTimeout = 20 * time.Second
	shopOrigin  = "https://shop.example"
	bizNumber   = "+15005550006"
	twilioSID   = "ACaaaa"
	twilioToken = "token-of-a"
	supportMail = "support@northwind.example"
)

// fixture is one node of a center with the three survey channels, each
// reached over its real protocol: the widget's WebSocket, SMTP in and out
// (a sink as the relay), and SMS through a fake Twilio that speaks its REST
// API and signs its webhooks. The survey service follows the bus and
// serves its page over HTTP.
type fixture struct {
	db     *store.DB
	clock  *clock.Fake
	inbox  *inbox.Service
	svc    *survey.Service
	srv    *httptest.Server // the center: channels and the survey page
	relay  *smtpsink.Sink
	smtp   string // the email channel's listener
	twilio *twiliotest.Server
	tenant string
	widget channel.Account
	events chan event.Event
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	f := &fixture{db: db, clock: clk, inbox: core.Inbox, events: make(chan event.Event, 512)}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.svc = survey.New(survey.Deps{DB: db, Out: core.Out, Inbox: core.Inbox, Bus: core.Bus, Clock: clk, Log: core.Log, BaseURL: f.srv.URL})
	f.svc.Mount(mux)

	ctx, cancel := context.WithCancel(context.Background())
	var running sync.WaitGroup
	t.Cleanup(func() { cancel(); running.Wait() })

	wc, err := webchat.New(webchat.Deps{DB: db, Inbox: core.Inbox, Bus: core.Bus, Key: bytes.Repeat([]byte("k"), 32), Clock: clk, Log: core.Log, Surveys: f.svc},
		webchat.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f.relay = smtpsink.Start(t)
	mail, err := email.New(email.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: core.Log},
		email.Config{Listen: "127.0.0.1:0", Hostname: "mx.switchboard.test", MaxMessageBytes: 1 << 20, Relay: f.relay.Addr})
	if err != nil {
		t.Fatal(err)
	}
	f.twilio = twiliotest.New(t, map[string]string{twilioSID: twilioToken})
	allow, _ := netguard.ParseAllow("127.0.0.0/8")
	text, err := sms.New(sms.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: core.Log, HTTP: f.twilio.Client(),
		Guard: netguard.New(netguard.Options{Allow: allow}), Surveys: f.svc},
		sms.Config{PublicBaseURL: f.srv.URL, TwilioAPIBase: f.twilio.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []channel.Channel{wc, mail, text} {
		if err := core.Channels.Register(c); err != nil {
			t.Fatal(err)
		}
		if m, ok := c.(channel.Mounter); ok {
			m.Mount(mux)
		}
		if r, ok := c.(channel.Runner); ok {
			running.Go(func() { r.Run(ctx) })
		}
	}
	<-wc.Started()
	f.smtp = mail.Addr().String()
	t.Cleanup(mail.Close)

	stop, err := f.svc.Follow(core.Bus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	unsub, err := core.Bus.SubscribeEvents(func(ev event.Event) {
		select {
		case f.events <- ev:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unsub() })

	tn := storetest.NewTenant(t, db, "northwind")
	f.tenant = tn.ID
	f.widget = channel.Account{ID: ids.New(), TenantID: tn.ID, Channel: "webchat", Address: "wk_" + strings.ReplaceAll(ids.New(), "-", ""),
		Name: "Site", Settings: map[string]string{webchat.SettingAllowedOrigins: shopOrigin}}
	if err := db.CreateChannelAccount(ctx, f.widget, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Inbox.CreateAccount(ctx, inbox.Actor{TenantID: tn.ID}, channel.Account{Channel: "email", Address: supportMail, Name: "Northwind"}); err != nil {
		t.Fatal(err)
	}
	smsAcct := channel.Account{ID: ids.New(), TenantID: tn.ID, Channel: "sms", Address: bizNumber,
		Settings: map[string]string{sms.SettingProvider: "twilio", sms.SettingAccountSID: twilioSID, sms.SettingAuthToken: twilioToken}}
	if err := db.CreateChannelAccount(ctx, smsAcct, clk.Now()); err != nil {
		t.Fatal(err)
	}
	// Surveys by message go out a minute after the resolution.
	st := csat.DefaultSettings()
	st.DelaySeconds, st.Question = 60, "How did Northwind do? 1 (poor) to 5 (great)."
	if _, err := f.svc.PutSettings(ctx, tn.ID, st); err != nil {
		t.Fatal(err)
	}
	return f
}

// resolve resolves a conversation as an agent would.
func (f *fixture) resolve(t *testing.T, conv string) {
	t.Helper()
	if _, err := f.inbox.SetStatus(context.Background(), inbox.Actor{TenantID: f.tenant}, conv, "resolved"); err != nil {
		t.Fatal(err)
	}
}

// surveyOf waits for the conversation's survey to reach state.
func (f *fixture) surveyOf(t *testing.T, conv string, state csat.State) csat.Survey {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		v, err := f.db.SurveyOf(context.Background(), f.tenant, conv)
		if err == nil && v.State == state {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("survey of %s: %+v %v, want %s", conv, v, err, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answered waits for the csat.answered event of a conversation.
func (f *fixture) answered(t *testing.T, conv string) survey.Answered {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		select {
		case ev := <-f.events:
			var a survey.Answered
			if ev.Type == event.CSATAnswered && json.Unmarshal(ev.Data, &a) == nil && a.ConversationID == conv {
				if ev.TenantID != f.tenant {
					t.Fatalf("csat.answered in tenant %s", ev.TenantID)
				}
				return a
			}
		case <-deadline:
			t.Fatalf("no csat.answered for %s", conv)
		}
	}
}

// sendDue moves the clock past the delay and asks the surveys due.
func (f *fixture) sendDue(t *testing.T) int {
	t.Helper()
	f.clock.Advance(61 * time.Second)
	n, err := f.svc.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// textIn posts an incoming SMS to the center as Twilio does, signed.
func (f *fixture) textIn(t *testing.T, sid, from, body string) {
	t.Helper()
	form := url.Values{"SmsMessageSid": {sid}, "NumMedia": {"0"}, "SmsSid": {sid}, "SmsStatus": {"received"}, "Body": {body},
		"To": {bizNumber}, "NumSegments": {"1"}, "MessageSid": {sid}, "AccountSid": {twilioSID}, "From": {from}, "ApiVersion": {"2010-04-01"}}
	if status, _, b := twiliotest.PostSigned(t, f.srv.URL+"/channels/sms/twilio/inbound", twilioToken, form); status != http.StatusOK {
		t.Fatalf("inbound sms: %d %s", status, b)
	}
}

// widgetClient is the widget's side of its socket.
type widgetClient struct {
	t  *testing.T
	ws *websocket.Conn
}

type wframe struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id"`
	State          string `json:"state"`
	Question       string `json:"question"`
	Thanks         string `json:"thanks"`
	Rating         int    `json:"rating"`
	Code           string `json:"code"`
	Message        *struct {
		ConversationID string `json:"conversation_id"`
	} `json:"message"`
}

// visitor opens a widget session and its socket.
func (f *fixture) visitor(t *testing.T) (*widgetClient, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": "Ana"})
	req, _ := http.NewRequest("POST", f.srv.URL+"/channels/webchat/"+f.widget.Address+"/session", bytes.NewReader(body))
	req.Header.Set("Origin", shopOrigin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		VisitorToken string `json:"visitor_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != 200 {
		t.Fatalf("session: %s %v", resp.Status, err)
	}
	return f.dial(t, s.VisitorToken), s.VisitorToken
}

func (f *fixture) dial(t *testing.T, token string) *widgetClient {
	t.Helper()
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/channels/webchat/" + f.widget.Address + "/socket?token=" + url.QueryEscape(token)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {shopOrigin}}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &widgetClient{t: t, ws: ws}
}

func (c *widgetClient) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// until reads frames up to the first of type typ.
func (c *widgetClient) until(typ string) wframe {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			c.t.Fatalf("read (waiting for %s): %v", typ, err)
		}
		var fr wframe
		if err := json.Unmarshal(data, &fr); err != nil {
			c.t.Fatalf("frame %s: %v", data, err)
		}
		if fr.Type == typ {
			return fr
		}
	}
}
