package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// routingSetup is a tenant's routing made over the API: a calendar, an SLA
// policy, a queue using both that takes the API channel's contacts, and two
// available agents serving it.
type routingSetup struct {
	calendar, policy, queue string
	ana, ben                tenant.User
	anaC, benC              *client
}

func newRoutingSetup(t *testing.T, w *world) routingSetup {
	t.Helper()
	admin := w.A.admin.in(t)
	var s routingSetup
	s.calendar = createdID(t, admin, "/api/v1/calendars", map[string]any{"name": "Always open", "time_zone": "America/New_York", "hours": alwaysOpen})
	s.policy = createdID(t, admin, "/api/v1/sla-policies", map[string]any{"name": "Gold", "first_response": "15m", "next_response": 3600,
		"resolution": "8h", "escalations": []map[string]any{{"on": "breach", "target": "first_response", "raise_priority": 3}}})
	s.queue = createdID(t, admin, "/api/v1/queues", map[string]any{"name": "Billing", "strategy": "longest_idle", "channels": []string{"api"},
		"calendar_id": s.calendar, "sla_policy_id": s.policy, "offer_timeout_seconds": 3600})
	s.ana = w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
	s.ben = w.seedUser(t, w.A.Tenant, "ben@tenant-a.example", tenant.RoleAgent)
	s.anaC, s.benC = w.sessionClient(t, s.ana), w.sessionClient(t, s.ben)
	for _, u := range []tenant.User{s.ana, s.ben} {
		admin.do("PUT", "/api/v1/users/"+u.ID+"/routing", map[string]any{"skills": map[string]int{"billing": 4}, "queues": []string{s.queue},
			"capacity": map[string]int{"message": 2, "voice": 1}, "wrap_up_seconds": 0}).want(http.StatusOK)
	}
	for _, c := range []*client{s.anaC, s.benC} {
		c.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
	}
	return s
}

