package call_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// step is one thing that happens to a call, s seconds after it started.
type step struct {
	s    int
	do   string // offer, lapse, accept, up-customer, up-agent, hold, resume, mute, unmute, transfer, end-customer, end-agent, end-system
	arg  string
	want call.State
	ev   string // the event it produces ("" for none)
	err  bool
}

func run(t *testing.T, c *call.Call, st step) ([]call.Event, error) {
	t.Helper()
	now := t0.Add(time.Duration(st.s) * time.Second)
	switch st.do {
	case "offer":
		return c.Offered(st.arg, now)
	case "lapse":
		return c.OfferLapsed(now)
	case "accept":
		return c.Accepted(st.arg, now)
	case "up-customer":
		return c.LegUp(call.Customer, now)
	case "up-agent":
		return c.LegUp(call.Agent, now)
	case "hold":
		return c.HoldOn(now)
	case "resume":
		return c.Resume(now)
	case "mute":
		return c.Mute(true, now)
	case "unmute":
		return c.Mute(false, now)
	case "transfer":
		return c.Transfer(st.arg, now)
	case "end-customer":
		return c.End(st.arg, call.Customer, now)
	case "end-agent":
		return c.End(st.arg, call.Agent, now)
	case "end-system":
		return c.End(st.arg, call.System, now)
	}
	t.Fatalf("unknown step %q", st.do)
	return nil, nil
}

