package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// An agent takes a conversation, transfers it to another queue (it leaves
// them and waits there, with a timeline item and the note), then to a
// colleague (offered to them first); a supervisor joins it, which an agent may not.
func TestTransferAndJoin(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)
			cards := createdID(t, admin, "/api/v1/queues", map[string]any{"name": "Cards", "strategy": "longest_idle", "channels": []string{"sms"}})
			agents := map[string]*client{s.ana.ID: s.anaC, s.ben.ID: s.benC}

			conv := w.contactOn(t, w.A.Tenant.ID, "cust-1", "my card is blocked").Conversation.ID
			offer, agentID := w.awaitAnyOffer(t, agents, conv)
			agent := agents[agentID]
			agent.in(t).do("POST", "/api/v1/offers/"+offer.ID+"/accept", nil).want(http.StatusNoContent)
			var c struct {
				AssigneeID string `json:"assignee_id"`
			}
			w.await(t, "the conversation assigned", func() bool {
				admin.do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
				return c.AssigneeID == agentID
			})

			// The agent answers first, so the conversation waits on the customer
			// (pending) when it is handed over: the transfer reopens it.
			agent.in(t).do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"body": "Let me pass you to Cards."}).
				want(http.StatusCreated)
			agent.in(t).do("POST", "/api/v1/conversations/"+conv+"/transfer", map[string]any{"queue_id": cards, "note": "a card matter"}).
				want(http.StatusOK).decode(&c)
			if c.AssigneeID != "" {
				t.Errorf("after a transfer to a queue the conversation is %s's", c.AssigneeID)
			}
			var listed listedPage
			admin.do("GET", "/api/v1/conversations?queue_id="+cards, nil).want(http.StatusOK).decode(&listed)
			if !slices.Equal(listed.ids(), []string{conv}) {
				t.Errorf("queue Cards lists %v, want the transferred conversation", listed.ids())
			}
			var tl struct{ Items []struct{ Kind, Body string } }
			admin.do("GET", "/api/v1/conversations/"+conv+"/messages", nil).want(http.StatusOK).decode(&tl)
			var bodies []string
			for _, m := range tl.Items {
				bodies = append(bodies, m.Kind+": "+m.Body)
			}
			all := strings.Join(bodies, "\n")
			if !strings.Contains(all, "system: Transferred to Cards by User ") || !strings.Contains(all, "note: a card matter") {
				t.Errorf("timeline:\n%s", all)
			}

			// To a colleague: an offer to them first (issue 11, finding 5); it is
			// theirs once they accept.
			agent.in(t).do("POST", "/api/v1/conversations/"+conv+"/transfer", map[string]any{"agent_id": s.ben.ID}).want(http.StatusOK).decode(&c)
			if c.AssigneeID != "" {
				t.Errorf("transferred to Ben, assigned to %q before he accepted", c.AssigneeID)
			}
			toBen, _ := w.awaitAnyOffer(t, map[string]*client{s.ben.ID: s.benC}, conv)
			s.benC.in(t).do("POST", "/api/v1/offers/"+toBen.ID+"/accept", nil).want(http.StatusNoContent)
			admin.do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
			if c.AssigneeID != s.ben.ID {
				t.Errorf("Ben accepted the transfer, assigned to %q", c.AssigneeID)
			}
			for _, body := range []map[string]any{{}, {"agent_id": s.ben.ID, "queue_id": cards}, {"queue_id": s.policy}} {
				agent.in(t).do("POST", "/api/v1/conversations/"+conv+"/transfer", body).wantProblem(http.StatusUnprocessableEntity, "validation")
			}
			w.B.admin.in(t).do("POST", "/api/v1/conversations/"+conv+"/transfer", map[string]any{"queue_id": cards}).wantProblem(http.StatusNotFound, "not-found")

			sam := w.seedUser(t, w.A.Tenant, "sam@tenant-a.example", tenant.RoleSupervisor)
			var joined struct {
				Message struct {
					Kind, Body string
					AuthorID   string `json:"author_id"`
				}
			}
			w.sessionClient(t, sam).in(t).do("POST", "/api/v1/conversations/"+conv+"/join", nil).want(http.StatusOK).decode(&joined)
			if joined.Message.Kind != "system" || joined.Message.Body != sam.Name+" joined" || joined.Message.AuthorID != sam.ID {
				t.Errorf("join wrote %+v", joined.Message)
			}
			agent.in(t).do("POST", "/api/v1/conversations/"+conv+"/join", nil).wantProblem(http.StatusForbidden, "forbidden")
		})
	}
}

// Without a routing leader a transfer to a queue is refused for now, and nothing changes.
func TestTransferLeaderless(t *testing.T) {
	w := newWorld(t, leaderless)
	admin := w.A.admin.in(t)
	q := createdID(t, admin, "/api/v1/queues", map[string]any{"name": "General", "default": true})
	conv := w.contactOn(t, w.A.Tenant.ID, "cust-1", "hello").Conversation.ID
	admin.do("POST", "/api/v1/conversations/"+conv+"/transfer", map[string]any{"queue_id": q}).
		wantProblem(http.StatusServiceUnavailable, "routing-unavailable")
}
