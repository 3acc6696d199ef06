package sms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Numbers the fake Twilio treats specially, after Twilio's own test numbers.
const (
	invalidNumber      = "+15005550001" // 21211: not a valid phone number
	unsubscribedNumber = "+15005550004" // 21610: the recipient replied STOP at Twilio
	busyNumber         = "+15005550011" // 429: too many requests
	lostAnswerNumber   = "+15005550012" // the message is created, then the connection drops before the answer
)

// tinyJPEG is the media the fake Twilio serves as ME1.
var tinyJPEG = []byte("\xff\xd8\xff\xe0 a tiny jpeg")

// newFakeTwilio is Twilio for the channel's tests: the two tenants'
// accounts, one picture, and Twilio's test numbers answering as Twilio's do.
func newFakeTwilio(t *testing.T, accounts map[string]string) *twiliotest.Server {
	t.Helper()
	tw := twiliotest.New(t, accounts)
	tw.AddMedia("ME1", tinyJPEG)
	tw.FailTo(invalidNumber, twiliotest.Failure{Status: http.StatusBadRequest, Code: 21211, Message: "The 'To' number " + invalidNumber + " is not a valid phone number."})
	tw.FailTo(unsubscribedNumber, twiliotest.Failure{Status: http.StatusBadRequest, Code: 21610, Message: "Attempt to send to unsubscribed recipient"})
	tw.FailTo(busyNumber, twiliotest.Failure{Status: http.StatusTooManyRequests, Code: 20429, Message: "Too Many Requests"})
	tw.DropAnswerTo(lostAnswerNumber)
	return tw
}

// number is a tenant's SMS number with its Twilio credentials.
type number struct {
	tenantID, address, sid, token string
	acct                          channel.Account
}

type fixture struct {
	db       *store.DB
	svc      *inbox.Service
	ch       *sms.Channel
	clock    *clock.Fake
	twilio   *twiliotest.Server
	center   *httptest.Server // the center's channel routes, as Twilio reaches them
	finished <-chan *river.Event
	a, b     number
}

// newFixture is a center whose operator allowed loopback, where the fake
// Twilio and its media live.
func newFixture(t *testing.T, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	return newGuardedFixture(t, open, loopbackAllowed(t))
}

// loopbackAllowed is the outbound guard of an operator who allowed 127.0.0.0/8.
func loopbackAllowed(t *testing.T) *netguard.Guard {
	t.Helper()
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(netguard.Options{Allow: allow})
}

// newGuardedFixture is a center that fetches media through guard.
func newGuardedFixture(t *testing.T, open func(testing.TB) *store.DB, guard *netguard.Guard) *fixture {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	svc, reg, log, finished := core.Inbox, core.Channels, core.Log, core.Finished

	f := &fixture{db: db, svc: svc, clock: clk, finished: finished}
	f.twilio = newFakeTwilio(t, map[string]string{"ACaaaa": "token-of-a", "ACbbbb": "token-of-b"})
	mux := http.NewServeMux()
	f.center = httptest.NewServer(mux)
	t.Cleanup(f.center.Close)
	var err error
	f.ch, err = sms.New(sms.Deps{DB: db, Inbox: svc, Clock: clk, Log: log, HTTP: f.twilio.Client(), Guard: guard},
		sms.Config{PublicBaseURL: f.center.URL, TwilioAPIBase: f.twilio.URL})
	if err != nil {
		t.Fatal(err)
	}
	f.ch.Mount(mux)
	if err := reg.Register(f.ch); err != nil {
		t.Fatal(err)
	}
	f.a = f.addNumber(t, "acme-bank", "+15005550006", "ACaaaa", "token-of-a", map[string]string{sms.SettingHelpText: "Acme Bank help: call 0800 123 456. Reply STOP to opt out."})
	f.b = f.addNumber(t, "other-shop", "+15005550007", "ACbbbb", "token-of-b", nil)
	return f
}

func (f *fixture) addNumber(t *testing.T, slug, address, sid, token string, extra map[string]string) number {
	t.Helper()
	tn := storetest.NewTenant(t, f.db, slug)
	settings := map[string]string{sms.SettingProvider: "twilio", sms.SettingAccountSID: sid, sms.SettingAuthToken: token}
	for k, v := range extra {
		settings[k] = v
	}
	acct := channel.Account{ID: ids.New(), TenantID: tn.ID, Channel: "sms", Address: address, Settings: settings}
	if err := f.db.CreateChannelAccount(context.Background(), acct, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return number{tenantID: tn.ID, address: address, sid: sid, token: token, acct: acct}
}

// post sends a webhook to the center signed with token ("" for none) and
// returns the status, content type and body.
func (f *fixture) post(t *testing.T, path string, form url.Values, token string) (int, string, string) {
	t.Helper()
	return twiliotest.PostSigned(t, f.center.URL+path, token, form)
}

// waitJob waits for one delivery job to finish recording its outcome.
func (f *fixture) waitJob(t *testing.T) *river.Event {
	t.Helper()
	select {
	case ev := <-f.finished:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("delivery job did not finish")
	}
	return nil
}
