package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/measures"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testKnowledgeMeasures builds two tenants' conversations, links, help
// sessions, feedback and flags through the store's own methods, then checks
// the measures computed from KnowledgeMeasureRows: the period's edges hold,
// the resolution time comes from the timeline, and tenant B's rows (built
// alike, with ids that would collide if the queries forgot the tenant)
// never count for tenant A.
func testKnowledgeMeasures(t *testing.T, db *store.DB) {
	ctx := context.Background()
	from := t0.Truncate(24 * time.Hour)
	to := from.Add(7 * 24 * time.Hour)
	at := func(h float64) time.Time { return from.Add(time.Duration(h * float64(time.Hour))) }

	seed := func(tn tenant.Tenant) {
		ana := tenant.User{ID: ids.New(), TenantID: tn.ID, Email: "ana@" + tn.Slug + ".example", Name: "Ana " + tn.Slug, Role: tenant.RoleAgent,
			Presence: tenant.PresenceOffline, PasswordHash: "h", CreatedAt: t0}
		must(t, "user", db.CreateUser(ctx, ana))
		card := NewArticle(tn.ID, "card-blocked", knowledge.Published)
		card.Title = "Card blocked " + tn.Slug
		loan := NewArticle(tn.ID, "loan", knowledge.WorkInProgress)
		must(t, "article", db.CreateArticle(ctx, card))
		must(t, "article", db.CreateArticle(ctx, loan))
		p := newPersona(t, db, tn.ID)
		resolved := func(team string, updated time.Time, timeline ...time.Time) conversation.Conversation {
			c := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusResolved,
				Priority: conversation.PriorityNormal, AssigneeID: ana.ID, Team: team, Channel: "email", Modalities: []string{"email"},
				LastMessageAt: from.Add(-time.Hour), CreatedAt: from.Add(-time.Hour), UpdatedAt: updated}
			must(t, "conversation", db.CreateConversation(ctx, c))
			// As stored before migration 0026: no resolved_at yet; the
			// migration's backfill below finds it from the timeline.
			_, err := db.SQL().ExecContext(ctx, `UPDATE conversations SET resolved_at = 0 WHERE id = $1`, c.ID)
			must(t, "unresolve", err)
			for _, when := range timeline {
				must(t, "resolved item", db.InsertMessage(ctx, conversation.Message{ID: ids.New(), TenantID: tn.ID, ConversationID: c.ID,
					Kind: conversation.KindSystem, AuthorType: "user", AuthorID: ana.ID, Body: "Status: resolved",
					Status: conversation.DeliveryReceived, Attachments: []conversation.Attachment{}, CreatedAt: when, UpdatedAt: when}))
			}
			return c
		}
		link := func(c conversation.Conversation, a knowledge.Article, kind knowledge.LinkKind, when time.Time) {
			_, err := db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: tn.ID, ConversationID: c.ID, ArticleID: a.ID, Kind: kind, AgentID: ana.ID, CreatedAt: when})
			must(t, "link", err)
		}
		// Resolved in the period (by the timeline, though updated after it) with a known article.
		c1 := resolved("cards", to.Add(time.Hour), at(1))
		link(c1, card, knowledge.LinkReused, at(1))
		// Resolved (no timeline: its last update) with an article written for it.
		c2 := resolved("cards", at(2))
		link(c2, loan, knowledge.LinkCreated, at(2))
		link(c2, card, knowledge.LinkReused, at(2))
		resolved("", at(3))                              // resolved, nothing linked, no team
		resolved("cards", to.Add(time.Hour), to)         // resolved at the end: out
		old := resolved("before", at(4), at(-1), at(-2)) // resolved before the period, updated in it: out
		link(old, card, knowledge.LinkReused, at(-1))
		open := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusOpen, Priority: conversation.PriorityNormal,
			AssigneeID: ana.ID, Channel: "email", Modalities: []string{"email"}, LastMessageAt: at(1), CreatedAt: at(1), UpdatedAt: at(1)}
		must(t, "open conversation", db.CreateConversation(ctx, open))
		// Resolved through the store at 5 h, then changed after the period
		// while still resolved: resolved at 5 h. Another resolved at 5 h and
		// reopened at 6 h: not resolved.
		update := func(c *conversation.Conversation, st conversation.Status, when time.Time) {
			c.Status, c.UpdatedAt = st, when
			must(t, "update conversation", db.UpdateConversation(ctx, c))
		}
		kept, reopened := open, open
		kept.ID, reopened.ID = ids.New(), ids.New()
		must(t, "conversation", db.CreateConversation(ctx, kept))
		must(t, "conversation", db.CreateConversation(ctx, reopened))
		update(&kept, conversation.StatusResolved, at(5))
		kept.Team = "later"
		update(&kept, conversation.StatusResolved, to.Add(2*time.Hour))
		update(&reopened, conversation.StatusResolved, at(5))
		update(&reopened, conversation.StatusOpen, at(6))
		if got, err := db.Conversation(ctx, tn.ID, kept.ID); err != nil || !got.ResolvedAt.Equal(at(5)) {
			t.Errorf("resolved_at of a conversation resolved at 5 h and changed since: %v, %v", got.ResolvedAt, err)
		}
		if got, err := db.Conversation(ctx, tn.ID, reopened.ID); err != nil || !got.ResolvedAt.IsZero() {
			t.Errorf("resolved_at of a reopened conversation: %v, %v", got.ResolvedAt, err)
		}

		// Help sessions: one served itself, one carried into a conversation,
		// one too recent to judge at "now".
		for _, h := range []struct {
			id         string
			start      float64
			carriedTo  string
			carriedAtH float64
		}{{"s-self", 1, "", 0}, {"s-carried", 2, open.ID, 3}, {"s-recent", 6*24 + 20, "", 0}, {"s-before", -3, "", 0}} {
			must(t, "help session", db.CreateHelpSession(ctx, store.HelpSession{TenantID: tn.ID, ID: h.id, StartedAt: at(h.start), LastAt: at(h.start)}))
			if h.carriedTo != "" {
				_, err := db.LinkHelpSession(ctx, store.HelpLink{TenantID: tn.ID, ConversationID: h.carriedTo, SessionID: h.id, LinkedAt: at(h.carriedAtH)})
				must(t, "help link", err)
			}
		}
		for i, f := range []struct {
			yes    bool
			reason string
			h      float64
		}{{true, "", 1}, {false, "outdated", 2}, {false, "outdated", 3}, {false, "", -1}} {
			must(t, "feedback", db.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: tn.ID, ID: ids.New(), ArticleID: card.ID,
				SessionID: "s-self", Helpful: f.yes, Reason: f.reason, CreatedAt: at(f.h + float64(i)/100)}))
		}
		// Flags: fixed in 2 h and in 30 h, one still open, one fixed before.
		for _, f := range [][2]float64{{1, 3}, {4, 34}, {5, 0}, {-9, -8}} {
			fl := knowledge.Flag{ID: ids.New(), TenantID: tn.ID, ArticleID: card.ID, Reason: "wrong fee", ByID: ana.ID, CreatedAt: at(f[0])}
			must(t, "flag", db.CreateFlag(ctx, fl))
			if f[1] != 0 {
				fl.ResolvedAt, fl.ResolvedBy = at(f[1]), ana.ID
				must(t, "fix flag", db.ResolveFlag(ctx, fl))
			}
		}
	}
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	seed(a)
	seed(b)
	backfillResolvedAt(t, db)
	// Tenant B has one more of everything, so a query that forgot the tenant shows.
	pb := newPersona(t, db, b.ID)
	extra := conversation.Conversation{ID: ids.New(), TenantID: b.ID, PersonaID: pb.ID, Status: conversation.StatusResolved, Priority: conversation.PriorityNormal,
		Channel: "sms", Modalities: []string{"sms"}, LastMessageAt: at(5), CreatedAt: at(5), UpdatedAt: at(6)}
	must(t, "b conversation", db.CreateConversation(ctx, extra))
	_, err := db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: b.ID, ConversationID: extra.ID, ArticleID: "b-art", Kind: knowledge.LinkReused, CreatedAt: at(6)})
	must(t, "b link", err)
	must(t, "b session", db.CreateHelpSession(ctx, store.HelpSession{TenantID: b.ID, ID: "s-b", StartedAt: at(7), LastAt: at(7)}))

	in, err := db.KnowledgeMeasureRows(ctx, a.ID, from, to)
	must(t, "measure rows", err)
	r := measures.Compute(in, measures.Period{From: from, To: to}, to.Add(time.Hour))
	if r.LinkRate.Resolved != 4 || r.LinkRate.Linked != 2 {
		t.Errorf("link rate %+v, want 2 of 4 resolved", r.LinkRate)
	}
	if len(r.Agents) != 1 || r.Agents[0].Name != "Ana alpha" || r.Agents[0].Resolved != 4 {
		t.Errorf("agents %+v", r.Agents)
	}
	if len(r.Teams) != 3 || r.Teams[0].Key != "cards" || r.Teams[0].Resolved != 2 || r.Teams[0].Linked != 2 {
		t.Errorf("teams %+v", r.Teams)
	}
	if len(r.Reuse) != 2 || r.Reuse[0].Title != "Card blocked alpha" || r.Reuse[0].Links != 2 || r.Reuse[1].Created != 1 {
		t.Errorf("reuse %+v", r.Reuse)
	}
	if r.NewVsKnown != (measures.NewVsKnown{Resolved: 4, Known: 1, New: 1, None: 2}) {
		t.Errorf("new vs known %+v", r.NewVsKnown)
	}
	if r.SelfService != (measures.SelfService{Sessions: 2, SelfServed: 1, Carried: 1, Rate: 0.5, TooRecent: 1}) {
		t.Errorf("self-service %+v", r.SelfService)
	}
	if len(r.Feedback) != 1 || r.Feedback[0].Yes != 1 || r.Feedback[0].No != 2 || len(r.Feedback[0].Reasons) != 1 || r.Feedback[0].Reasons[0].Count != 2 {
		t.Errorf("feedback %+v", r.Feedback)
	}
	if r.Flags != (measures.Flags{Opened: 3, Fixed: 2, OpenAtEnd: 1, MedianHours: 2, P90Hours: 30}) {
		t.Errorf("flags %+v", r.Flags)
	}
}

// backfillResolvedAt runs migration 0026's backfill again, as it ran on the
// conversations resolved before it.
func backfillResolvedAt(t *testing.T, db *store.DB) {
	t.Helper()
	all, err := store.Migrations(db.Engine())
	must(t, "migrations", err)
	for _, m := range all {
		if m.Version != 26 {
			continue
		}
		for _, stmt := range strings.Split(m.SQL, ";") {
			if strings.Contains(stmt, "UPDATE conversations SET resolved_at") {
				_, err := db.SQL().ExecContext(context.Background(), stmt)
				must(t, "backfill", err)
				return
			}
		}
	}
	t.Fatal("migration 0026 has no backfill of resolved_at")
}
