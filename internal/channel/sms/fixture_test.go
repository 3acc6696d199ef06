package sms_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
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

// fakeTwilio behaves like Twilio's REST API for what the channel uses: message
// creation with basic auth and Twilio's error bodies, and media that needs the
// account's credentials.
type fakeTwilio struct {
	srv      *httptest.Server
	accounts map[string]string // account SID → auth token
	media    map[string][]byte // media id → bytes (image/jpeg)

	mu      sync.Mutex
	sent    []url.Values
	created []time.Time // when each of sent was created
	calls   int
	fetches int
	lists   int
}

func newFakeTwilio(t *testing.T, accounts map[string]string) *fakeTwilio {
	t.Helper()
	f := &fakeTwilio{accounts: accounts, media: map[string][]byte{"ME1": []byte("\xff\xd8\xff\xe0 a tiny jpeg")}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", f.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages.json", f.list)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages/{msg}/Media/{media}", f.getMedia)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) authorised(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != r.PathValue("sid") || f.accounts[user] == "" || pass != f.accounts[user] {
		twilioErr(w, http.StatusUnauthorized, 20003, "Authenticate")
		return false
	}
	return true
}

func twilioErr(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func (f *fakeTwilio) create(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if !f.authorised(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioErr(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	switch to := r.PostForm.Get("To"); {
	case to == invalidNumber:
		twilioErr(w, http.StatusBadRequest, 21211, "The 'To' number "+to+" is not a valid phone number.")
		return
	case to == unsubscribedNumber:
		twilioErr(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	case to == busyNumber:
		twilioErr(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	case r.PostForm.Get("From") == "" && r.PostForm.Get("MessagingServiceSid") == "":
		twilioErr(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
		return
	}
	f.sent = append(f.sent, r.PostForm)
	f.created = append(f.created, time.Now())
	sid := fmt.Sprintf("SM%032d", len(f.sent))
	if r.PostForm.Get("To") == lostAnswerNumber {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close() // created, but the answer never arrives
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": sid, "account_sid": r.PathValue("sid"), "to": r.PostForm.Get("To"),
		"from": r.PostForm.Get("From"), "body": r.PostForm.Get("Body"), "status": "queued", "num_segments": "1"})
}

// list answers GET …/Messages.json as Twilio does: the account's messages,
// newest first, filtered by To and From, a page of PageSize with the next
// page's URI.
func (f *fakeTwilio) list(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if !f.authorised(w, r) {
		return
	}
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("PageSize"))
	if size <= 0 {
		size = 50
	}
	page, _ := strconv.Atoi(q.Get("Page"))
	var all []map[string]any
	for i := len(f.sent) - 1; i >= 0; i-- {
		m := f.sent[i]
		if (q.Has("To") && m.Get("To") != q.Get("To")) || (q.Has("From") && m.Get("From") != q.Get("From")) {
			continue
		}
		all = append(all, map[string]any{"sid": fmt.Sprintf("SM%032d", i+1), "to": m.Get("To"), "from": m.Get("From"),
			"body": m.Get("Body"), "direction": "outbound-api", "status": "sent",
			"date_created": f.created[i].UTC().Format(time.RFC1123Z), "messaging_service_sid": m.Get("MessagingServiceSid")})
	}
	from, to := min(page*size, len(all)), min((page+1)*size, len(all))
	next := any(nil)
	if to < len(all) {
		q.Set("Page", strconv.Itoa(page+1))
		next = r.URL.Path + "?" + q.Encode()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": all[from:to], "page": page, "page_size": size, "next_page_uri": next})
}

func (f *fakeTwilio) getMedia(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.fetches++
	f.mu.Unlock()
	if !f.authorised(w, r) {
		return
	}
	data, ok := f.media[r.PathValue("media")]
	if !ok {
		twilioErr(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(data)
}

func (f *fakeTwilio) mediaURL(sid, media string) string {
	return f.srv.URL + "/2010-04-01/Accounts/" + sid + "/Messages/MM1/Media/" + media
}

func (f *fakeTwilio) sentForms() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.sent...)
}

func (f *fakeTwilio) fetchCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches
}

func (f *fakeTwilio) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
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
	twilio   *fakeTwilio
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
	f.ch, err = sms.New(sms.Deps{DB: db, Inbox: svc, Clock: clk, Log: log, HTTP: f.twilio.srv.Client(), Guard: guard},
		sms.Config{PublicBaseURL: f.center.URL, TwilioAPIBase: f.twilio.srv.URL})
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

// signTwilio signs as Twilio documents it, written here apart from the code
// under test: the URL, then each parameter's name and value sorted by name,
// HMAC-SHA1 with the auth token, base64.
func signTwilio(token, fullURL string, form url.Values) string {
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	s := fullURL
	for _, k := range names {
		s += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// inboundForm is an incoming message as Twilio posts it.
func inboundForm(sid, accountSID, from, to, body string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {sid}, "NumMedia": {"0"}, "ToCity": {"SAN BRUNO"},
		"FromZip": {"94030"}, "SmsSid": {sid}, "FromState": {"CA"}, "SmsStatus": {"received"}, "FromCity": {"SAN BRUNO"},
		"Body": {body}, "FromCountry": {"US"}, "To": {to}, "ToZip": {"94030"}, "NumSegments": {"1"}, "MessageSid": {sid},
		"AccountSid": {accountSID}, "From": {from}, "ApiVersion": {"2010-04-01"},
	}
}

// statusForm is a status callback as Twilio posts it.
func statusForm(sid, accountSID, from, to, status string) url.Values {
	return url.Values{"SmsSid": {sid}, "SmsStatus": {status}, "MessageStatus": {status}, "To": {to}, "MessageSid": {sid},
		"AccountSid": {accountSID}, "From": {from}, "ApiVersion": {"2010-04-01"}}
}

// post sends a webhook to the center signed with token ("" for none) and
// returns the status, content type and body.
func (f *fixture) post(t *testing.T, path string, form url.Values, token string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.center.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	if token != "" {
		req.Header.Set("X-Twilio-Signature", signTwilio(token, f.center.URL+path, form))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
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
