package screenpop_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextrank"
	"github.com/switchboard-cx/switchboard/internal/contextrank/screenpop"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// t0 is storetest's seeding time: the customer's notice was sent then.
var t0 = time.Date(2026, 11, 24, 9, 30, 0, 123456000, time.UTC)

// TestScreenPopLearnsFromUse builds a customer's screen-pop from the
// internal sources (a notice sent ten minutes ago, a callback waiting, the
// help-center trail, a similar resolved case), records the impressions, takes an agent's use of the
// lowest item, learns from it only once the conversation is quiet (and only
// once), and forgets it on reset. On both engines.
func TestScreenPopLearnsFromUse(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			a := storetest.NewTenant(t, db, "pop-a")
			b := storetest.NewTenant(t, db, "pop-b")
			cust := storetest.SeedCustomer(t, db, a.ID, "pop")
			// A case imported from the former help desk, about the same thing.
			if err := db.PutKnowledgeCase(ctx, knowledge.Case{ID: ids.New(), TenantID: a.ID, ExternalID: "hd-1",
				Subject: "Call me back about the statement", CustomerText: "please call me back about my statement", ArticleIDs: []string{"art-1"}, ResolvedAt: t0.Add(-time.Hour),
				CreatedAt: t0, UpdatedAt: t0}); err != nil {
				t.Fatal(err)
			}
			kb, err := kbindex.OpenInMemory()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { kb.Close() })
			clk := clock.NewFake(t0.Add(10 * time.Minute))
			kbReuse := reuse.New(reuse.Deps{DB: db, Articles: db, Feedback: db, Search: reuse.IndexSearch{Index: kb}, Clock: clk})
			svc := screenpop.New(screenpop.Deps{DB: db, Knowledge: kbReuse, Clock: clk})

			s, err := svc.For(ctx, a.ID, "agent-1", cust.ConversationID, 0)
			if err != nil {
				t.Fatal(err)
			}
			sources := map[string]bool{}
			for _, it := range s.Items {
				sources[it.Source] = true
			}
			if len(s.Items) < 4 || !sources["notice"] || !sources["callback"] || !sources["trail"] || !sources["similar"] {
				t.Fatalf("items: %+v; sources: %+v", s.Items, s.Sources)
			}
			top := s.Items[0]
			if top.Source != "notice" || top.Position != 1 || !strings.HasPrefix(top.Why, "sent 10 min ago") {
				t.Errorf("top item: %+v, want the notice sent 10 min ago", top)
			}
			for _, src := range s.Sources {
				if src.Status != "ok" {
					t.Errorf("source %s: %s", src.Name, src.Status)
				}
			}
			shown, err := db.ContextFeedbackOf(ctx, a.ID, cust.ConversationID)
			if err != nil || len(shown) != len(s.Items) || shown[0].ItemKey != top.ID || shown[0].Position != 1 || !strings.Contains(string(shown[0].Features), "notice_recent") {
				t.Fatalf("impressions: %+v (%v)", shown, err)
			}

			if _, err := svc.For(ctx, b.ID, "agent-1", cust.ConversationID, 0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another tenant's screen-pop: %v, want not found", err)
			}
			last := s.Items[len(s.Items)-1]
			var fe *tenant.FieldError
			if err := svc.Feedback(ctx, a.ID, "agent-1", cust.ConversationID, "billing:never-shown", "use"); !errors.As(err, &fe) || fe.Field != "key" {
				t.Errorf("feedback on an item not shown: %v", err)
			}
			if err := svc.Feedback(ctx, a.ID, "agent-1", cust.ConversationID, last.ID, "like"); !errors.As(err, &fe) || fe.Field != "kind" {
				t.Errorf("feedback of an unknown kind: %v", err)
			}
			if err := svc.Feedback(ctx, b.ID, "agent-1", cust.ConversationID, last.ID, "use"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("feedback through another tenant: %v, want not found", err)
			}
			if err := svc.Feedback(ctx, a.ID, "agent-1", cust.ConversationID, last.ID, "use"); err != nil {
				t.Fatal(err)
			}

			if n, err := svc.Learn(ctx, a.ID); err != nil || n != 0 {
				t.Fatalf("learned %d events (%v) while the conversation is in use", n, err)
			}
			clk.Advance(screenpop.Quiet + time.Minute)
			n, err := svc.Learn(ctx, a.ID)
			if err != nil || n != len(s.Items)+1 {
				t.Fatalf("learned %d events (%v), want %d", n, err, len(s.Items)+1)
			}
			if again, err := svc.Learn(ctx, a.ID); err != nil || again != 0 {
				t.Fatalf("learned %d events again (%v)", again, err)
			}
			l, err := svc.Learned(ctx, a.ID)
			if err != nil || l.Contacts != 1 || l.Feedback != 1 {
				t.Fatalf("learned view: %+v (%v)", l, err)
			}
			w, err := svc.Weights(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			feature := "source:" + last.Source
			if w[feature] <= contextrank.DefaultWeights()[feature] {
				t.Errorf("%s after a use: %.3f, default %.3f", feature, w[feature], contextrank.DefaultWeights()[feature])
			}

			// Feedback given before a reset is not learned after it.
			if err := svc.Feedback(ctx, a.ID, "agent-1", cust.ConversationID, top.ID, "dismiss"); err != nil {
				t.Fatal(err)
			}
			if err := svc.Reset(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			clk.Advance(screenpop.Quiet + time.Minute)
			if n, err := svc.Learn(ctx, a.ID); err != nil || n != 0 {
				t.Fatalf("learned %d events (%v) given before the reset", n, err)
			}
			l, _ = svc.Learned(ctx, a.ID)
			w, _ = svc.Weights(ctx, a.ID)
			if l.Contacts != 0 || w[feature] != contextrank.DefaultWeights()[feature] {
				t.Errorf("after reset: %+v, %s %.3f", l, feature, w[feature])
			}

			// The scheduled learning (every node's housekeeping) finds the tenant's new feedback.
			again, err := svc.For(ctx, a.ID, "agent-2", cust.ConversationID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Feedback(ctx, a.ID, "agent-2", cust.ConversationID, again.Items[0].ID, "open"); err != nil {
				t.Fatal(err)
			}
			clk.Advance(screenpop.Quiet + time.Minute)
			svc.LearnAll(ctx)
			if l, _ = svc.Learned(ctx, a.ID); l.Contacts != 1 || l.Feedback != 1 {
				t.Errorf("after the scheduled learning: %+v", l)
			}
		})
	}
}
