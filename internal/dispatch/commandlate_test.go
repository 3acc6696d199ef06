package dispatch_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// An accept that reaches the leader after its sender stopped waiting (the
// sender answered the agent 503, "routing is changing nodes") is left
// undone: the offer stays open and the conversation unassigned, so the
// agent told to try again is not assigned behind their back — nor is the
// conversation re-offered to a second agent whose accept then also counts.
// On time, the same accept goes through. PostgreSQL and the NATS server.
func TestLateCommandIsNotDone(t *testing.T) {
	f := newFixture(t, storetest.OpenPostgres)
	n := f.start(t, externalBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	c := f.chat(t, "visitor-1", "my card is blocked")
	o := f.offerFor(t, n, ana)

	subject := "switchboard.dispatch." + strconv.Itoa(dispatch.ShardOf(f.tenant, 32)) + "." + f.tenant
	send := func(until time.Time) map[string]any {
		t.Helper()
		data, _ := json.Marshal(map[string]any{"kind": "accept", "tenant_id": f.tenant, "user_id": ana, "offer_id": o.ID,
			"until": until.UnixMicro()})
		m, err := n.bus.Conn().Request(subject, data, 10*time.Second)
		if err != nil {
			t.Fatalf("accept: %v", err)
		}
		var r map[string]any
		if err := json.Unmarshal(m.Data, &r); err != nil {
			t.Fatalf("reply %s: %v", m.Data, err)
		}
		return r
	}
	if r := send(time.Now().Add(-time.Second)); r["code"] != "busy" {
		t.Fatalf("a late accept was answered %v, want busy", r)
	}
	if got := f.conversation(t, c.ID).AssigneeID; got != "" {
		t.Fatalf("a late accept assigned the conversation to %q", got)
	}
	if open := f.offers(t, ana); len(open) != 1 || open[0].ID != o.ID {
		t.Fatalf("open offers after a late accept: %+v", open)
	}
	if r := send(time.Now().Add(time.Minute)); len(r) != 0 {
		t.Fatalf("an accept on time was answered %v", r)
	}
	if got := f.conversation(t, c.ID).AssigneeID; got != ana {
		t.Fatalf("assignee %q after the accept, want ana", got)
	}
}
