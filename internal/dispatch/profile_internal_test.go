package dispatch

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// A profile saved while the user was an agent routes nothing once their
// role is expert: experts take no conversations (ADR 0032). An agent's
// saved profile is theirs.
func TestProfileOfAnExpertRoutesNothing(t *testing.T) {
	saved := json.RawMessage(`{"queues":["q1"],"capacity":{"chat":3},"skills":{"cards":4}}`)
	p, err := profileOf(store.AgentRouting{UserID: "u1", Role: "expert", Config: saved})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Queues) != 0 || len(p.Capacity) != 0 {
		t.Errorf("an expert's profile serves %v with capacity %v, want nothing", p.Queues, p.Capacity)
	}
	p, err = profileOf(store.AgentRouting{UserID: "u2", Role: "agent", Config: saved})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Queues) != 1 || p.Capacity["chat"] != 3 || p.Default {
		t.Errorf("an agent's saved profile: %+v", p)
	}
}
