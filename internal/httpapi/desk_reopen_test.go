package httpapi

import (
	"net/http"
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Issue 11, finding 3: a reply to a resolved conversation takes it up again —
// it is no longer resolved (pending: waiting on the customer) and the timeline
// says "Reopened by a reply" before the reply itself.
func TestReplyReopensResolved(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			anaC := w.sessionClient(t, ana).in(t)
			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "my card").Conversation.ID
			var c struct{ Status string }
			anaC.do("PATCH", "/api/v1/conversations/"+conv, map[string]string{"status": "resolved"}).want(http.StatusOK).decode(&c)
			if c.Status != "resolved" {
				t.Fatalf("status %q after resolving", c.Status)
			}
			anaC.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"body": "One more thing"}).want(http.StatusCreated)
			anaC.do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
			if c.Status != "pending" {
				t.Errorf("status %q after a reply to a resolved conversation, want pending", c.Status)
			}
			bodies := timelineBodies(t, anaC, conv)
			i := slices.Index(bodies, "Reopened by a reply")
			if i < 0 || i+1 >= len(bodies) || bodies[i+1] != "One more thing" {
				t.Errorf("timeline %q, want \"Reopened by a reply\" just before the reply", bodies)
			}
			// Replying again to the reopened conversation adds no second line.
			anaC.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"body": "And another"}).want(http.StatusCreated)
			n := 0
			for _, b := range timelineBodies(t, anaC, conv) {
				if b == "Reopened by a reply" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d reopen lines, want 1", n)
			}
		})
	}
}