func TestRoutingConfiguration(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)

			var q struct {
				ID, Name, Strategy string
				CalendarIDJSON     string   `json:"calendar_id"`
				PolicyIDJSON       string   `json:"sla_policy_id"`
				Channels           []string `json:"channels"`
			}
			admin.do("GET", "/api/v1/queues/"+s.queue, nil).want(http.StatusOK).decode(&q)
			if q.Name != "Billing" || q.CalendarIDJSON != s.calendar || q.PolicyIDJSON != s.policy || !slices.Equal(q.Channels, []string{"api"}) {
				t.Errorf("queue = %+v", q)
			}
			var queues struct{ Items []struct{ ID string } }
			s.anaC.in(t).do("GET", "/api/v1/queues", nil).want(http.StatusOK).decode(&queues)
			if len(queues.Items) != 1 || queues.Items[0].ID != s.queue {
				t.Errorf("agent lists queues %+v", queues.Items)
			}
			var pol struct {
				FirstResponse string `json:"first_response"`
				NextResponse  string `json:"next_response"`
			}
			admin.do("GET", "/api/v1/sla-policies/"+s.policy, nil).want(http.StatusOK).decode(&pol)
			if pol.FirstResponse != "15m0s" || pol.NextResponse != "1h0m0s" {
				t.Errorf("policy durations = %+v, want 15m0s and 1h0m0s", pol)
			}
			// Replacing keeps the id; an agent may not, another tenant finds nothing.
			admin.do("PUT", "/api/v1/queues/"+s.queue, map[string]any{"name": "Billing", "strategy": "skills", "skills": []string{"billing"},
				"channels": []string{"api"}, "widening": []map[string]int{{"after_seconds": 0, "min_level": 3}, {"after_seconds": 60, "min_level": 0}}}).
				want(http.StatusOK)
			s.anaC.in(t).do("PUT", "/api/v1/queues/"+s.queue, map[string]any{"name": "Mine"}).wantProblem(http.StatusForbidden, "forbidden")
			w.B.admin.in(t).do("GET", "/api/v1/queues/"+s.queue, nil).wantProblem(http.StatusNotFound, "not-found")
			w.B.admin.in(t).do("PUT", "/api/v1/queues/"+s.queue, map[string]any{"name": "Stolen"}).wantProblem(http.StatusNotFound, "not-found")
			var bQueues struct{ Items []struct{ ID string } }
			w.B.admin.in(t).do("GET", "/api/v1/queues", nil).want(http.StatusOK).decode(&bQueues)
			if len(bQueues.Items) != 0 {
				t.Errorf("tenant B lists %+v", bQueues.Items)
			}

			// A supervisor manages routing too; an agent does not set profiles.
			sup := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "sue@tenant-a.example", tenant.RoleSupervisor))
			createdID(t, sup, "/api/v1/queues", map[string]any{"name": "Escalations", "strategy": "least_occupied"})
			sup.in(t).do("PUT", "/api/v1/users/"+s.ben.ID+"/routing", map[string]any{"queues": []string{s.queue},
				"capacity": map[string]int{"message": 3}}).want(http.StatusOK)
			s.anaC.in(t).do("PUT", "/api/v1/users/"+s.ana.ID+"/routing", map[string]any{"capacity": map[string]int{"message": 50}}).
				wantProblem(http.StatusForbidden, "forbidden")

			// Configuration changes are audited.
			var audit struct {
				Items []struct{ Action, TargetID string }
			}
			admin.do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&audit)
			var actions []string
			for _, e := range audit.Items {
				actions = append(actions, e.Action)
			}
			for _, want := range []string{"calendar.create", "sla_policy.create", "queue.create", "queue.update", "routing_profile.update"} {
				if !slices.Contains(actions, want) {
					t.Errorf("audit log %q lacks %s", actions, want)
				}
			}

			// Profiles: the defaults until one is saved.
			var prof struct {
				Default bool           `json:"default"`
				Skills  map[string]int `json:"skills"`
				Queues  []string       `json:"queues"`
			}
			newcomer := w.seedUser(t, w.A.Tenant, "nia@tenant-a.example", tenant.RoleAgent)
			admin.do("GET", "/api/v1/users/"+newcomer.ID+"/routing", nil).want(http.StatusOK).decode(&prof)
			if !prof.Default {
				t.Errorf("a user without a profile: default = false")
			}
			s.anaC.in(t).do("GET", "/api/v1/me/routing", nil).want(http.StatusOK).decode(&prof)
			if prof.Default || prof.Skills["billing"] != 4 || !slices.Equal(prof.Queues, []string{s.queue}) {
				t.Errorf("Ana's own profile = %+v", prof)
			}

			// Presence states of the tenant's own.
			admin.do("POST", "/api/v1/presence-states", map[string]any{"name": "training", "routable": false}).want(http.StatusCreated)
			var states struct {
				Items []struct {
					Name     string
					Routable bool
					BuiltIn  bool `json:"built_in"`
				}
			}
			s.anaC.in(t).do("GET", "/api/v1/presence-states", nil).want(http.StatusOK).decode(&states)
			var names []string
			for _, st := range states.Items {
				names = append(names, st.Name)
			}
			if !slices.Equal(names, []string{"available", "busy", "away", "offline", "training"}) {
				t.Errorf("presence states = %q", names)
			}
			var me tenant.User
			s.anaC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "training"}).want(http.StatusOK).decode(&me)
			if me.Presence != "training" {
				t.Errorf("presence after setting training = %q", me.Presence)
			}
			p := s.anaC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "gardening"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			wantField(t, p, "presence")
			w.B.admin.in(t).do("DELETE", "/api/v1/presence-states/training", nil).wantProblem(http.StatusNotFound, "not-found")
			s.anaC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
			admin.do("DELETE", "/api/v1/presence-states/training", nil).want(http.StatusNoContent)
		})
	}
}

// wantField fails unless the problem names field among its errors.
func wantField(t *testing.T, p Problem, field string) {
	t.Helper()
	for _, e := range p.Errors {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") || strings.HasPrefix(e.Field, field+"[") {
			return
		}
	}
	t.Errorf("problem %q names %+v, want the field %s", p.Detail, p.Errors, field)
}

