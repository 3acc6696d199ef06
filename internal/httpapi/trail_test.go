package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// A conversation started from the help center shows its trail (up to the
// moment it was carried in) to the tenant's agents, in the documented shape;
// one that was not has an empty trail; another tenant's is 404.
func TestConversationTrail(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	system := keyClient(t, w.A.admin, "conversations:write")
	var in struct{ Conversation struct{ ID string } }
	system.do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "external", "value": "crm-1"},
		"body": "I still cannot sign in"}).want(http.StatusCreated).decode(&in)
	conv := in.Conversation.ID

	var empty struct {
		SessionID string     `json:"session_id"`
		StartedAt *time.Time `json:"started_at"`
		Events    []any      `json:"events"`
	}
	w.A.admin.do("GET", "/api/v1/conversations/"+conv+"/trail", nil).want(http.StatusOK).decode(&empty)
	if empty.SessionID != "" || empty.StartedAt != nil || empty.Events == nil || len(empty.Events) != 0 {
		t.Fatalf("a conversation without a trail: %+v", empty)
	}

	t0 := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	tenantID := w.A.Tenant.ID
	sid := "0123456789abcdef0123456789abcdef"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.db.CreateHelpSession(ctx, store.HelpSession{TenantID: tenantID, ID: sid, StartedAt: t0, LastAt: t0}))
	for i, e := range []store.HelpEvent{
		{Kind: "search", Query: "reset password", Results: 2},
		{Kind: "article", Title: "Reset your password", Slug: "reset-password"},
		{Kind: "feedback", Title: "Reset your password", Slug: "reset-password", Helpful: "no", Reason: "the link expired"},
		{Kind: "page", Title: "after the chat started"},
	} {
		e.TenantID, e.SessionID, e.ID, e.At = tenantID, sid, ids.New(), t0.Add(time.Duration(i)*time.Minute)
		must(w.db.AddHelpEvent(ctx, e))
	}
	_, err := w.db.LinkHelpSession(ctx, store.HelpLink{TenantID: tenantID, ConversationID: conv, SessionID: sid, LinkedAt: t0.Add(150 * time.Second)})
	must(err)

	var got struct {
		SessionID string    `json:"session_id"`
		StartedAt time.Time `json:"started_at"`
		Events    []struct {
			Kind, Query, Title, Helpful, Reason string
			Results, Seconds                    int
		} `json:"events"`
	}
	w.A.admin.do("GET", "/api/v1/conversations/"+conv+"/trail", nil).want(http.StatusOK).decode(&got)
	if got.SessionID != sid || !got.StartedAt.Equal(t0) || len(got.Events) != 3 {
		t.Fatalf("trail = %+v; want the three steps before the link", got)
	}
	if e := got.Events[1]; e.Kind != "article" || e.Seconds != 60 {
		t.Errorf("article step %+v, want 60 s on it", e)
	}
	if e := got.Events[2]; e.Helpful != "no" || e.Reason != "the link expired" {
		t.Errorf("feedback step %+v", e)
	}
	w.B.admin.do("GET", "/api/v1/conversations/"+conv+"/trail", nil).want(http.StatusNotFound)
}
