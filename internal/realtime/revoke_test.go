package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/realtime"
)

// announce delivers an auth.changed event as the bus would: ephemeral, live only.
func (f *feed) announce(tenant string, ch event.AuthChange) {
	data, _ := json.Marshal(ch)
	ev := event.Event{ID: "auth", TenantID: tenant, Type: event.AuthChanged, Data: data}
	f.mu.Lock()
	hs := make([]func(event.Event), 0, len(f.handlers))
	for _, h := range f.handlers {
		hs = append(hs, h)
	}
	f.mu.Unlock()
	for _, h := range hs {
		h(ev)
	}
}

func wantClosed(t *testing.T, c *websocket.Conn, code websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		if ce := closeError(t, err); ce.Code != code {
			t.Fatalf("closed with %d %q, want %d", ce.Code, ce.Reason, code)
		}
		return
	}
}

func TestAuthChangeClosesNamedSockets(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f}, nil)
	dial := func(c realtime.TokenClaims) *websocket.Conn {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, th.urlAs(c, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ws.CloseNow() })
		return ws
	}
	s1 := dial(realtime.TokenClaims{TenantID: "t1", UserID: "ana", SessionID: "s1"})
	s2 := dial(realtime.TokenClaims{TenantID: "t1", UserID: "ana", SessionID: "s2"})
	ben := dial(realtime.TokenClaims{TenantID: "t1", UserID: "ben", SessionID: "s3"})
	other := dial(realtime.TokenClaims{TenantID: "t2", UserID: "ana", SessionID: "s4"}) // same id, another tenant

	f.announce("t1", event.AuthChange{UserID: "ana", SessionID: "s1", Reason: "signed out"})
	wantClosed(t, s1, websocket.StatusPolicyViolation)

	f.announce("t1", event.AuthChange{UserID: "ana", Reason: "user disabled"})
	wantClosed(t, s2, websocket.StatusPolicyViolation)

	// Ben and the other tenant's user still get events; nobody got the auth event.
	f.publish("t1", "after")
	f.publish("t2", "after")
	for name, c := range map[string]*websocket.Conn{"ben": ben, "other tenant": other} {
		if ev := readEvent(t, c); ev.Type == event.AuthChanged {
			t.Errorf("%s was sent the auth.changed event", name)
		}
	}
	if got := th.metric(t, "switchboard_realtime_revoked_disconnects_total"); got != 2 {
		t.Errorf("revoked disconnects = %v, want 2", got)
	}
}

// A socket whose auth.changed was lost on the bus still closes: it rechecks
// after every ping.
func TestRecheckClosesSocket(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, PingInterval: 20 * time.Millisecond}, nil)
	allowed := make(chan bool, 1)
	allowed <- true
	th.setRecheck(func(context.Context) error {
		ok := <-allowed
		allowed <- ok
		if !ok {
			return errors.New("session ended")
		}
		return nil
	})
	c := th.dial(t, "t1", 0)
	f.publish("t1", "one")
	readEvent(t, c)

	<-allowed
	allowed <- false
	wantClosed(t, c, websocket.StatusPolicyViolation)
}

// A client whose access ended while it connected is refused before the upgrade.
func TestRecheckRefusesAtConnect(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f}, nil)
	th.setRecheck(func(context.Context) error { return errors.New("user disabled") })
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	_, res, err := websocket.Dial(ctx, th.url("t1", 0), nil)
	if err == nil || res == nil || res.StatusCode != 401 {
		t.Fatalf("dial err = %v; want 401", err)
	}
}
