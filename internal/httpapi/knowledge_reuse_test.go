package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// kbView is GET /api/v1/conversations/{id}/knowledge as the tests read it.
type kbView struct {
	Suggestions []struct {
		ArticleID string `json:"article_id"`
		Title     string
		Why       []string
		Linked    bool
	}
	Links []struct {
		ArticleID string `json:"article_id"`
		Kind      string
	}
	Searches []struct {
		Query   string
		Results int
	}
	Outcome string
}

func (v kbView) suggested(id string) (why []string, linked, ok bool) {
	for _, s := range v.Suggestions {
		if s.ArticleID == id {
			return s.Why, s.Linked, true
		}
	}
	return nil, false, false
}

// newArticle creates a validated article (agents reuse it) as the tenant's
// admin, and waits until the node's search index has it.
func (w *world) newArticle(t *testing.T, tf tenantFixture, title, issue, resolution string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"title": title, "issue": issue, "resolution": resolution, "audience": "agents", "locale": "en"}
	for k, v := range extra {
		body[k] = v
	}
	id := createdID(t, tf.admin, "/api/v1/knowledge/articles", body)
	tf.admin.in(t).do("POST", "/api/v1/knowledge/articles/"+id+"/state", map[string]any{"state": "validated"}).want(http.StatusOK)
	w.index(t, tf, id)
	return id
}

