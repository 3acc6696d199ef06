package httpapi

import (
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type availabilityView struct {
	UserID   string `json:"user_id"`
	Name     string
	Presence string
	Routable bool
	Load     map[string]int
	Capacity map[string]int
}

// The pickers' availability: presence, whether it receives work, load and
// capacity of the caller's workspace's agents only; a transfer to an agent
// who is away leaves the conversation unassigned, waiting for them (issue 11,
// finding 5), and one to another workspace's user is refused.
func TestAgentAvailabilityAndTransferToAnAgent(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			s := newRoutingSetup(t, w)
			s.benC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "away"}).want(http.StatusOK)

			var got struct{ Items []availabilityView }
			w.await(t, "Ben away in the availability", func() bool {
				s.anaC.in(t).do("GET", "/api/v1/agents/availability", nil).want(http.StatusOK).decode(&got)
				for _, a := range got.Items {
					if a.UserID == s.ben.ID {
						return a.Presence == "away"
					}
				}
				return false
			})
			if len(got.Items) != 2 {
				t.Fatalf("availability lists %d agents, want Ana and Ben: %+v", len(got.Items), got.Items)
			}
			for _, a := range got.Items {
				if a.Routable != (a.UserID == s.ana.ID) || a.Capacity["message"] != 2 {
					t.Errorf("availability: %+v", a)
				}
			}
			// Another workspace's agent sees none of these.
			eve := w.seedUser(t, w.B.Tenant, "eve@tenant-b.example", tenant.RoleAgent)
			var theirs struct{ Items []availabilityView }
			w.sessionClient(t, eve).in(t).do("GET", "/api/v1/agents/availability", nil).want(http.StatusOK).decode(&theirs)
			for _, a := range theirs.Items {
				if a.UserID == s.ana.ID || a.UserID == s.ben.ID {
					t.Fatalf("tenant B sees tenant A's agent %+v", a)
				}
			}

			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "hello").Conversation.ID
			offer, _ := w.awaitAnyOffer(t, map[string]*client{s.ana.ID: s.anaC}, conv)
			s.anaC.in(t).do("POST", "/api/v1/offers/"+offer.ID+"/accept", nil).want(http.StatusNoContent)
			var c struct {
				AssigneeID string `json:"assignee_id"`
			}
			s.anaC.in(t).do("POST", "/api/v1/conversations/"+conv+"/transfer", map[string]string{"agent_id": s.ben.ID}).
				want(http.StatusOK).decode(&c)
			if c.AssigneeID != "" {
				t.Fatalf("a transfer to an away agent assigned it to %q; want it waiting for them", c.AssigneeID)
			}
			s.anaC.in(t).do("POST", "/api/v1/conversations/"+conv+"/transfer", map[string]string{"agent_id": eve.ID}).
				wantProblem(http.StatusUnprocessableEntity, "validation")
		})
	}
}
