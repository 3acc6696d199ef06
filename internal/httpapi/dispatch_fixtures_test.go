package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// What the routing tests and the isolation fixtures share: a tenant's
// routing set up over the API, and waiting for the dispatcher.

// alwaysOpen is business hours open every hour of every day.
var alwaysOpen = map[string]any{
	"mon": [][]string{{"00:00", "24:00"}}, "tue": [][]string{{"00:00", "24:00"}}, "wed": [][]string{{"00:00", "24:00"}},
	"thu": [][]string{{"00:00", "24:00"}}, "fri": [][]string{{"00:00", "24:00"}}, "sat": [][]string{{"00:00", "24:00"}},
	"sun": [][]string{{"00:00", "24:00"}},
}

// createdID posts body to path as c, wants 201 and returns the new record's id.
func createdID(t *testing.T, c *client, path string, body any) string {
	t.Helper()
	var rec struct{ ID string }
	c.in(t).do("POST", path, body).want(http.StatusCreated).decode(&rec)
	return rec.ID
}

// await returns once cond holds, checking it again whenever an event passes
// on the node's bus (the dispatcher's decisions are events); it fails the test
// if cond still does not hold after a generous while, with what each of
// state tells of what it found.
func (n *node) await(t *testing.T, what string, cond func() bool, state ...func() string) {
	t.Helper()
	poke := make(chan struct{}, 1)
	unsubscribe, err := n.bus.SubscribeEvents(func(event.Event) {
		select {
		case poke <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatalf("subscribe to events: %v", err)
	}
	defer unsubscribe()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	// Decisions the engine takes on its own clock (a widening step, say)
	// may come without an event this test hears, hence the slow tick too.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-poke:
		case <-tick.C:
		case <-deadline.C:
			found := ""
			for _, st := range state {
				found += "; " + st()
			}
			t.Fatalf("timed out waiting for %s%s", what, found)
		}
	}
}

// offerView is an offer as GET /api/v1/me/offers shows it.
type offerView struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id"`
	QueueID        string `json:"queue_id"`
	QueueName      string `json:"queue_name"`
	Kind           string `json:"kind"`
	Reason         string `json:"reason"`
}

// awaitOffer waits until agent has an open offer for the conversation and returns it.
func (n *node) awaitOffer(t *testing.T, agent *client, conversationID string) offerView {
	t.Helper()
	var found offerView
	n.await(t, "an offer of "+conversationID+" to "+agent.name, func() bool {
		var offers struct{ Items []offerView }
		agent.in(t).do("GET", "/api/v1/me/offers", nil).want(http.StatusOK).decode(&offers)
		for _, o := range offers.Items {
			if o.ConversationID == conversationID {
				found = o
				return true
			}
		}
		return false
	})
	return found
}

// contactOn makes a customer contact on the API channel, which the routing
// fixtures' queues take (the loop channel's contacts stay unrouted).
func (n *node) contactOn(t *testing.T, tenantID, customer, body string) inbox.Ingested {
	t.Helper()
	res, err := n.inbox.Ingest(context.Background(), inbox.Inbound{TenantID: tenantID, Channel: "api",
		From: persona.Identifier{Kind: persona.KindAPI, Value: customer}, FromName: "Customer " + customer, Body: body})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

// The isolation fixtures of the routing API's path parameters (see
// isolationFixtures).

func calendarFixture(f *fixtures) string {
	return createdID(f.t, f.tf.admin, "/api/v1/calendars", map[string]any{"name": "Always open", "time_zone": "Europe/Lisbon",
		"hours": alwaysOpen, "holidays": []map[string]string{{"date": "2099-12-25", "name": "Christmas"}}})
}

func policyFixture(f *fixtures) string {
	return createdID(f.t, f.tf.admin, "/api/v1/sla-policies", map[string]any{"name": "Standard", "first_response": "1h", "resolution": "8h"})
}

// queueFixture takes the API channel's contacts, gives an hour to answer
// offers (so nothing changes while the test looks), and uses the calendar
// and the policy.
func queueFixture(f *fixtures) string {
	return createdID(f.t, f.tf.admin, "/api/v1/queues", map[string]any{"name": "API contacts", "strategy": "longest_idle",
		"channels": []string{"api"}, "offer_timeout_seconds": 3600,
		"calendar_id": f.id("calendarID", ""), "sla_policy_id": f.id("policyID", "")})
}

// offerFixture is an offer to the tenant's admin, who serves the queue and is
// available.
func offerFixture(f *fixtures) string {
	admin := f.tf.admin.in(f.t)
	admin.do("PUT", "/api/v1/users/"+f.tf.Admin.ID+"/routing", map[string]any{"queues": []string{f.id("queueID", "")},
		"capacity": map[string]int{"message": 5, "voice": 1}}).want(http.StatusOK)
	admin.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
	c := f.w.contactOn(f.t, f.tf.Tenant.ID, "offer-"+f.tf.Tenant.Slug, "please call me")
	return f.w.awaitOffer(f.t, admin, c.Conversation.ID).ID
}

// callbackFixture is a callback in a window that opens in a day, in a queue
// of its own without SLA policy: it stays waiting while the test looks.
func callbackFixture(f *fixtures) string {
	queue := createdID(f.t, f.tf.admin, "/api/v1/queues", map[string]any{"name": "Callbacks", "strategy": "longest_idle"})
	from := time.Now().Add(24 * time.Hour).UTC()
	return createdID(f.t, f.tf.admin, "/api/v1/callbacks", map[string]any{"persona_id": f.id("personaID", ""),
		"phone": "+351 912 345 678", "queue_id": queue,
		"not_before": from.Format(time.RFC3339), "not_after": from.Add(2 * time.Hour).Format(time.RFC3339)})
}

func presenceStateFixture(f *fixtures) string {
	name := "lunch-" + f.tf.Tenant.Slug
	f.tf.admin.in(f.t).do("POST", "/api/v1/presence-states", map[string]any{"name": name, "routable": false}).want(http.StatusCreated)
	return name
}