// index waits until the node's search index has the tenant's article as SQL
// has it (the index follows the articles' events).
func (w *world) index(t *testing.T, tf tenantFixture, id string) {
	t.Helper()
	want, err := w.db.Article(context.Background(), tf.Tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	w.await(t, "the index has "+want.Title, func() bool {
		res, err := w.knowledge.Search(context.Background(), kbindex.Query{TenantID: tf.Tenant.ID, Text: want.Title, Limit: 50})
		if err != nil {
			return false
		}
		for _, h := range res.Hits {
			if h.ArticleID == id && h.State == want.State {
				return true
			}
		}
		return false
	})
}

// KCS in the desktop, end to end over HTTP on both engines: suggestions by
// text, searches recorded, links (reuse and creation), dismissals, the
// outcome, the draft; a resolved conversation becomes a past case whose link
// then suggests its article for a conversation like it that the text alone
// would not find; another tenant's conversation or article is not found.
func TestConversationKnowledge(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			ctx := context.Background()
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			anaC := w.sessionClient(t, ana).in(t)
			card := w.newArticle(t, w.A, "Card delivery times", "My card has not arrived", "Cards arrive within 10 working days.", nil)
			pin := w.newArticle(t, w.A, "Change your PIN", "I want a new PIN for my card", "Change it at any cash machine.", nil)
			topup := w.newArticle(t, w.A, "Top-up by bank transfer", "How do I add money with a transfer", "Use the reference shown in the app.", nil)
			foreign := w.newArticle(t, w.B, "Card delivery times", "My card has not arrived", "Elsewhere.", nil)

			c1 := w.contactOn(t, w.A.Tenant.ID, "c1", "Hello, my new card has not arrived yet").Conversation.ID
			base := "/api/v1/conversations/" + c1 + "/knowledge"
			var v kbView
			anaC.do("GET", base, nil).want(http.StatusOK).decode(&v)
			if why, _, ok := v.suggested(card); !ok || !slices.Contains(why, "text") {
				t.Fatalf("suggestions %+v: want the card article, for its text", v.Suggestions)
			}
			if _, _, ok := v.suggested(foreign); ok {
				t.Fatalf("tenant B's article is suggested in tenant A: %+v", v.Suggestions)
			}
			if v.Outcome != "" || len(v.Links) != 0 || len(v.Searches) != 0 {
				t.Fatalf("a new conversation's knowledge: %+v", v)
			}

			// Help-center readers found the card article helpful: it says so.
			for range 3 {
				if err := w.db.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: w.A.Tenant.ID, ID: ids.New(), ArticleID: card, Helpful: true, CreatedAt: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			anaC.do("GET", base, nil).want(http.StatusOK).decode(&v)
			if why, _, _ := v.suggested(card); !slices.Equal(why, []string{"text", "feedback"}) {
				t.Errorf("why of an article readers found helpful: %v, want text and feedback", why)
			}

			// Searching is capturing.
			var hits struct {
				Items []struct {
					ArticleID string `json:"article_id"`
				}
			}
			anaC.do("POST", base+"/searches", map[string]any{"q": "PIN"}).want(http.StatusOK).decode(&hits)
			if len(hits.Items) != 1 || hits.Items[0].ArticleID != pin {
				t.Fatalf("search PIN: %+v", hits.Items)
			}
			anaC.do("POST", base+"/searches", map[string]any{"q": " "}).wantProblem(http.StatusUnprocessableEntity, "validation")

			// Link, dismiss, outcome.
			var link struct {
				ArticleID string `json:"article_id"`
				Kind      string
			}
			anaC.do("POST", base+"/links", map[string]any{"article_id": card}).want(http.StatusCreated).decode(&link)
			if link.ArticleID != card || link.Kind != "linked" {
				t.Fatalf("link: %+v", link)
			}
			anaC.do("POST", base+"/dismissals", map[string]any{"article_id": pin}).want(http.StatusNoContent)
			anaC.do("PUT", base+"/outcome", map[string]any{"outcome": "linked"}).want(http.StatusOK)
			anaC.do("PUT", base+"/outcome", map[string]any{"outcome": "maybe"}, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
			anaC.do("GET", base, nil).want(http.StatusOK).decode(&v)
			if _, linked, ok := v.suggested(card); !ok || !linked {
				t.Errorf("the linked article is not shown linked: %+v", v.Suggestions)
			}
			if _, _, ok := v.suggested(pin); ok {
				t.Errorf("a dismissed article is suggested again: %+v", v.Suggestions)
			}
			if len(v.Searches) != 1 || v.Searches[0].Query != "PIN" || v.Searches[0].Results != 1 || v.Outcome != "linked" ||
				len(v.Links) != 1 || v.Links[0].ArticleID != card {
				t.Errorf("after search, link, dismissal and outcome: %+v", v)
			}

			// Create an article from the conversation: the draft, then the link is a creation.
			anaC.do("POST", "/api/v1/conversations/"+c1+"/messages", map[string]any{"body": "Sorry about that, I have sent a replacement card."}).want(http.StatusCreated)
			var draft struct {
				Title, Issue, Resolution string
				SourceConversationID     string `json:"source_conversation_id"`
			}
			anaC.do("GET", base+"/draft", nil).want(http.StatusOK).decode(&draft)
			if !strings.Contains(draft.Issue, "my new card has not arrived") || !strings.Contains(draft.Resolution, "sent a replacement card") ||
				draft.SourceConversationID != c1 || draft.Title == "" {
				t.Errorf("draft: %+v", draft)
			}
			created := createdID(t, anaC, "/api/v1/knowledge/articles", map[string]any{"title": draft.Title, "issue": draft.Issue,
				"resolution": draft.Resolution, "audience": "agents", "locale": "en", "source_conversation_id": c1})
			anaC.do("POST", base+"/links", map[string]any{"article_id": created}).want(http.StatusCreated).decode(&link)
			if link.Kind != "created" {
				t.Errorf("link of the article written from this conversation: %+v, want kind created", link)
			}
			anaC.do("DELETE", base+"/links/"+created, nil).want(http.StatusNoContent)
			anaC.do("DELETE", base+"/links/"+created, nil).want(http.StatusNoContent) // unlinked already
			anaC.do("DELETE", base+"/links/"+foreign, nil).wantProblem(http.StatusNotFound, "not-found")

			// Another tenant: neither its conversation nor its article is found.
			bC := w.B.admin.in(t)
			bC.do("GET", base, nil).wantProblem(http.StatusNotFound, "not-found")
			bC.do("POST", base+"/links", map[string]any{"article_id": foreign}).wantProblem(http.StatusNotFound, "not-found")
			bC.do("GET", base+"/draft", nil).wantProblem(http.StatusNotFound, "not-found")
			// Another tenant's article named in the body is the field's fault.
			if p := anaC.do("POST", base+"/links", map[string]any{"article_id": foreign}).wantProblem(http.StatusUnprocessableEntity, "validation"); p.Errors[0].Field != "article_id" {
				t.Errorf("linking B's article: %+v", p)
			}
			anaC.do("POST", base+"/dismissals", map[string]any{"article_id": foreign}).wantProblem(http.StatusUnprocessableEntity, "validation")

			// Resolving makes a past case; a conversation like it, whose words
			// match no article's, is then suggested the article it was linked to.
			c2 := w.contactOn(t, w.A.Tenant.ID, "c2", "I moved money from my other bank this morning and it still shows nothing").Conversation.ID
			anaC.do("POST", "/api/v1/conversations/"+c2+"/knowledge/links", map[string]any{"article_id": topup}).want(http.StatusCreated)
			anaC.do("PATCH", "/api/v1/conversations/"+c2, map[string]any{"status": "resolved"}).want(http.StatusOK)
			w.await(t, "the past case of the resolved conversation", func() bool {
				pc, err := w.db.KnowledgeCaseByConversation(ctx, w.A.Tenant.ID, c2)
				return err == nil && slices.Equal(pc.ArticleIDs, []string{topup})
			})
			c3 := w.contactOn(t, w.A.Tenant.ID, "c3", "moved money from my other bank, still shows nothing").Conversation.ID
			anaC.do("GET", "/api/v1/conversations/"+c3+"/knowledge", nil).want(http.StatusOK).decode(&v)
			if why, _, ok := v.suggested(topup); !ok || !slices.Contains(why, "similar_cases") || v.Suggestions[0].ArticleID != topup {
				t.Errorf("suggestions for a conversation like a resolved one: %+v, want the top-up article first, for similar cases", v.Suggestions)
			}
		})
	}
}