func TestRoutingValidation(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin.in(t)
	queue := createdID(t, admin, "/api/v1/queues", map[string]any{"name": "General"})
	agent := w.seedUser(t, w.A.Tenant, "ann@tenant-a.example", tenant.RoleAgent)
	expert := w.seedUser(t, w.A.Tenant, "erik@tenant-a.example", tenant.RoleExpert)
	future := time.Now().Add(48 * time.Hour).UTC()
	for _, tc := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"bad strategy", "POST", "/api/v1/queues", map[string]any{"name": "X", "strategy": "random"}, "strategy"},
		{"unknown calendar", "POST", "/api/v1/queues", map[string]any{"name": "Y", "calendar_id": "01930000-0000-7000-8000-000000000000"}, "calendar_id"},
		{"unknown policy", "PUT", "/api/v1/queues/" + queue, map[string]any{"name": "General", "sla_policy_id": "01930000-0000-7000-8000-000000000000"}, "sla_policy_id"},
		{"skill level 7", "PUT", "/api/v1/users/" + agent.ID + "/routing", map[string]any{"skills": map[string]int{"billing": 7}}, "skills"},
		{"capacity of an unknown modality", "PUT", "/api/v1/users/" + agent.ID + "/routing", map[string]any{"capacity": map[string]int{"fax": 1}}, "capacity"},
		{"unknown time zone", "POST", "/api/v1/calendars", map[string]any{"name": "Mars", "time_zone": "Mars/Olympus_Mons"}, "time_zone"},
		{"span ends before it starts", "POST", "/api/v1/calendars", map[string]any{"name": "Odd", "hours": map[string]any{"mon": [][]string{{"17:00", "09:00"}}}}, "hours"},
		{"malformed duration", "POST", "/api/v1/sla-policies", map[string]any{"name": "Bad", "first_response": "soon"}, "first_response"},
		{"warning past the target", "POST", "/api/v1/sla-policies", map[string]any{"name": "Late", "first_response": "1h", "warn_at": 1.5}, "warn_at"},
		{"policy with hours of its own", "POST", "/api/v1/sla-policies", map[string]any{"name": "Office hours", "resolution": "2h",
			"calendar": map[string]any{"time_zone": "Europe/Lisbon", "hours": map[string]any{"mon": [][]string{{"09:00", "17:00"}}}}}, "calendar"},
		{"escalation to an unknown queue", "POST", "/api/v1/sla-policies", map[string]any{"name": "Lost", "first_response": "1h",
			"escalations": []map[string]any{{"on": "breach", "target": "any", "move_to_queue": "01930000-0000-7000-8000-000000000000"}}}, "escalations"},
		{"widening out of order", "POST", "/api/v1/queues", map[string]any{"name": "W", "strategy": "skills", "skills": []string{"billing"},
			"widening": []map[string]int{{"after_seconds": 60, "min_level": 2}, {"after_seconds": 0, "min_level": 4}}}, "widening"},
		{"overflow to an unknown queue", "POST", "/api/v1/queues", map[string]any{"name": "O",
			"overflow": []map[string]any{{"after_seconds": 60, "to": "01930000-0000-7000-8000-000000000000"}}}, "overflow"},
		{"profile for an expert, who takes no conversations", "PUT", "/api/v1/users/" + expert.ID + "/routing", map[string]any{"queues": []string{queue}}, "user"},
		{"profile serving an unknown queue", "PUT", "/api/v1/users/" + agent.ID + "/routing", map[string]any{"queues": []string{"01930000-0000-7000-8000-000000000000"}}, "queues"},
		{"built-in presence state", "POST", "/api/v1/presence-states", map[string]any{"name": "away", "routable": true}, "name"},
		{"callback window in the past", "POST", "/api/v1/callbacks", map[string]any{"conversation_id": w.ingest(t, w.A.Tenant.ID, "cb", "call me").Conversation.ID,
			"phone": "+351912345678", "queue_id": queue, "not_before": "2020-01-01T10:00:00Z", "not_after": "2020-01-01T12:00:00Z"}, "not_after"},
		{"callback window backwards", "POST", "/api/v1/callbacks", map[string]any{"persona_id": w.ingest(t, w.A.Tenant.ID, "cb2", "call me").Persona.ID,
			"phone": "+351912345678", "queue_id": queue, "not_before": future.Format(time.RFC3339), "not_after": future.Add(-time.Hour).Format(time.RFC3339)}, "not_after"},
		{"escalate to fax", "POST", "/api/v1/conversations/" + w.ingest(t, w.A.Tenant.ID, "esc", "hi").Conversation.ID + "/escalate", map[string]any{"modality": "fax"}, "modality"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := admin.in(t).do(tc.method, tc.path, tc.body, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
			wantField(t, p, tc.field)
		})
	}
	admin.do("GET", "/api/v1/callbacks?state=lost", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
}

