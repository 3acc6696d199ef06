package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testContextFeedback: feedback events are the tenant's alone, listed per
// conversation oldest first; learning takes only quiet conversations'
// unlearned events and marks them; the model row is one per tenant.
func testContextFeedback(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "cfb-a"), NewTenant(t, db, "cfb-b")
	ev := func(conv, key, kind string, pos int, at time.Time) store.ContextFeedback {
		return store.ContextFeedback{ID: ids.New(), ConversationID: conv, ItemKey: key, Source: "billing",
			Features: []byte(`{"recency":0.5}`), Position: pos, Kind: kind, UserID: "u1", At: at}
	}
	quiet, busy := ids.New(), ids.New()
	must(t, "record a", db.RecordContextFeedback(ctx, a.ID, []store.ContextFeedback{
		ev(quiet, "billing:1", "impression", 1, t0), ev(quiet, "billing:2", "impression", 2, t0),
		ev(quiet, "billing:2", "use", 0, t0.Add(time.Minute)),
		ev(busy, "billing:1", "impression", 1, t0), ev(busy, "billing:1", "open", 0, t0.Add(time.Hour)),
	}))
	must(t, "record b", db.RecordContextFeedback(ctx, b.ID, []store.ContextFeedback{ev(quiet, "billing:9", "impression", 1, t0)}))

	got, err := db.ContextFeedbackOf(ctx, a.ID, quiet)
	must(t, "of conversation", err)
	if len(got) != 3 || got[0].Position != 1 || string(got[0].Features) != `{"recency":0.5}` || got[2].Kind != "use" ||
		!got[2].At.Equal(t0.Add(time.Minute)) || got[0].UserID != "u1" || got[0].Source != "billing" || got[0].Learned {
		t.Fatalf("feedback of conversation: %+v", got)
	}
	if other, _ := db.ContextFeedbackOf(ctx, b.ID, quiet); len(other) != 1 || other[0].ItemKey != "billing:9" {
		t.Fatalf("tenant b sees %+v", other)
	}

	last, err := db.LatestContextImpression(ctx, a.ID, quiet, "billing:2")
	must(t, "latest impression", err)
	if last.Position != 2 || last.Kind != "impression" {
		t.Fatalf("latest impression: %+v", last)
	}
	_, err = db.LatestContextImpression(ctx, b.ID, quiet, "billing:2")
	wantErr(t, "impression through another tenant", err, store.ErrNotFound)
	_, err = db.LatestContextImpression(ctx, a.ID, quiet, "billing:9")
	wantErr(t, "impression never shown", err, store.ErrNotFound)

	ten, err := db.TenantsWithUnlearnedContextFeedback(ctx)
	must(t, "tenants with unlearned", err)
	if !contains(ten, a.ID) || !contains(ten, b.ID) {
		t.Fatalf("tenants with unlearned feedback: %v", ten)
	}
	todo, err := db.UnlearnedContextFeedback(ctx, a.ID, t0.Add(30*time.Minute), 100)
	must(t, "unlearned", err)
	if len(todo) != 3 || todo[0].ConversationID != quiet {
		t.Fatalf("unlearned before the quiet time: %d events, want the quiet conversation's 3", len(todo))
	}
	var marked []string
	for _, f := range todo {
		marked = append(marked, f.ID)
	}
	must(t, "mark through another tenant", db.MarkContextFeedbackLearned(ctx, b.ID, marked))
	if again, _ := db.UnlearnedContextFeedback(ctx, a.ID, t0.Add(30*time.Minute), 100); len(again) != 3 {
		t.Fatalf("another tenant marked a's events learned: %d left", len(again))
	}
	must(t, "mark", db.MarkContextFeedbackLearned(ctx, a.ID, marked))
	if again, _ := db.UnlearnedContextFeedback(ctx, a.ID, t0.Add(2*time.Hour), 100); len(again) != 2 || again[0].ConversationID != busy {
		t.Fatalf("after marking: %+v", again)
	}

	// Learned events past their keeping go; unlearned ones stay whatever their age.
	n, err := db.DeleteLearnedContextFeedback(ctx, a.ID, t0.Add(30*time.Second))
	must(t, "delete learned", err)
	if left, _ := db.ContextFeedbackOf(ctx, a.ID, quiet); n != 2 || len(left) != 1 || left[0].Kind != "use" {
		t.Fatalf("after deleting learned events before t0+30s: deleted %d, left %+v", n, left)
	}
	if left, _ := db.ContextFeedbackOf(ctx, a.ID, busy); len(left) != 2 {
		t.Fatalf("unlearned events deleted: %d left", len(left))
	}

	_, err = db.ContextModelOf(ctx, a.ID)
	wantErr(t, "no model yet", err, store.ErrNotFound)
	must(t, "save", db.SaveContextModel(ctx, store.ContextModel{TenantID: a.ID, Model: []byte(`{"version":1}`), Version: 1, UpdatedAt: t0}))
	must(t, "replace", db.SaveContextModel(ctx, store.ContextModel{TenantID: a.ID, Model: []byte(`{"version":1,"contacts":2}`), Version: 1, UpdatedAt: t0.Add(time.Hour)}))
	m, err := db.ContextModelOf(ctx, a.ID)
	must(t, "model", err)
	if string(m.Model) != `{"version":1,"contacts":2}` || m.Version != 1 || !m.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("model: %+v", m)
	}
	_, err = db.ContextModelOf(ctx, b.ID)
	wantErr(t, "another tenant's model", err, store.ErrNotFound)

	// Erasing a customer deletes the feedback on their conversations.
	cust := SeedCustomer(t, db, a.ID, "cfb")
	must(t, "record on the customer's conversation", db.RecordContextFeedback(ctx, a.ID, []store.ContextFeedback{ev(cust.ConversationID, "notice:1", "impression", 1, t0)}))
	must(t, "erase persona", db.ErasePersona(ctx, a.ID, cust.PersonaID))
	if left, err := db.ContextFeedbackOf(ctx, a.ID, cust.ConversationID); err != nil || len(left) != 0 {
		t.Fatalf("after erasing the customer: %d events (%v)", len(left), err)
	}
	if kept, _ := db.ContextFeedbackOf(ctx, a.ID, quiet); len(kept) != 1 {
		t.Fatalf("erasing one customer took other conversations' feedback: %d left", len(kept))
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