// The past-cases import: good lines imported, bad ones reported by line
// and reason, a repeat changes nothing, a change updates.
func TestImportCases(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			ctx := context.Background()
			admin := w.A.admin.in(t)
			card := w.newArticle(t, w.A, "Card delivery times", "My card has not arrived", "Ten days.", map[string]any{"external_id": "card-delivery"})
			w.newArticle(t, w.B, "B's article", "b", "b", map[string]any{"external_id": "b-only"})
			lines := strings.Join([]string{
				`{"external_id":"zd-1","subject":"Card","customer_text":"my card is not here","agent_text":"sent","resolved_at":"2026-10-02T14:03:00Z","article_external_ids":["card-delivery"]}`,
				`{"external_id":"zd-2","customer_text":"x","resolved_at":"2026-10-02T14:03:00Z","article_external_ids":["card-delivry"]}`,
				``,
				`not json`,
				`{"external_id":"zd-3","customer_text":"x","resolved_at":"2026-10-02T14:03:00Z","article_external_ids":["b-only"]}`,
				`{"customer_text":"x","resolved_at":"2026-10-02T14:03:00Z","article_external_ids":["card-delivery"]}`,
			}, "\n")
			type result struct {
				Imported, Updated, Unchanged int
				Failed                       []struct {
					Line   int
					Reason string
				}
			}
			var res result
			admin.do("POST", "/api/v1/knowledge/imports/cases", rawBody{"application/x-ndjson", []byte(lines)}).want(http.StatusOK).decode(&res)
			if res.Imported != 1 || res.Updated != 0 || len(res.Failed) != 4 {
				t.Fatalf("first import: %+v", res)
			}
			for i, want := range []struct {
				line   int
				reason string
			}{{2, `article_external_ids[0]: no article has external_id "card-delivry"`}, {4, "not a JSON object"},
				{5, `no article has external_id "b-only"`}, {6, "external_id: is required"}} {
				if res.Failed[i].Line != want.line || !strings.Contains(res.Failed[i].Reason, want.reason) {
					t.Errorf("failure %d: %+v, want line %d: %s", i, res.Failed[i], want.line, want.reason)
				}
			}
			admin.do("POST", "/api/v1/knowledge/imports/cases", rawBody{"application/x-ndjson", []byte(lines)}).want(http.StatusOK).decode(&res)
			if res.Imported != 0 || res.Unchanged != 1 || len(res.Failed) != 4 {
				t.Fatalf("the same import again: %+v", res)
			}
			changed := strings.Replace(lines, "my card is not here", "my card never came", 1)
			admin.do("POST", "/api/v1/knowledge/imports/cases", rawBody{"application/x-ndjson", []byte(changed)}).want(http.StatusOK).decode(&res)
			if res.Updated != 1 {
				t.Fatalf("a changed line: %+v", res)
			}
			pc, err := w.db.KnowledgeCaseByExternalID(ctx, w.A.Tenant.ID, "zd-1")
			if err != nil || pc.CustomerText != "my card never came" || !slices.Equal(pc.ArticleIDs, []string{card}) {
				t.Fatalf("imported case: %+v %v", pc, err)
			}
			if _, err := w.db.KnowledgeCaseByExternalID(ctx, w.B.Tenant.ID, "zd-1"); err == nil {
				t.Fatal("tenant B has tenant A's imported case")
			}
			admin.do("POST", "/api/v1/knowledge/imports/cases", map[string]any{"x": 1}, outsideSpec).wantProblem(http.StatusUnsupportedMediaType, "unsupported-media-type")
		})
	}
}