func TestCallLifecycles(t *testing.T) {
	tests := []struct {
		name   string
		steps  []step
		reason string
		by     call.Party
		agent  string
		ring   int
		talk   int
		hold   int
	}{
		{name: "answered, held, hung up by the agent", steps: []step{
			{s: 2, do: "up-customer", want: call.Queued},
			{s: 3, do: "offer", arg: "ana", want: call.Ringing, ev: call.EvRinging},
			{s: 8, do: "accept", arg: "ana", want: call.Connecting, ev: call.EvAnswered},
			{s: 9, do: "up-agent", want: call.Active, ev: call.EvConnected},
			{s: 30, do: "hold", want: call.Held, ev: call.EvHeld},
			{s: 30, do: "hold", want: call.Held, err: true},
			{s: 45, do: "resume", want: call.Active, ev: call.EvResumed},
			{s: 50, do: "mute", want: call.Active, ev: call.EvMuted},
			{s: 51, do: "mute", want: call.Active},
			{s: 52, do: "unmute", want: call.Active, ev: call.EvUnmuted},
			{s: 100, do: "end-agent", arg: call.ReasonHangup, want: call.Ended, ev: call.EvEnded},
			{s: 101, do: "hold", want: call.Ended, err: true},
			{s: 101, do: "end-customer", arg: call.ReasonHangup, want: call.Ended, err: true},
		}, reason: call.ReasonHangup, by: call.Agent, agent: "ana", ring: 8, talk: 77, hold: 15},
		{name: "cancelled while ringing", steps: []step{
			{s: 1, do: "offer", arg: "ana", want: call.Ringing, ev: call.EvRinging},
			{s: 31, do: "lapse", want: call.Queued, ev: call.EvQueued},
			{s: 32, do: "offer", arg: "ben", want: call.Ringing, ev: call.EvRinging},
			{s: 40, do: "end-customer", arg: call.ReasonHangup, want: call.Ended, ev: call.EvEnded},
		}, reason: call.ReasonCancelled, by: call.Customer, ring: 40},
		{name: "transferred to a second agent while held", steps: []step{
			{s: 0, do: "up-customer", want: call.Queued},
			{s: 0, do: "accept", arg: "ana", want: call.Connecting, ev: call.EvAnswered},
			{s: 2, do: "hold", want: call.Connecting, err: true},
			{s: 2, do: "up-agent", want: call.Active, ev: call.EvConnected},
			{s: 10, do: "hold", want: call.Held, ev: call.EvHeld},
			{s: 20, do: "transfer", arg: "ben", want: call.Transferring, ev: call.EvTransferred},
			{s: 25, do: "offer", arg: "ben", want: call.Transferring, ev: call.EvRinging},
			{s: 30, do: "accept", arg: "ben", want: call.Connecting, ev: call.EvAnswered},
			{s: 31, do: "up-agent", want: call.Active, ev: call.EvConnected},
			{s: 60, do: "end-customer", arg: call.ReasonHangup, want: call.Ended, ev: call.EvEnded},
		}, reason: call.ReasonHangup, by: call.Customer, agent: "ben", ring: 0, talk: 39, hold: 21},
		{name: "the agent's browser closes", steps: []step{
			{s: 0, do: "accept", arg: "ana", want: call.Connecting, ev: call.EvAnswered},
			{s: 1, do: "up-agent", want: call.Connecting},
			{s: 2, do: "up-customer", want: call.Active, ev: call.EvConnected},
			{s: 12, do: "end-system", arg: call.ReasonAgentDisconnected, want: call.Ended, ev: call.EvEnded},
		}, reason: call.ReasonAgentDisconnected, by: call.System, agent: "ana", talk: 12},
		{name: "a leg before an agent is refused", steps: []step{
			{s: 0, do: "up-agent", want: call.Queued, err: true},
			{s: 1, do: "resume", want: call.Queued, err: true},
			{s: 1, do: "transfer", arg: "ben", want: call.Queued, err: true},
			{s: 1, do: "lapse", want: call.Queued, err: true},
			{s: 5, do: "end-system", arg: call.ReasonConversation, want: call.Ended, ev: call.EvEnded},
		}, reason: call.ReasonConversation, by: call.System, ring: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, evs, err := call.New("c1", "t1", "conv1", call.Audio, call.Customer, t0)
			if err != nil || len(evs) != 1 || evs[0].Type != call.EvStarted || c.State != call.Queued {
				t.Fatalf("New: %v %+v %s", err, evs, c.State)
			}
			for i, st := range tt.steps {
				evs, err := run(t, c, st)
				if st.err != (err != nil) {
					t.Fatalf("step %d %s: err %v, want error %v", i, st.do, err, st.err)
				}
				if err != nil && !errors.Is(err, call.ErrState) {
					t.Fatalf("step %d %s: %v is not ErrState", i, st.do, err)
				}
				if c.State != st.want {
					t.Fatalf("step %d %s: state %s, want %s", i, st.do, c.State, st.want)
				}
				got := ""
				if len(evs) > 0 {
					got = evs[0].Type
				}
				if got != st.ev || len(evs) > 1 {
					t.Fatalf("step %d %s: events %+v, want %q", i, st.do, evs, st.ev)
				}
			}
			if c.EndedReason != tt.reason || c.HungUpBy != tt.by || c.AgentID != tt.agent {
				t.Fatalf("ended %q by %q agent %q, want %q by %q agent %q", c.EndedReason, c.HungUpBy, c.AgentID,
					tt.reason, tt.by, tt.agent)
			}
			d := c.Durations(t0.Add(time.Hour)) // ended: the end counts, not now
			want := call.Durations{Ring: sec(tt.ring), Talk: sec(tt.talk), Hold: sec(tt.hold)}
			if d != want {
				t.Fatalf("durations %+v, want %+v", d, want)
			}
		})
	}
}

func sec(n int) time.Duration { return time.Duration(n) * time.Second }

func TestDurationsWhileLive(t *testing.T) {
	c, _, _ := call.New("c1", "t1", "conv1", call.Video, call.Agent, t0)
	if _, err := c.Accepted("ana", t0.Add(4*time.Second)); err != nil {
		t.Fatal(err)
	}
	c.LegUp(call.Customer, t0.Add(5*time.Second))
	c.LegUp(call.Agent, t0.Add(5*time.Second))
	c.HoldOn(t0.Add(10 * time.Second))
	d := c.Durations(t0.Add(16 * time.Second))
	if want := (call.Durations{Ring: sec(4), Talk: sec(6), Hold: sec(6)}); d != want {
		t.Fatalf("durations %+v, want %+v", d, want)
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	if _, _, err := call.New("c", "t", "v", "smell", call.Customer, t0); err == nil {
		t.Fatal("a call of smell was accepted")
	}
	if _, _, err := call.New("c", "t", "v", call.Audio, call.System, t0); err == nil {
		t.Fatal("a call started by the system was accepted")
	}
	if _, err := (&call.Call{State: call.Queued}).Accepted("", t0); err == nil {
		t.Fatal("accepted by nobody")
	}
}
