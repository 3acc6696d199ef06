package contextsrc_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/netguard"
)

const secret = "whsec_test-connector-secret"

// connector starts a real HTTP server answering context requests the way
// answer says; it checks every request's signature as a real system would.
func connector(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, req contextsrc.Request)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := contextsrc.ReadRequest(r, secret, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		answer(w, r, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func loopbackFetcher(t *testing.T, p contextsrc.BreakerPolicy) *contextsrc.Fetcher {
	t.Helper()
	allow, err := netguard.ParseAllow("127.0.0.0/8") // the test's servers, allowed as an operator would
	if err != nil {
		t.Fatal(err)
	}
	client := netguard.New(netguard.Options{Allow: allow}).Client(0)
	return contextsrc.NewFetcher(contextsrc.FetcherOptions{Client: func(string) *http.Client { return client }, Breaker: p})
}

var card = []contextsrc.Item{{Type: "card", Title: "Visa •••• 4242", Status: "blocked"}}

// TestFetchNamesWhatDidNotAnswer calls four real servers — one answering,
// one never answering, one failing, one signing its answer with another
// secret — and gets the good one's items and the others named.
func TestFetchNamesWhatDidNotAnswer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fast := connector(t, func(w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
		if req.Persona.ID != "p1" || len(req.Persona.Identifiers) != 1 {
			http.Error(w, "wrong persona", http.StatusBadRequest)
			return
		}
		contextsrc.WriteAnswer(w, secret, time.Now(), req, card)
	})
	slow := connector(t, func(w http.ResponseWriter, r *http.Request, req contextsrc.Request) {
		select { // answers only when the test is over, or the caller gives up
		case <-release:
		case <-r.Context().Done():
		}
	})
	failing := connector(t, func(w http.ResponseWriter, _ *http.Request, _ contextsrc.Request) {
		http.Error(w, "database down", http.StatusServiceUnavailable)
	})
	forged := connector(t, func(w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
		contextsrc.WriteAnswer(w, "whsec_someone-else", time.Now(), req, card)
	})
	cs := []contextsrc.Connector{
		{ID: "c1", TenantID: "t1", Name: "cards", URL: fast, Secret: secret, Budget: 5 * time.Second, CacheTTL: time.Minute},
		{ID: "c2", TenantID: "t1", Name: "billing", URL: slow, Secret: secret, Budget: 200 * time.Millisecond},
		{ID: "c3", TenantID: "t1", Name: "orders", URL: failing, Secret: secret, Budget: 5 * time.Second},
		{ID: "c4", TenantID: "t1", Name: "loans", URL: forged, Secret: secret, Budget: 5 * time.Second},
	}
	f := loopbackFetcher(t, contextsrc.BreakerPolicy{Failures: 2, Cooldown: time.Hour})
	p := contextsrc.Persona{ID: "p1", Name: "Zoë", Identifiers: []contextsrc.Identifier{{Kind: "email", Value: "zoe@example.com", Verified: true}}}
	start := time.Now()
	rs := f.Fetch(context.Background(), p, cs)
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Fetch took %s: the slow system held the others past its budget", took)
	}
	want := []contextsrc.Status{contextsrc.StatusOK, contextsrc.StatusTimeout, contextsrc.StatusError, contextsrc.StatusBadSignature}
	for i, r := range rs {
		if r.Status != want[i] || r.Name != cs[i].Name {
			t.Errorf("%s: %s (%s), want %s", cs[i].Name, r.Status, r.Error, want[i])
		}
	}
	if len(rs[0].Items) != 1 || rs[0].Items[0].Title != card[0].Title {
		t.Errorf("cards' items: %+v", rs[0].Items)
	}
	if rs[2].HTTPStatus != 503 || !strings.Contains(rs[2].Error, "503") {
		t.Errorf("failing: %d %q", rs[2].HTTPStatus, rs[2].Error)
	}
	for _, r := range rs[1:] {
		if len(r.Items) != 0 || strings.Contains(r.Error, secret) {
			t.Errorf("%s: items %v or the secret in %q", r.Name, r.Items, r.Error)
		}
	}

	// Again: the good answer comes from the cache; the three failing ones
	// reach their second failure in a row, which opens their breakers.
	rs = f.Fetch(context.Background(), p, cs)
	if rs[0].Status != contextsrc.StatusCached || len(rs[0].Items) != 1 {
		t.Errorf("second fetch of cards: %s, want cached", rs[0].Status)
	}
	rs = f.Fetch(context.Background(), p, cs)
	for i, r := range rs[1:] {
		if r.Status != contextsrc.StatusOpenCircuit || r.Called {
			t.Errorf("third fetch of %s: %s, want open_circuit without a call", cs[i+1].Name, r.Status)
		}
		if s := f.BreakerState("t1", cs[i+1].ID); s != contextsrc.Open {
			t.Errorf("%s breaker: %s", cs[i+1].Name, s)
		}
	}
	// The test button calls anyway, and Forget gives a fixed system a fresh start.
	if r := f.Call(context.Background(), p, cs[2]); r.Status != contextsrc.StatusError || !r.Called {
		t.Errorf("test call through an open breaker: %+v", r)
	}
	f.Forget("t1", "c3")
	if s := f.BreakerState("t1", "c3"); s != contextsrc.Closed {
		t.Errorf("after Forget: %s", s)
	}
}

// TestFetchGoesThroughTheGuard: without the operator's allowance, a
// connector on loopback is refused by netguard, not called.
func TestFetchGoesThroughTheGuard(t *testing.T) {
	called := false
	url := connector(t, func(w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
		called = true
		contextsrc.WriteAnswer(w, secret, time.Now(), req, card)
	})
	client := netguard.New(netguard.Options{}).Client(0)
	f := contextsrc.NewFetcher(contextsrc.FetcherOptions{Client: func(string) *http.Client { return client }})
	r := f.Call(context.Background(), contextsrc.Persona{ID: "p1"}, contextsrc.Connector{ID: "c1", TenantID: "t1", Name: "x", URL: url, Secret: secret})
	if r.Status != contextsrc.StatusError || !strings.Contains(r.Error, "loopback") || called {
		t.Errorf("loopback connector: %s %q called=%v", r.Status, r.Error, called)
	}
}
