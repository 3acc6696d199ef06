package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/ids"
)

// conversationFixture is a customer's conversation with an answered
// satisfaction survey, so that GET …/csat finds one.
func conversationFixture(f *fixtures) string {
	c := f.contact().Conversation
	now := time.Now().UTC()
	v := csat.Survey{ID: ids.New(), TenantID: f.tf.Tenant.ID, ConversationID: c.ID, PersonaID: c.PersonaID, Channel: csat.Email,
		State: csat.Answered, Rating: 4, Comment: "fixture", DueAt: now, SentAt: now, ExpiresAt: now, AnsweredAt: now, CreatedAt: now, UpdatedAt: now}
	if _, err := f.w.db.InsertSurvey(context.Background(), v); err != nil {
		f.t.Fatalf("survey fixture: %v", err)
	}
	return c.ID
}

// TestCSATAPI: an admin reads the defaults, a bad setting is refused by
// field and changes nothing, a good one is kept; a conversation's survey
// and its wait are read through the API (by an agent, not only an admin).
func TestCSATAPI(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin
	var st csat.Settings
	admin.in(t).do("GET", "/api/v1/csat/settings", nil).want(http.StatusOK).decode(&st)
	if !st.Enabled || st.DelaySeconds != 900 || len(st.Channels) != 3 {
		t.Fatalf("defaults %+v", st)
	}
	bad := st
	bad.DelaySeconds = -5
	admin.in(t).do("PUT", "/api/v1/csat/settings", bad).wantProblem(http.StatusUnprocessableEntity, "validation")
	st.DelaySeconds, st.Question, st.Channels = 0, "Rate us from 1 to 5", []string{"webchat"}
	var got csat.Settings
	admin.in(t).do("PUT", "/api/v1/csat/settings", st).want(http.StatusOK).decode(&got)
	if got.DelaySeconds != 0 || got.Question != "Rate us from 1 to 5" || len(got.Channels) != 1 {
		t.Fatalf("stored %+v", got)
	}

	f := newFixtures(t, w, &w.A)
	conv := f.id("conversationID", "")
	var v csat.Survey
	admin.in(t).do("GET", "/api/v1/conversations/"+conv+"/csat", nil).want(http.StatusOK).decode(&v)
	if v.Rating != 4 || v.State != csat.Answered || v.ConversationID != conv {
		t.Fatalf("survey %+v", v)
	}
	var wait struct {
		Waiting  bool `json:"waiting"`
		Position int  `json:"position"`
	}
	admin.in(t).do("GET", "/api/v1/conversations/"+conv+"/wait", nil).want(http.StatusOK).decode(&wait)
	if wait.Waiting {
		t.Fatalf("a conversation never queued is waiting: %+v", wait)
	}
}
