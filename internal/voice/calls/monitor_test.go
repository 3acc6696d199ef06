package calls_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
)

// tone is the amplitude of freq in the last half second the peer heard
// (Goertzel), and how many samples there were.
func (p *peer) tone(freq float64) (amp float64, n int) {
	p.mu.Lock()
	s := append([]int16(nil), p.heard...)
	p.mu.Unlock()
	if len(s) < 4000 {
		return 0, len(s)
	}
	s = s[len(s)-4000:]
	w := 2 * math.Pi * freq / 8000
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * math.Sqrt(math.Max(power, 0)) / float64(len(s)), len(s)
}

// hearsTones waits until every freq is in what the peer heard (each at an
// amplitude over 1,500 of the 8,000 played) and every absent one is not
// (under 300).
func (p *peer) hearsTones(t testing.TB, who string, present, absent []float64) {
	t.Helper()
	deadline := time.Now().Add(wait)
	var last []string
	for time.Now().Before(deadline) {
		ok := true
		last = last[:0]
		for _, f := range present {
			a, n := p.tone(f)
			last = append(last, ftoa(f)+" Hz at "+ftoa(a))
			ok = ok && n >= 4000 && a > 1500
		}
		for _, f := range absent {
			a, n := p.tone(f)
			last = append(last, ftoa(f)+" Hz at "+ftoa(a))
			ok = ok && n >= 4000 && a < 300
		}
		if ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: want %v heard and %v not within %s; last half second: %s", who, present, absent, wait, strings.Join(last, ", "))
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }

// TestSupervisorMonitorsACall: a live call between the customer (440 Hz)
// and an agent (1 kHz); an agent may not monitor it; the admin listens
// (hears both, neither hears her 2 kHz), whispers (the agent hears her, the
// customer does not), barges (both hear her) — one leg all along — and
// leaves, and the call goes on. The call's events and the agents' timeline
// record it; the customer's view of the conversation does not.
func TestSupervisorMonitorsACall(t *testing.T) {
	c := newCenter(t)
	c.admin.feed()
	cust, conv := c.customer(t)
	cust.send(map[string]any{"type": "call.start", "media": "audio"})
	callID := cust.state("queued", "ringing")["call_id"].(string)
	customer := dial(t, cust, callID, 440)
	agent, ring := firstRung(t, callID, c.ana, c.ben)
	other := c.ben
	if agent == c.ben {
		other = c.ana
	}
	agent.do("POST", "/api/v1/offers/"+ring["offer_id"].(string)+"/accept", nil, nil, 204)
	agent.sig.state("connecting")
	desk := dial(t, agent.sig, callID, 1000)
	cust.state("active")
	customer.hears(t, "customer", 1000)
	desk.hears(t, agent.user.Name, 440)

	// Agents may not; bad modes are named.
	other.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "listen"}, nil, 403)
	c.admin.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "eavesdrop"}, nil, 400)

	var mv map[string]any
	c.admin.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "listen"}, &mv, 200)
	if mv["mode"] != "listen" || mv["agent_id"] != agent.user.ID {
		t.Fatalf("monitor: %v", mv)
	}
	if f := c.admin.sig.monitorFrame("monitoring"); f["mode"] != "listen" {
		t.Fatalf("call.monitor: %v", f)
	}
	sup := dial(t, c.admin.sig, callID, 2000)
	sup.hearsTones(t, "supervisor listening", []float64{440, 1000}, nil)
	desk.forget()
	customer.forget()
	desk.hearsTones(t, agent.user.Name+" while listened to", []float64{440}, []float64{2000})
	customer.hearsTones(t, "customer while listened to", []float64{1000}, []float64{2000})

	// The wall lists the live call with her mode; an agent may not list.
	var wall struct {
		Items []struct {
			ID, Monitor string
		}
	}
	c.admin.do("GET", "/api/v1/calls", nil, &wall, 200)
	if len(wall.Items) != 1 || wall.Items[0].ID != callID || wall.Items[0].Monitor != "listen" {
		t.Fatalf("the wall's live calls: %+v", wall.Items)
	}
	other.do("GET", "/api/v1/calls", nil, nil, 403)

	// Another tenant's admin: the call does not exist for her.
	const pw = "calls-test-password-2"
	_, foreign, err := c.n.app.Accounts.CreateTenant(context.Background(), "calls-other", "Other", false,
		accounts.NewUser{Email: "admin@other.example", Name: "Olga", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	olga := c.n.agent(t, "calls-other", "admin@other.example", pw, foreign)
	olga.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "listen"}, nil, 404)
	olga.do("DELETE", "/api/v1/calls/"+callID+"/monitor", nil, nil, 404)
	var theirs struct{ Items []any }
	olga.do("GET", "/api/v1/calls", nil, &theirs, 200)
	if len(theirs.Items) != 0 {
		t.Fatalf("another tenant's wall lists %d calls", len(theirs.Items))
	}

	c.admin.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "whisper"}, &mv, 200)
	desk.hearsTones(t, agent.user.Name+" whispered to", []float64{440, 2000}, nil)
	customer.forget()
	customer.hearsTones(t, "customer during a whisper", []float64{1000}, []float64{2000})

	c.admin.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "barge"}, &mv, 200)
	customer.hearsTones(t, "customer barged into", []float64{1000, 2000}, nil)
	desk.hearsTones(t, agent.user.Name+" barged into", []float64{440, 2000}, nil)
	sup.hearsTones(t, "supervisor barging", []float64{440, 1000}, nil)
	if mv["connected"] != true {
		t.Fatalf("her leg was not up when she changed mode: %v", mv)
	}

	c.admin.do("DELETE", "/api/v1/calls/"+callID+"/monitor", nil, nil, 204)
	if f := c.admin.sig.monitorFrame("ended"); f["reason"] != "left" {
		t.Fatalf("call.monitor after leaving: %v", f)
	}
	customer.forget()
	desk.forget()
	customer.hearsTones(t, "customer after the supervisor left", []float64{1000}, []float64{2000})
	desk.hearsTones(t, agent.user.Name+" after the supervisor left", []float64{440}, []float64{2000})
	var v map[string]any
	c.admin.do("GET", "/api/v1/calls/"+callID, nil, &v, 200)
	if v["state"] != "active" {
		t.Fatalf("the call after the supervisor left: %v", v["state"])
	}
	var modes []string
	for _, e := range v["events"].([]any) {
		ev := e.(map[string]any)
		if ev["type"] == "monitored" {
			if ev["agent_id"] != c.admin.user.ID || ev["by"] != "supervisor" {
				t.Fatalf("monitoring event %v", ev)
			}
			modes = append(modes, ev["detail"].(string))
		}
	}
	if strings.Join(modes, ",") != "listen,whisper,barge" {
		t.Fatalf("the call's monitoring events: %v", modes)
	}

	// The agents' timeline says who monitored and how, as system items; the
	// customer's widget history shows none of it.
	var msgs struct {
		Items []struct{ Body, Kind string }
	}
	c.admin.do("GET", "/api/v1/conversations/"+conv+"/messages", nil, &msgs, 200)
	var seen []string
	for _, m := range msgs.Items {
		if strings.Contains(m.Body, "Admin") {
			if m.Kind != "system" {
				t.Fatalf("a monitoring item of kind %s: %q", m.Kind, m.Body)
			}
			seen = append(seen, m.Body)
		}
	}
	all := strings.Join(seen, "\n")
	for _, want := range []string{"Admin listens", "Admin whispers to the agent", "Admin joined the call (barge)", "Admin stopped monitoring"} {
		if !strings.Contains(all, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, all)
		}
	}

	// Monitoring again, then the call ends: she is told, her leg closes.
	c.admin.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "listen"}, nil, 200)
	c.admin.sig.monitorFrame("monitoring")
	agent.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "listen"}, nil, 403)
	agent.do("POST", "/api/v1/calls/"+callID+"/hangup", nil, nil, 200)
	if f := c.admin.sig.monitorFrame("ended"); f["reason"] != "call_ended" {
		t.Fatalf("call.monitor when the call ended: %v", f)
	}
	c.admin.do("POST", "/api/v1/calls/"+callID+"/monitor", map[string]string{"mode": "listen"}, nil, 409)
}

// monitorFrame waits for the next call.monitor in the state, skipping others.
func (s *signal) monitorFrame(state string) map[string]any {
	s.t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatalf("%s: socket closed waiting for call.monitor", s.who)
			}
			if f["type"] == "call.error" {
				s.t.Fatalf("%s: call.error %v", s.who, f)
			}
			if f["type"] == "call.monitor" && f["state"] == state {
				return f
			}
		case <-timeout:
			s.t.Fatalf("%s: no call.monitor within %s", s.who, wait)
		}
	}
}
