package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testCSAT: settings round-trip per tenant; one survey per conversation; a
// survey moves only from the state it was read in; the reads an SMS reply
// and the sender use find the right one, never another tenant's.
func testCSAT(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "csat-a"), NewTenant(t, db, "csat-b")

	if _, err := db.CSATSettings(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("settings before any: %v", err)
	}
	st := csat.DefaultSettings()
	st.DelaySeconds, st.Channels, st.Question, st.UpdatedAt = 60, []string{csat.SMS}, "Rate us 1–5", t0
	if err := db.PutCSATSettings(ctx, a.ID, st); err != nil {
		t.Fatal(err)
	}
	got, err := db.CSATSettings(ctx, a.ID)
	if err != nil || got.DelaySeconds != 60 || got.Question != "Rate us 1–5" || len(got.Channels) != 1 || got.Channels[0] != "sms" || !got.UpdatedAt.Equal(t0) || !got.Enabled {
		t.Fatalf("settings: %+v %v", got, err)
	}
	st.Enabled = false
	if err := db.PutCSATSettings(ctx, a.ID, st); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CSATSettings(ctx, a.ID); got.Enabled {
		t.Fatal("settings not replaced")
	}
	if _, err := db.CSATSettings(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("tenant b sees a's settings: %v", err)
	}

	conv, persona := ids.New(), ids.New()
	v := csat.Survey{ID: ids.New(), TenantID: a.ID, ConversationID: conv, PersonaID: persona, Channel: csat.SMS, QueueID: "q1",
		AgentID: "u1", State: csat.Scheduled, DueAt: t0.Add(time.Minute), CreatedAt: t0, UpdatedAt: t0}
	if ok, err := db.InsertSurvey(ctx, v); !ok || err != nil {
		t.Fatalf("insert: %v %v", ok, err)
	}
	again := v
	again.ID = ids.New()
	if ok, err := db.InsertSurvey(ctx, again); ok || err != nil {
		t.Fatalf("second survey of one conversation: %v %v", ok, err)
	}
	if next, err := db.NextSurveyDue(ctx); err != nil || !next.Equal(v.DueAt) {
		t.Fatalf("next due %v %v", next, err)
	}
	if due, err := db.DueSurveys(ctx, t0, 10); err != nil || len(due) != 0 {
		t.Fatalf("due before its time: %v %v", due, err)
	}
	due, err := db.DueSurveys(ctx, t0.Add(time.Minute), 10)
	if err != nil || len(due) != 1 || due[0].ID != v.ID || due[0].QueueID != "q1" {
		t.Fatalf("due: %+v %v", due, err)
	}

	sent := due[0]
	sent.State, sent.SentAt, sent.ExpiresAt, sent.TokenHash = csat.Sent, t0.Add(time.Minute), t0.Add(time.Hour), "abc123"
	if err := db.UpdateSurvey(ctx, sent, csat.Scheduled); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateSurvey(ctx, sent, csat.Scheduled); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second sender moved it again: %v", err)
	}
	if _, err := db.Survey(ctx, b.ID, v.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("tenant b reads a's survey: %v", err)
	}
	if got, err := db.SurveyByToken(ctx, "abc123"); err != nil || got.ID != v.ID {
		t.Fatalf("by token: %v %v", got.ID, err)
	}
	if _, err := db.SurveyByToken(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty token: %v", err)
	}
	if got, err := db.OpenSurveyFor(ctx, a.ID, persona, csat.SMS, t0.Add(30*time.Minute)); err != nil || got.ID != v.ID {
		t.Fatalf("open for the persona: %v %v", got.ID, err)
	}
	for _, miss := range []struct {
		tenant, persona, channel string
		at                       time.Time
	}{
		{b.ID, persona, csat.SMS, t0.Add(30 * time.Minute)},
		{a.ID, persona, csat.Email, t0.Add(30 * time.Minute)},
		{a.ID, persona, csat.SMS, t0.Add(time.Hour)},
	} {
		if _, err := db.OpenSurveyFor(ctx, miss.tenant, miss.persona, miss.channel, miss.at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("open survey found for %+v: %v", miss, err)
		}
	}
	// Expired ones come back from DueSurveys to be closed.
	if due, _ := db.DueSurveys(ctx, t0.Add(time.Hour), 10); len(due) != 1 || due[0].State != csat.Sent {
		t.Fatalf("expired not due: %+v", due)
	}

	ans := sent
	ans.State, ans.Rating, ans.Comment, ans.AnswerRef, ans.AnsweredAt = csat.Answered, 4, "kind", "SM9", t0.Add(2*time.Minute)
	if err := db.UpdateSurvey(ctx, ans, csat.Sent); err != nil {
		t.Fatal(err)
	}
	if got, err := db.SurveyAnsweredBy(ctx, a.ID, persona, "SM9"); err != nil || got.Rating != 4 || got.Comment != "kind" {
		t.Fatalf("answered by: %+v %v", got, err)
	}
	if _, err := db.SurveyAnsweredBy(ctx, a.ID, persona, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty ref: %v", err)
	}
	if got, err := db.SurveyOf(ctx, a.ID, conv); err != nil || got.State != csat.Answered || !got.AnsweredAt.Equal(ans.AnsweredAt) {
		t.Fatalf("of conversation: %+v %v", got, err)
	}
	if next, err := db.NextSurveyDue(ctx); err != nil || !next.IsZero() {
		t.Fatalf("next due with none scheduled: %v %v", next, err)
	}

	// The latest routed queue of a conversation.
	if q, err := db.LastQueueOf(ctx, a.ID, conv); err != nil || q != "" {
		t.Fatalf("never routed: %q %v", q, err)
	}
}