// TestRoutingOffers follows a conversation from arrival to an agent: offered
// with a reason, declined, offered to the other agent, accepted and assigned;
// then a call asked for on it goes to the agent who has it.
func TestRoutingOffers(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) { testRoutingOffers(t, newWorld(t, withEngine(e))) })
	}
}

func testRoutingOffers(t *testing.T, w *world) {
	s := newRoutingSetup(t, w)
	agents := map[string]*client{s.ana.ID: s.anaC, s.ben.ID: s.benC}
	names := map[string]string{s.ana.ID: "Ana", s.ben.ID: "Ben"}

	contact := w.contactOn(t, w.A.Tenant.ID, "cust-1", "my invoice is wrong")
	conv := contact.Conversation.ID
	first, firstID := w.awaitAnyOffer(t, agents, conv)
	if first.Reason == "" || first.QueueID != s.queue || first.QueueName != "Billing" || first.Kind != "conversation" {
		t.Errorf("offer = %+v", first)
	}
	secondID := s.ben.ID
	if firstID == s.ben.ID {
		secondID = s.ana.ID
	}

	// Nobody else sees or answers it: not the other agent, not tenant B.
	agents[secondID].in(t).do("POST", "/api/v1/offers/"+first.ID+"/accept", nil).wantProblem(http.StatusNotFound, "not-found")
	w.B.admin.in(t).do("POST", "/api/v1/offers/"+first.ID+"/accept", nil).wantProblem(http.StatusNotFound, "not-found")
	keyClient(t, w.B.admin, "admin").do("POST", "/api/v1/offers/"+first.ID+"/decline", nil).wantProblem(http.StatusNotFound, "not-found")
	var bOffers struct{ Items []offerView }
	w.B.admin.in(t).do("GET", "/api/v1/me/offers", nil).want(http.StatusOK).decode(&bOffers)
	if len(bOffers.Items) != 0 {
		t.Errorf("tenant B's admin sees offers %+v", bOffers.Items)
	}

	// Declined: the other agent is asked.
	agents[firstID].in(t).do("POST", "/api/v1/offers/"+first.ID+"/decline", nil).want(http.StatusNoContent)
	agents[firstID].in(t).do("POST", "/api/v1/offers/"+first.ID+"/accept", nil).wantProblem(http.StatusConflict, "offer-gone")
	second := w.awaitOffer(t, agents[secondID], conv)
	agents[secondID].in(t).do("POST", "/api/v1/offers/"+second.ID+"/accept", nil).want(http.StatusNoContent)
	// Again, as a retry whose answer was lost: the same answer, nothing decided twice.
	agents[secondID].in(t).do("POST", "/api/v1/offers/"+second.ID+"/accept", nil).want(http.StatusNoContent)

	var c struct {
		AssigneeID string `json:"assignee_id"`
	}
	w.await(t, "the conversation assigned to "+names[secondID], func() bool {
		w.A.admin.in(t).do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
		return c.AssigneeID == secondID
	})

	// The trail, newest first, with reasons.
	var trail struct {
		Items []struct{ Kind, Reason string }
	}
	w.A.admin.in(t).do("GET", "/api/v1/conversations/"+conv+"/routing", nil).want(http.StatusOK).decode(&trail)
	var kinds []string
	for _, d := range trail.Items {
		kinds = append(kinds, d.Kind)
		if d.Reason == "" {
			t.Errorf("decision %s without a reason", d.Kind)
		}
	}
	if len(kinds) < 3 || kinds[0] != "assign" || !slices.Contains(kinds, "offer") {
		t.Errorf("decision kinds, newest first = %q; want assign first, offers before", kinds)
	}
	w.B.admin.in(t).do("GET", "/api/v1/conversations/"+conv+"/routing", nil).wantProblem(http.StatusNotFound, "not-found")

	// The queue's SLA policy runs its clocks.
	var clocks struct {
		Items []struct {
			Target, State string
			PolicyID      string `json:"policy_id"`
		}
	}
	w.A.admin.in(t).do("GET", "/api/v1/conversations/"+conv+"/sla", nil).want(http.StatusOK).decode(&clocks)
	var targets []string
	for _, c := range clocks.Items {
		targets = append(targets, c.Target)
		if c.PolicyID != s.policy {
			t.Errorf("clock %s of policy %q, want %q", c.Target, c.PolicyID, s.policy)
		}
	}
	if !slices.Contains(targets, "first_response") || !slices.Contains(targets, "resolution") {
		t.Errorf("SLA clock targets = %q, want first_response and resolution", targets)
	}

	// Live stats name the queue.
	var stats struct {
		Items []struct {
			QueueID string         `json:"queue_id"`
			Agents  map[string]int `json:"agents"`
		}
	}
	w.A.admin.in(t).do("GET", "/api/v1/queues/stats", nil).want(http.StatusOK).decode(&stats)
	if len(stats.Items) != 1 || stats.Items[0].QueueID != s.queue || stats.Items[0].Agents["available"] != 2 {
		t.Errorf("stats = %+v", stats.Items)
	}

	// A call asked for on the chat goes to the agent who has it.
	w.A.admin.in(t).do("POST", "/api/v1/conversations/"+conv+"/escalate", map[string]string{"modality": "voice"}).want(http.StatusAccepted)
	call := w.awaitOffer(t, agents[secondID], conv)
	if call.Kind != "escalation" {
		t.Errorf("offer after escalation = %+v, want kind escalation", call)
	}
	w.B.admin.in(t).do("POST", "/api/v1/conversations/"+conv+"/escalate", map[string]string{"modality": "voice"}).wantProblem(http.StatusNotFound, "not-found")
}

