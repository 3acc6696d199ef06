package e2e

import (
	"strings"
	"testing"
	"time"
)

// A chat moves through the routing criteria a rule gave it, on the real
// binary with its real clock, watched on the agents' realtime WebSockets:
// first Chloé's personal queue (she is offline: nobody is asked), then
// "cards ≥ 4" (Ana, 5, is offered it; Ben, 2, is not), and once that step
// expires, any member of the queue (Ben, after Ana declined).
func TestRoutingCriteriaStepsOverWebSocket(t *testing.T) {
	t.Parallel()
	n := startNode(t, nodeOptions{Demo: true})
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")
	id := func(email string) (*client, string) {
		c := newClient(t, n.URL)
		c.login(email)
		var who struct{ User struct{ ID string } }
		c.do("GET", "/api/v1/me", nil, 200, &who)
		return c, who.User.ID
	}
	ana, anaID := id("ana@northwind.example")
	ben, benID := id("ben@northwind.example")
	_, chloeID := id("chloe@northwind.example")

	// A queue of its own for web chats, served by Ana and Ben only, so the
	// demo's waiting work (in Support) is offered to neither.
	var vip struct{ ID string }
	admin.do("POST", "/api/v1/queues", map[string]any{"name": "VIP chat", "strategy": "longest_idle", "channels": []string{"webchat"},
		"offer_timeout_seconds": 60}, 201, &vip)
	for who, level := range map[string]int{anaID: 5, benID: 2} {
		admin.do("PUT", "/api/v1/users/"+who+"/routing", map[string]any{"skills": map[string]int{"cards": level}, "queues": []string{vip.ID},
			"capacity": map[string]int{"chat": 3}}, 200, nil)
	}
	admin.do("POST", "/api/v1/routing-rules", map[string]any{"name": "VIP chats", "queue_id": vip.ID,
		"match": [][]map[string]string{{{"attribute": "channel", "op": "equals", "value": "webchat"}}},
		"steps": []map[string]any{{"agents": []string{chloeID}, "expiry_seconds": 2}, {"skills": map[string]int{"cards": 4}, "expiry_seconds": 3}, {}}}, 201, nil)

	anaFeed, benFeed := openFeed(t, ana, n.URL), openFeed(t, ben, n.URL)
	ana.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, 200, nil)
	ben.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, 200, nil)

	start := time.Now()
	visitorSays(t, newClient(t, n.URL), n.URL, "Vera", "My gold card is blocked abroad")
	offerID, convID, reason := anaFeed.offer(anaID)
	if waited := time.Since(start); waited < 1500*time.Millisecond {
		t.Errorf("Ana was offered the chat after %s, inside Chloé's 2 s step", waited)
	}
	if !strings.Contains(reason, "step 2 of 3: cards ≥ 4") {
		t.Fatalf("Ana's offer reason %q, want the cards ≥ 4 step", reason)
	}
	var crit struct {
		Step      int    `json:"step"`
		State     string `json:"state"`
		FromQueue bool   `json:"from_queue"`
	}
	admin.do("GET", "/api/v1/conversations/"+convID+"/routing-criteria", nil, 200, &crit)
	if crit.Step != 1 || crit.State != "offered" || crit.FromQueue {
		t.Fatalf("criteria while offered to Ana: %+v", crit)
	}
	ana.do("POST", "/api/v1/offers/"+offerID+"/decline", nil, 204, nil)

	// Ben (cards 2) is asked only once the cards step has expired.
	declined := time.Now()
	offerID, conv2, reason := benFeed.offer(benID)
	if conv2 != convID || !strings.Contains(reason, "step 3 of 3: any queue member") {
		t.Fatalf("Ben's first offer: conversation %s reason %q; want %s in the last step", conv2, reason, convID)
	}
	if time.Since(start) < 4500*time.Millisecond {
		t.Errorf("Ben was offered the chat %s after Ana declined, %s after it arrived: before the cards step expired",
			time.Since(declined), time.Since(start))
	}
	ben.do("POST", "/api/v1/offers/"+offerID+"/accept", nil, 204, nil)
	var conv struct {
		AssigneeID string `json:"assignee_id"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for conv.AssigneeID != benID {
		if time.Now().After(deadline) {
			t.Fatalf("conversation assignee %q, want Ben", conv.AssigneeID)
		}
		admin.do("GET", "/api/v1/conversations/"+convID, nil, 200, &conv)
		time.Sleep(50 * time.Millisecond)
	}
	var trail struct {
		Items []struct{ Kind, Reason string }
	}
	admin.do("GET", "/api/v1/conversations/"+convID+"/routing", nil, 200, &trail)
	last := trail.Items[len(trail.Items)-1]
	if last.Kind != "criteria" || !strings.HasPrefix(last.Reason, "rule VIP chats: 3 steps") {
		t.Fatalf("the trail starts with %+v, want the rule's criteria", last)
	}
}
