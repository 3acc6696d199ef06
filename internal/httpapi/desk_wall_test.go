package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type liveAgentView struct {
	UserID        string `json:"user_id"`
	Name, Role    string
	Presence      string
	PresenceSince time.Time      `json:"presence_since"`
	Load          map[string]int `json:"load"`
	Capacity      map[string]int `json:"capacity"`
}

// The wall shows the routed agents with their load from the leader, and
// today's report counts what routing did; agents may see neither.
func TestWall(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)
			agents := map[string]*client{s.ana.ID: s.anaC, s.ben.ID: s.benC}
			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "hello").Conversation.ID
			offer, agentID := w.awaitAnyOffer(t, agents, conv)
			agents[agentID].in(t).do("POST", "/api/v1/offers/"+offer.ID+"/accept", nil).want(http.StatusNoContent)

			var live struct{ Items []liveAgentView }
			w.await(t, "the agent's load on the wall", func() bool {
				admin.do("GET", "/api/v1/agents/live", nil).want(http.StatusOK).decode(&live)
				for _, a := range live.Items {
					if a.UserID == agentID {
						return a.Load["message"] == 1
					}
				}
				return false
			})
			if len(live.Items) != 2 {
				t.Fatalf("the wall shows %d agents, want Ana and Ben: %+v", len(live.Items), live.Items)
			}
			for _, a := range live.Items {
				if a.Presence != "available" || a.PresenceSince.IsZero() || a.Capacity["message"] != 2 || a.Role != "agent" {
					t.Errorf("on the wall: %+v", a)
				}
			}
			s.anaC.in(t).do("GET", "/api/v1/agents/live", nil).wantProblem(http.StatusForbidden, "forbidden")
			s.anaC.in(t).do("GET", "/api/v1/reports/today", nil).wantProblem(http.StatusForbidden, "forbidden")

			var rep struct {
				TZ     string
				ByHour []struct {
					Hour          int
					Channel       string
					Conversations int
				} `json:"by_hour"`
				Queues []struct {
					QueueID                               string `json:"queue_id"`
					Offered, Answered, Abandoned, Waiting int
					SLAMetPct                             *float64 `json:"sla_met_pct"`
				}
			}
			lisbon := mustZone(t, "Europe/Lisbon")
			admin.do("GET", "/api/v1/reports/today?tz=Europe/Lisbon", nil).want(http.StatusOK).decode(&rep)
			var created struct {
				CreatedAt time.Time `json:"created_at"`
			}
			admin.do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&created)
			hour := created.CreatedAt.In(lisbon).Hour()
			if rep.TZ != "Europe/Lisbon" || len(rep.ByHour) != 1 || rep.ByHour[0].Hour != hour || rep.ByHour[0].Channel != "api" || rep.ByHour[0].Conversations != 1 {
				t.Errorf("by hour: %+v (now %d h in Lisbon)", rep.ByHour, hour)
			}
			if len(rep.Queues) != 1 || rep.Queues[0].QueueID != s.queue || rep.Queues[0].Offered != 1 || rep.Queues[0].Answered != 1 ||
				rep.Queues[0].Abandoned != 0 || rep.Queues[0].SLAMetPct != nil {
				t.Errorf("queues: %+v", rep.Queues)
			}
			admin.do("GET", "/api/v1/reports/today?tz=Mars/Olympus", nil).wantProblem(http.StatusBadRequest, "bad-parameter")
			var other struct{ Queues []any }
			w.B.admin.in(t).do("GET", "/api/v1/reports/today", nil).want(http.StatusOK).decode(&other)
			if len(other.Queues) != 0 {
				t.Errorf("tenant B's report shows %v", other.Queues)
			}
		})
	}
}

// The wall's live agents need the routing leader.
func TestWallLeaderless(t *testing.T) {
	w := newWorld(t, leaderless)
	w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
	w.A.admin.in(t).do("GET", "/api/v1/agents/live", nil).wantProblem(http.StatusServiceUnavailable, "routing-unavailable")
}