// TestRoutingByKey: a business system's API key answers an offer on behalf
// of the agent it was made to (a telephony integration picking up), and
// reads the queues' live state.
func TestRoutingByKey(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) { testRoutingByKey(t, newWorld(t, withEngine(e))) })
	}
}

func testRoutingByKey(t *testing.T, w *world) {
	s := newRoutingSetup(t, w)
	conv := w.contactOn(t, w.A.Tenant.ID, "cust-key", "hello").Conversation.ID
	offer, agent := w.awaitAnyOffer(t, map[string]*client{s.ana.ID: s.anaC, s.ben.ID: s.benC}, conv)

	reader := keyClient(t, w.A.admin, "read")
	reader.do("POST", "/api/v1/offers/"+offer.ID+"/accept", nil).wantProblem(http.StatusForbidden, "forbidden")
	reader.do("GET", "/api/v1/queues/stats", nil).want(http.StatusOK)
	reader.do("GET", "/api/v1/me/offers", nil, outsideSpec).wantProblem(http.StatusForbidden, "forbidden")

	keyClient(t, w.A.admin, "conversations:write").do("POST", "/api/v1/offers/"+offer.ID+"/accept", nil).want(http.StatusNoContent)
	w.await(t, "the conversation assigned by the key's answer", func() bool {
		var c struct {
			AssigneeID string `json:"assignee_id"`
		}
		w.A.admin.in(t).do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
		return c.AssigneeID == agent
	})
}

// TestRoutingLeaderless: while no node routes, what needs the routing node
// answers 503 with Retry-After, and configuration still works.
func TestRoutingLeaderless(t *testing.T) {
	w := newWorld(t, leaderless)
	admin := w.A.admin.in(t)
	createdID(t, admin, "/api/v1/queues", map[string]any{"name": "General", "default": true})
	r := admin.do("GET", "/api/v1/queues/stats", nil)
	p := r.wantProblem(http.StatusServiceUnavailable, "routing-unavailable")
	if r.Header.Get("Retry-After") != "2" || !strings.Contains(p.Detail, "routing") {
		t.Errorf("503 with Retry-After %q and detail %q", r.Header.Get("Retry-After"), p.Detail)
	}
}

