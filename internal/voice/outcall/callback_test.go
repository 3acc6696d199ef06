package outcall_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/outcall"
	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// session is a signed-in user's HTTP client.
type session struct {
	t    *testing.T
	url  string
	http *http.Client
}

func (c *center) signIn(t *testing.T, email string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{t: t, url: c.url, http: &http.Client{Jar: jar}}
	s.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": email, "password": "outcall-test-password-1"}, nil, 200)
	return s
}

func (s *session) do(method, path string, body, out any, want int) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatal(err)
		}
	}
}

// takeCallback makes an available agent who takes voice in the queue,
// requests a callback to number, and has her accept its offer; it returns
// her and the callback.
func (c *center) takeCallback(t *testing.T, number string) (dispatch.Actor, string) {
	t.Helper()
	ctx := context.Background()
	u, err := c.app.Accounts.CreateUser(ctx, accounts.Actor{TenantID: c.tenant, Type: "system"},
		accounts.NewUser{Email: "ana@northwind.example", Name: "Ana", Role: tenant.RoleAgent, Password: "outcall-test-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	sys := dispatch.Actor{TenantID: c.tenant}
	if _, err := c.app.Dispatch.SaveAgentProfile(ctx, sys, u.ID, dispatch.AgentProfile{Queues: []string{c.queue},
		Capacity: map[string]int{"voice": 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.app.Accounts.SetPresence(ctx, c.tenant, u.ID, tenant.PresenceAvailable); err != nil {
		t.Fatal(err)
	}
	cb, err := c.app.Dispatch.RequestCallback(ctx, sys, dispatch.CallbackRequest{Phone: number})
	if err != nil {
		t.Fatal(err)
	}
	agent := dispatch.Actor{TenantID: c.tenant, UserID: u.ID}
	deadline := time.Now().Add(wait)
	for {
		offers, err := c.app.Dispatch.Offers(ctx, c.tenant, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(offers) == 1 {
			if err := c.app.Dispatch.Accept(ctx, agent, offers[0].ID); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the callback was not offered to the agent")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for {
		if h, err := c.app.Dispatch.CallbackHolder(ctx, c.tenant, cb.ID); err == nil && h == u.ID {
			return agent, cb.ID
		}
		if time.Now().After(deadline) {
			t.Fatal("the agent does not hold the callback")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCallbackDialsAgentFirst: an agent takes a callback and dials it over
// the API (the admin, who does not hold it, may not); her browser (a Pion
// peer sending 1 kHz) joins first and hears ring-back while baresip
// rings; baresip answers and sends 700 Hz: the agent hears it and baresip
// records her 1 kHz; the attempt is answered and the callback done;
// baresip hangs up and the call ends "the customer hung up".
func TestCallbackDialsAgentFirst(t *testing.T) {
	c := newCenter(t)
	const number = "+15550126"
	phone := baresiptest.Start(t, baresiptest.Options{User: number, Manual: true, SineHz: 700})
	c.trunk(t, phone)
	agent, cbID := c.takeCallback(t, number)

	// The admin does not hold it: she may not dial it.
	peer, offer := newAgentPeer(t, 1000)
	path := "/api/v1/callbacks/" + cbID + "/call"
	c.signIn(t, "admin@northwind.example").do("POST", path, map[string]string{"sdp": offer}, nil, http.StatusConflict)
	// Ana dials it over the API, as her desktop would.
	ana := c.signIn(t, "ana@northwind.example")
	var dialled struct {
		Call outcall.CallbackCall `json:"call"`
		SDP  string               `json:"sdp"`
	}
	ana.do("POST", path, map[string]string{"sdp": offer}, &dialled, http.StatusCreated)
	call, answer := dialled.Call, dialled.SDP
	if agent.UserID == "" || call.State != outcall.CallbackConnecting {
		t.Fatalf("dialled %+v", call)
	}
	peer.answer(t, answer)
	phone.WaitEvent("CALL_INCOMING")
	peer.hears(t, 425) // ring-back, before the customer answers
	if got, _ := c.caller.CallbackCall(c.tenant, cbID); got.State != outcall.CallbackRinging {
		t.Fatalf("while baresip rings the call is %+v", got)
	}
	if err := phone.Accept(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_ESTABLISHED")
	peer.hears(t, 700) // the customer
	time.Sleep(1500 * time.Millisecond)
	if err := phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ended, err := c.caller.WaitCallback(ctx, c.tenant, cbID)
	if err != nil {
		t.Fatal(err)
	}
	if ended.ID != call.ID || ended.Reason != outcall.ReasonCustomerHungUp || ended.Outcome != "answered" || ended.AnsweredAt.IsZero() {
		t.Fatalf("ended %+v", ended)
	}
	cb, err := c.app.Dispatch.Callback(ctx, c.tenant, cbID)
	if err != nil {
		t.Fatal(err)
	}
	if cb.State != dispatch.CallbackDone || cb.Outcome != "answered" || len(cb.Attempts) != 1 {
		t.Fatalf("callback %+v", cb)
	}
	st := baresiptest.Stats(t, phone.Recording())
	if st.RMS < 0.05 || math.Abs(st.Freq-1000) > 50 {
		t.Fatalf("baresip heard rms %.3f at %.0f Hz; want the agent's 1000 Hz", st.RMS, st.Freq)
	}
	ana.do("POST", path+"/hangup", nil, nil, http.StatusConflict) // no call going any more
}

// TestCallbackAgentEndsAnsweredCall: once the customer answered, the
// agent's hold on the callback is over (the attempt is recorded), yet she is
// still the call's agent: her Hang up ends it for baresip too. And her
// browser going away (its peer connection closed) ends the call as hers
// gone, within the grace, rather than leaving it up.
func TestCallbackAgentEndsAnsweredCall(t *testing.T) {
	for i, end := range []string{"hang up", "browser gone"} {
		t.Run(end, func(t *testing.T) {
			c := newCenter(t)
			number := "+1555012" + string(rune('7'+i))
			phone := baresiptest.Start(t, baresiptest.Options{User: number, SineHz: 700}) // answers by itself
			c.trunk(t, phone)
			_, cbID := c.takeCallback(t, number)
			ana := c.signIn(t, "ana@northwind.example")
			peer, offer := newAgentPeer(t, 1000)
			path := "/api/v1/callbacks/" + cbID + "/call"
			var dialled struct {
				SDP string `json:"sdp"`
			}
			ana.do("POST", path, map[string]string{"sdp": offer}, &dialled, http.StatusCreated)
			peer.answer(t, dialled.SDP)
			phone.WaitEvent("CALL_ESTABLISHED")
			peer.hears(t, 700)
			want := outcall.ReasonAgentHungUp
			if end == "hang up" {
				ana.do("POST", path+"/hangup", nil, nil, http.StatusNoContent)
			} else {
				want = outcall.ReasonAgentGone
				peer.close()
			}
			phone.WaitEvent("CALL_CLOSED")
			ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
			defer cancel()
			ended, err := c.caller.WaitCallback(ctx, c.tenant, cbID)
			if err != nil {
				t.Fatal(err)
			}
			if ended.Reason != want || ended.Outcome != "answered" {
				t.Fatalf("ended %+v, want reason %q", ended, want)
			}
		})
	}
}

// TestCallbackNotAnsweredGoesBack: nobody answers; the attempt is recorded
// no_answer and the callback waits in its queue for the next attempt.
func TestCallbackNotAnsweredGoesBack(t *testing.T) {
	c := newCenter(t)
	const number = "+15550127"
	phone := baresiptest.Start(t, baresiptest.Options{User: number, Manual: true})
	c.trunk(t, phone)
	agent, cbID := c.takeCallback(t, number)
	peer, offer := newAgentPeer(t, 1000)
	_, answer, err := c.caller.DialCallback(context.Background(), agent, cbID, offer)
	if err != nil {
		t.Fatal(err)
	}
	peer.answer(t, answer)
	phone.WaitEvent("CALL_INCOMING")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ended, err := c.caller.WaitCallback(ctx, c.tenant, cbID)
	if err != nil {
		t.Fatal(err)
	}
	if ended.Reason != outcall.ReasonNoAnswer || ended.Outcome != "no_answer" {
		t.Fatalf("ended %+v", ended)
	}
	cb, err := c.app.Dispatch.Callback(ctx, c.tenant, cbID)
	if err != nil {
		t.Fatal(err)
	}
	if cb.State == dispatch.CallbackDone || len(cb.Attempts) != 1 || cb.Attempts[0].Outcome != "no_answer" {
		t.Fatalf("callback %+v", cb)
	}
}
