package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A fresh client reads its tenant's cursor, then connects with since=cursor:
// it gets what happened after the read and nothing from before; another
// tenant's activity does not move it.
func TestRealtimeCursor(t *testing.T) {
	w := newWorld(t)
	agent := w.seedUser(t, w.A.Tenant, "agent@a.example", tenant.RoleAgent)
	c := w.sessionClient(t, agent)
	cursor := func(c *client) int64 {
		t.Helper()
		var cur struct{ Seq int64 }
		c.do("GET", "/api/v1/realtime/cursor", nil).want(http.StatusOK).decode(&cur)
		return cur.Seq
	}

	c.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
	before := cursor(c)
	if before == 0 {
		t.Fatal("the cursor is 0 after the tenant's events")
	}
	w.B.admin.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
	if got := cursor(c); got != before {
		t.Fatalf("another tenant's event moved the cursor: %d → %d", before, got)
	}

	c.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "away"}).want(http.StatusOK)
	ws := w.feed(t, c, before)
	seen := readUntil(t, ws, presenceOf(agent))
	if len(seen) != 1 || seen[0].Seq <= before || seen[0].Type != event.AgentPresenceChanged || !strings.Contains(string(seen[0].Data), `"away"`) {
		t.Fatalf("since=cursor replayed %+v, want the one presence change after the cursor", seen)
	}
	if after := cursor(c); after != seen[0].Seq {
		t.Fatalf("cursor %d after the change, want its seq %d", after, seen[0].Seq)
	}
}