// awaitAnyOffer waits for an offer of the conversation to any of agents and
// returns it with the agent's id.
func (n *node) awaitAnyOffer(t *testing.T, agents map[string]*client, conversationID string) (offerView, string) {
	t.Helper()
	var found offerView
	var to string
	n.await(t, "an offer of "+conversationID, func() bool {
		for id, c := range agents {
			var offers struct{ Items []offerView }
			c.in(t).do("GET", "/api/v1/me/offers", nil).want(http.StatusOK).decode(&offers)
			for _, o := range offers.Items {
				if o.ConversationID == conversationID {
					found, to = o, id
					return true
				}
			}
		}
		return false
	})
	return found, to
}

func TestCallbacks(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) { testCallbacks(t, newWorld(t, withEngine(e))) })
	}
}

func testCallbacks(t *testing.T, w *world) {
	admin := w.A.admin.in(t)
	queue := createdID(t, admin, "/api/v1/queues", map[string]any{"name": "Callbacks"})
	contact := w.ingest(t, w.A.Tenant.ID, "cust-cb", "please call me tomorrow")
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "cal@tenant-a.example", tenant.RoleAgent))

	// A window in local time of the customer's zone.
	day := time.Now().Add(72 * time.Hour).In(mustZone(t, "Asia/Kolkata"))
	local := day.Format("2006-01-02") + "T14:00"
	type callbackView struct {
		ID, State, Phone string
		TimeZone         string    `json:"time_zone"`
		NotBefore        time.Time `json:"not_before"`
		Attempts         []struct{ Outcome, Note string }
	}
	var cb callbackView
	agent.in(t).do("POST", "/api/v1/callbacks", map[string]any{"conversation_id": contact.Conversation.ID, "phone": "+91 98765 43210",
		"queue_id": queue, "time_zone": "Asia/Kolkata", "not_before": local, "not_after": day.Format("2006-01-02") + "T16:00"}).
		want(http.StatusCreated).decode(&cb)
	wantStart := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, mustZone(t, "Asia/Kolkata"))
	if cb.State != "waiting" || !cb.NotBefore.Equal(wantStart) || cb.TimeZone != "Asia/Kolkata" {
		t.Errorf("callback = %+v; want waiting from %s", cb, wantStart)
	}

	var page struct{ Items []callbackView }
	admin.do("GET", "/api/v1/callbacks?state=waiting", nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 1 || page.Items[0].ID != cb.ID {
		t.Errorf("waiting callbacks = %+v", page.Items)
	}
	admin.do("GET", "/api/v1/callbacks?state=done", nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 0 {
		t.Errorf("done callbacks = %+v", page.Items)
	}
	w.B.admin.in(t).do("GET", "/api/v1/callbacks/"+cb.ID, nil).wantProblem(http.StatusNotFound, "not-found")
	w.B.admin.in(t).do("POST", "/api/v1/callbacks/"+cb.ID+"/attempts", map[string]string{"outcome": "answered"}).wantProblem(http.StatusNotFound, "not-found")

	agent.in(t).do("POST", "/api/v1/callbacks/"+cb.ID+"/attempts", map[string]string{"outcome": "no_answer", "note": "rang out"}).
		want(http.StatusOK).decode(&cb)
	if len(cb.Attempts) != 1 || cb.Attempts[0].Outcome != "no_answer" || cb.Attempts[0].Note != "rang out" {
		t.Errorf("after one attempt: %+v", cb)
	}
	agent.in(t).do("POST", "/api/v1/callbacks/"+cb.ID+"/attempts", map[string]string{"outcome": "answered"}).want(http.StatusOK).decode(&cb)
	if cb.State != "done" || len(cb.Attempts) != 2 {
		t.Errorf("after an answered attempt: %+v", cb)
	}
	var got callbackView
	admin.do("GET", "/api/v1/callbacks/"+cb.ID, nil).want(http.StatusOK).decode(&got)
	if got.State != "done" {
		t.Errorf("GET after done: %+v", got)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
