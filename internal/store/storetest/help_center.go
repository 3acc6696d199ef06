package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testHelpCenter covers the help center's sessions, trails, feedback and
// links: order, the search that grows in place, the cap, one session per
// conversation, the idle sweep, and that another tenant reaches none of it.
func testHelpCenter(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "helpa"), NewTenant(t, db, "helpb")
	s := store.HelpSession{TenantID: a.ID, ID: "sess-a", Locale: "en", StartedAt: t0, LastAt: t0}
	must(t, "create session", db.CreateHelpSession(ctx, s))
	wantErr(t, "same id again", db.CreateHelpSession(ctx, s), store.ErrConflict)
	got, err := db.HelpSessionByID(ctx, a.ID, "sess-a")
	must(t, "session", err)
	if got.Locale != "en" || !got.StartedAt.Equal(t0) {
		t.Errorf("session = %+v", got)
	}
	_, err = db.HelpSessionByID(ctx, b.ID, "sess-a")
	wantErr(t, "other tenant's session", err, store.ErrNotFound)

	ev := func(at time.Duration, kind, q string) store.HelpEvent {
		return store.HelpEvent{TenantID: a.ID, SessionID: "sess-a", ID: ids.New(), At: t0.Add(at), Kind: kind, Query: q, Title: kind + q}
	}
	search := ev(time.Second, "search", "pass")
	for _, e := range []store.HelpEvent{ev(0, "page", ""), search, ev(20*time.Second, "article", "")} {
		must(t, "add event", db.AddHelpEvent(ctx, e))
	}
	search.Query, search.Results, search.At = "password", 3, t0.Add(2*time.Second)
	must(t, "replace", db.ReplaceHelpEvent(ctx, search))
	must(t, "feedback event", db.AddHelpEvent(ctx, store.HelpEvent{TenantID: a.ID, SessionID: "sess-a", ID: ids.New(),
		At: t0.Add(30 * time.Second), Kind: "feedback", Slug: "reset", Helpful: "no", Reason: "link expired"}))
	trail, err := db.HelpEvents(ctx, a.ID, "sess-a", time.Time{})
	must(t, "events", err)
	var kinds []string
	for _, e := range trail {
		kinds = append(kinds, e.Kind)
	}
	if fmt.Sprint(kinds) != "[page search article feedback]" {
		t.Fatalf("trail kinds = %v", kinds)
	}
	if trail[1].Query != "password" || trail[1].Results != 3 || trail[3].Helpful != "no" || trail[3].Reason != "link expired" {
		t.Errorf("trail = %+v", trail)
	}
	if last, err := db.LastHelpEvent(ctx, a.ID, "sess-a"); err != nil || last.Kind != "feedback" {
		t.Errorf("last event = %+v, %v; want the feedback", last, err)
	}
	if _, err := db.LastHelpEvent(ctx, b.ID, "sess-a"); err == nil {
		t.Errorf("tenant b reads a's last event")
	}
	if until, _ := db.HelpEvents(ctx, a.ID, "sess-a", t0.Add(20*time.Second)); len(until) != 3 {
		t.Errorf("events until the article: %d, want 3", len(until))
	}
	if last, _ := db.HelpSessionByID(ctx, a.ID, "sess-a"); !last.LastAt.Equal(t0.Add(30 * time.Second)) {
		t.Errorf("last_at = %v, want the newest event's time", last.LastAt)
	}
	// Another tenant can neither read nor write this trail.
	if other, _ := db.HelpEvents(ctx, b.ID, "sess-a", time.Time{}); len(other) != 0 {
		t.Errorf("tenant b reads %d of a's events", len(other))
	}
	foreign := ev(time.Minute, "page", "")
	foreign.TenantID = b.ID
	wantErr(t, "event into another tenant's session", db.AddHelpEvent(ctx, foreign), store.ErrNotFound)
	search.TenantID = b.ID
	wantErr(t, "replace from another tenant", db.ReplaceHelpEvent(ctx, search), store.ErrNotFound)

	// The trail keeps the newest MaxHelpEvents.
	must(t, "session 2", db.CreateHelpSession(ctx, store.HelpSession{TenantID: a.ID, ID: "busy", StartedAt: t0, LastAt: t0}))
	for i := range store.MaxHelpEvents + 5 {
		must(t, "busy event", db.AddHelpEvent(ctx, store.HelpEvent{TenantID: a.ID, SessionID: "busy", ID: ids.New(),
			At: t0.Add(time.Duration(i) * time.Second), Kind: "page", Title: fmt.Sprint(i)}))
	}
	busy, err := db.HelpEvents(ctx, a.ID, "busy", time.Time{})
	must(t, "busy events", err)
	if len(busy) != store.MaxHelpEvents || busy[0].Title != "5" {
		t.Errorf("busy trail: %d events from %q, want %d from \"5\"", len(busy), busy[0].Title, store.MaxHelpEvents)
	}

	// Feedback counts per article.
	for i, helpful := range []bool{true, false, false} {
		must(t, "feedback", db.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: a.ID, ID: ids.New(), ArticleID: "art1",
			SessionID: "busy", Helpful: helpful, Reason: fmt.Sprint("reason ", i), CreatedAt: t0}))
	}
	if yes, no, err := db.HelpFeedbackCounts(ctx, a.ID, "art1"); err != nil || yes != 1 || no != 2 {
		t.Errorf("counts = %d yes, %d no, %v; want 1, 2", yes, no, err)
	}
	if yes, no, _ := db.HelpFeedbackCounts(ctx, b.ID, "art1"); yes+no != 0 {
		t.Errorf("tenant b counts a's feedback: %d, %d", yes, no)
	}

	// One session per conversation: the first link stays.
	linked, err := db.LinkHelpSession(ctx, store.HelpLink{TenantID: a.ID, ConversationID: "conv1", SessionID: "sess-a", LinkedAt: t0.Add(time.Minute)})
	if err != nil || !linked {
		t.Fatalf("link = %v, %v", linked, err)
	}
	if again, err := db.LinkHelpSession(ctx, store.HelpLink{TenantID: a.ID, ConversationID: "conv1", SessionID: "busy", LinkedAt: t0}); err != nil || again {
		t.Errorf("second link = %v, %v; want false", again, err)
	}
	l, err := db.HelpLinkOf(ctx, a.ID, "conv1")
	if err != nil || l.SessionID != "sess-a" || !l.LinkedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("link = %+v, %v", l, err)
	}
	_, err = db.HelpLinkOf(ctx, b.ID, "conv1")
	wantErr(t, "other tenant's link", err, store.ErrNotFound)

	// The sweep takes idle sessions no conversation came from, and unties
	// their feedback; a linked session stays however old.
	n, err := db.DeleteIdleHelpSessions(ctx, t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d idle sessions, %v; want 1 (busy)", n, err)
	}
	if _, err := db.HelpSessionByID(ctx, a.ID, "sess-a"); err != nil {
		t.Errorf("the linked session went: %v", err)
	}
	if left, _ := db.HelpEvents(ctx, a.ID, "busy", time.Time{}); len(left) != 0 {
		t.Errorf("%d events of the swept session remain", len(left))
	}
	if yes, no, _ := db.HelpFeedbackCounts(ctx, a.ID, "art1"); yes != 1 || no != 2 {
		t.Errorf("feedback after the sweep: %d, %d; want it kept", yes, no)
	}
	var tied int
	must(t, "tied feedback", db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM help_feedback WHERE session_id = 'busy'`).Scan(&tied))
	if tied != 0 {
		t.Errorf("%d feedback rows still name the swept session", tied)
	}
}

// SeedHelpTrail gives the customer's conversation a help-center trail with
// the marker in a search and in a "did not help" reason, for the erasure
// scans.
func SeedHelpTrail(t *testing.T, db *store.DB, tenantID, conversationID, marker string) {
	t.Helper()
	ctx := context.Background()
	sid := "help-" + conversationID
	must(t, "help session", db.CreateHelpSession(ctx, store.HelpSession{TenantID: tenantID, ID: sid, StartedAt: t0, LastAt: t0}))
	must(t, "help search", db.AddHelpEvent(ctx, store.HelpEvent{TenantID: tenantID, SessionID: sid, ID: ids.New(), At: t0,
		Kind: "search", Query: "where is " + marker}))
	must(t, "help feedback event", db.AddHelpEvent(ctx, store.HelpEvent{TenantID: tenantID, SessionID: sid, ID: ids.New(), At: t0,
		Kind: "feedback", Helpful: "no", Reason: "did not find " + marker}))
	must(t, "help feedback", db.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: tenantID, ID: ids.New(), ArticleID: "a1",
		SessionID: sid, Reason: "did not find " + marker, CreatedAt: t0}))
	_, err := db.LinkHelpSession(ctx, store.HelpLink{TenantID: tenantID, ConversationID: conversationID, SessionID: sid, LinkedAt: t0})
	must(t, "help link", err)
}
