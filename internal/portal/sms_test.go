package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// twilio answers Twilio's message-creation API, as far as sending needs it,
// and keeps what was sent.
type twilio struct {
	srv *httptest.Server
	mu  sync.Mutex
	// sent are the forms posted, in order.
	sent []url.Values
}

func newTwilio(t *testing.T, sid, token string) *twilio {
	t.Helper()
	tw := &twilio{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != sid || p != token || r.PathValue("sid") != sid {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		tw.mu.Lock()
		tw.sent = append(tw.sent, r.PostForm)
		n := len(tw.sent)
		tw.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032d", n), "status": "queued"})
	})
	tw.srv = httptest.NewServer(mux)
	t.Cleanup(tw.srv.Close)
	return tw
}

func (tw *twilio) messages() []url.Values {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return append([]url.Values(nil), tw.sent...)
}

var smsCodeRE = regexp.MustCompile(`^(\d{6}) is your sign-in code`)

func TestSignInByPhone(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		tw := newTwilio(t, "ACshop", "token-of-shop")
		ch, err := sms.New(sms.Deps{DB: db, Inbox: f.core.Inbox, Clock: f.clk, Log: f.core.Log, HTTP: tw.srv.Client()},
			sms.Config{TwilioAPIBase: tw.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.core.Channels.Register(ch); err != nil {
			t.Fatal(err)
		}
		// Only the shop knows Ana's phone; the bank has a number too, but not her.
		for _, a := range []channel.Account{
			{ID: ids.New(), TenantID: f.shop.ID, Channel: "sms", Address: "+15005550006"},
			{ID: ids.New(), TenantID: f.bank.ID, Channel: "sms", Address: "+15005550007"},
		} {
			a.Settings = map[string]string{sms.SettingProvider: "twilio", sms.SettingAccountSID: "ACshop", sms.SettingAuthToken: "token-of-shop"}
			if err := db.CreateChannelAccount(ctx, a, f.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}

		if err := f.portal.StartSignIn(ctx, "+49 (151) 1234-5678"); err != nil {
			t.Fatal(err)
		}
		if err := f.portal.StartSignIn(ctx, "+49 151 0000 0000"); err != nil { // nobody's: same answer, no text
			t.Fatal(err)
		}
		f.portal.Flush()
		sent := tw.messages()
		if len(sent) != 1 || sent[0].Get("To") != "+4915112345678" || sent[0].Get("From") != "+15005550006" {
			t.Fatalf("texts sent: %v", sent)
		}
		m := smsCodeRE.FindStringSubmatch(sent[0].Get("Body"))
		if m == nil {
			t.Fatalf("no code in %q", sent[0].Get("Body"))
		}
		_, s, err := f.portal.VerifyCode(ctx, "+4915112345678", m[1])
		if err != nil {
			t.Fatal(err)
		}
		if s.Identifier != "phone:+4915112345678" {
			t.Fatalf("session %+v", s)
		}
		got, err := f.portal.Businesses(ctx, s)
		if err != nil || len(got) != 1 || got[0].PersonaID != f.anaShop.ID {
			t.Fatalf("businesses by phone: %+v, %v", got, err)
		}
		convID, err := f.portal.Contact(ctx, s, f.shop.ID, "Is my order ready?", "")
		if err != nil {
			t.Fatal(err)
		}
		if c, err := db.Conversation(ctx, f.shop.ID, convID); err != nil || c.PersonaID != f.anaShop.ID {
			t.Fatalf("conversation %+v, %v", c, err)
		}
	})
}
