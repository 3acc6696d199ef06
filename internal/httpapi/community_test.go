package httpapi

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// publishedArticle creates an article in the tenant and publishes it.
func publishedArticle(t *testing.T, tf tenantFixture, body map[string]any) string {
	t.Helper()
	id := createdID(t, tf.admin, "/api/v1/knowledge/articles", body)
	tf.admin.in(t).do("POST", "/api/v1/knowledge/articles/"+id+"/state", map[string]any{"state": "published"}).want(http.StatusOK)
	return id
}

// TestCommunity is the proof that nothing but shared practices crosses
// tenants. Tenant A has conversations, a persona, a swarm room with its
// contributions, unshared, agents-only, work-in-progress and archived
// articles, and one shared article it edits after sharing. Tenant B, a
// member too, goes through every community endpoint and reads its realtime
// feed all along: every raw answer and frame is searched for each of A's ids
// and secret words, and only the shared snapshot and A's display name are
// found. Then a non-member is refused, and A's leaving withdraws the
// practice while B's adopted copy stays.
func TestCommunity(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testCommunity(t, newWorld(t, withEngine(e), leaderless))
		})
	}
}

func testCommunity(t *testing.T, w *world) {
	a, b := w.A, w.B
	// Everything of A that must never reach B.
	secrets := []string{a.Tenant.ID, a.Admin.ID, a.Tenant.Slug, a.Tenant.Name}
	secret := func(s string) string { secrets = append(secrets, s); return s }

	// B's feed, open from before A does anything.
	bFeed := w.feed(t, b.admin, 0)
	defer bFeed.Close(websocket.StatusNormalClosure, "")

	// A's other data: a customer, a conversation, a swarm room with a
	// message (a contribution), articles that are not shared.
	in := w.contactOn(t, a.Tenant.ID, secret("customer-secret-a"), secret("CONVSECRET my card was swallowed"))
	secret(in.Conversation.ID)
	secret(in.Persona.ID)
	var room swarmView
	a.admin.in(t).do("POST", "/api/v1/conversations/"+in.Conversation.ID+"/swarm", map[string]any{"question": secret("ROOMSECRET why swallowed")}).
		want(http.StatusCreated).decode(&room)
	secret(room.Room.ID)
	a.admin.in(t).do("POST", "/api/v1/swarm/rooms/"+room.Room.ID+"/messages", map[string]any{"body": secret("MSGSECRET ask the ATM team")}).
		want(http.StatusCreated)
	unshared := secret(publishedArticle(t, a, map[string]any{"title": secret("UNSHAREDSECRET title"), "resolution": "x", "audience": "customers"}))
	internal := secret(publishedArticle(t, a, map[string]any{"title": secret("AGENTSECRET title"), "resolution": "x", "audience": "agents"}))
	wip := secret(createdID(t, a.admin, "/api/v1/knowledge/articles", map[string]any{"title": secret("WIPSECRET title"), "resolution": "x"}))
	archived := secret(publishedArticle(t, a, map[string]any{"title": secret("ARCHIVESECRET title"), "resolution": "x", "audience": "both"}))
	a.admin.in(t).do("POST", "/api/v1/knowledge/articles/"+archived+"/state", map[string]any{"state": "archived"}).want(http.StatusOK)

	// The shared article: its queue (A's id) and owner stay behind.
	var q struct{ ID string }
	q.ID = createdID(t, a.admin, "/api/v1/queues", map[string]any{"name": secret("QUEUESECRET"), "strategy": "longest_idle", "channels": []string{"sms"}})
	secret(q.ID)
	shared := secret(publishedArticle(t, a, map[string]any{"title": "Unblock a swallowed card", "issue": "The ATM kept my card",
		"resolution": "Block it in the app, order a new one.", "audience": "both", "tags": []string{"cards"}, "queue_ids": []string{q.ID},
		"source_conversation_id": in.Conversation.ID, "external_id": secret("EXTSECRET-1")}))

	// Only members share; only publishers; only published customer articles.
	a.admin.in(t).do("PUT", "/api/v1/community/shared/"+shared, nil).wantProblem(http.StatusConflict, "not-a-member")
	if p := a.admin.in(t).do("PUT", "/api/v1/community", map[string]any{"display_name": " "}).wantProblem(http.StatusUnprocessableEntity, "validation"); p.Errors[0].Field != "display_name" {
		t.Errorf("blank display name: %+v", p)
	}
	a.admin.in(t).do("PUT", "/api/v1/community", map[string]any{"display_name": "Northwind  Bank"}).want(http.StatusOK)
	b.admin.in(t).do("PUT", "/api/v1/community", map[string]any{"display_name": "northwind bank"}).wantProblem(http.StatusConflict, "conflict")
	b.admin.in(t).do("PUT", "/api/v1/community", map[string]any{"display_name": "Contoso Credit Union"}).want(http.StatusOK)
	agent := w.sessionClient(t, w.seedUser(t, a.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
	agent.in(t).do("PUT", "/api/v1/community/shared/"+shared, nil).wantProblem(http.StatusForbidden, "forbidden")
	agent.in(t).do("PUT", "/api/v1/community", map[string]any{"display_name": "Mine"}).wantProblem(http.StatusForbidden, "forbidden")
	for _, id := range []string{internal, wip, archived} {
		a.admin.in(t).do("PUT", "/api/v1/community/shared/"+id, nil).wantProblem(http.StatusConflict, "not-shareable")
	}
	b.admin.in(t).do("PUT", "/api/v1/community/shared/"+shared, nil).wantProblem(http.StatusNotFound, "not-found")
	var share struct {
		PracticeID string `json:"practice_id"`
		Shared     bool
		Adoptions  int
	}
	a.admin.in(t).do("PUT", "/api/v1/community/shared/"+shared, nil).want(http.StatusOK).decode(&share)
	if !share.Shared || share.PracticeID == "" {
		t.Fatalf("share = %+v", share)
	}
	// Shared, then unshared and shared again: one practice, the same id.
	a.admin.in(t).do("PUT", "/api/v1/community/shared/"+unshared, nil).want(http.StatusOK)
	a.admin.in(t).do("DELETE", "/api/v1/community/shared/"+unshared, nil).want(http.StatusNoContent)
	// An edit after sharing stays in A until A shares again.
	var art struct{ Version int }
	a.admin.in(t).do("GET", "/api/v1/knowledge/articles/"+shared, nil).want(http.StatusOK).decode(&art)
	a.admin.in(t).do("PUT", "/api/v1/knowledge/articles/"+shared, map[string]any{"title": "Unblock a swallowed card", "issue": "The ATM kept my card",
		"resolution": secret("LATERSECRET call the branch"), "audience": "both", "version": art.Version}).want(http.StatusOK)

	// B, through every community endpoint.
	var bodies [][]byte
	keep := func(r *response) *response { bodies = append(bodies, r.body); return r }
	keep(b.admin.in(t).do("GET", "/api/v1/community", nil).want(http.StatusOK))
	var cat struct {
		Items []struct {
			ID, Title, Resolution string
			SharerName            string `json:"sharer_name"`
			Mine                  bool
		}
	}
	keep(b.admin.in(t).do("GET", "/api/v1/community/practices", nil).want(http.StatusOK)).decode(&cat)
	if len(cat.Items) != 1 || cat.Items[0].ID != share.PracticeID || cat.Items[0].SharerName != "Northwind Bank" || cat.Items[0].Mine ||
		cat.Items[0].Resolution != "Block it in the app, order a new one." {
		t.Fatalf("B's catalogue: %+v", cat)
	}
	keep(b.admin.in(t).do("GET", "/api/v1/community/practices?q=SWALLOWED+northwind", nil).want(http.StatusOK)).decode(&cat)
	if len(cat.Items) != 1 {
		t.Fatalf("search by title and sharer: %+v", cat)
	}
	keep(b.admin.in(t).do("GET", "/api/v1/community/practices?q=UNSHAREDSECRET", nil).want(http.StatusOK)).decode(&cat)
	if len(cat.Items) != 0 {
		t.Fatalf("search for the unshared article: %+v", cat)
	}
	keep(b.admin.in(t).do("GET", "/api/v1/community/practices/"+share.PracticeID, nil).want(http.StatusOK))
	// A's ids, were B to learn them, open nothing (the 404s only echo the
	// path B sent, so they are not searched below).
	for _, id := range []string{shared, unshared, internal, wip, archived, in.Conversation.ID} {
		b.admin.in(t).do("GET", "/api/v1/community/practices/"+id, nil).wantProblem(http.StatusNotFound, "not-found")
		b.admin.in(t).do("POST", "/api/v1/community/practices/"+id+"/adopt", nil).wantProblem(http.StatusNotFound, "not-found")
		b.admin.in(t).do("GET", "/api/v1/community/shared/"+id, nil).wantProblem(http.StatusNotFound, "not-found")
	}
	var adopted struct {
		Article struct {
			ID, State, Title, Resolution string
			QueueIDs                     []string `json:"queue_ids"`
		}
		Adoption struct {
			OriginName  string `json:"origin_name"`
			Attribution string
		}
	}
	keep(b.admin.in(t).do("POST", "/api/v1/community/practices/"+share.PracticeID+"/adopt", nil).want(http.StatusCreated)).decode(&adopted)
	if adopted.Article.State != "wip" || adopted.Article.Title != "Unblock a swallowed card" || len(adopted.Article.QueueIDs) != 0 ||
		!strings.HasSuffix(adopted.Article.Resolution, "*Adapted from Northwind Bank's practice.*") ||
		adopted.Adoption.OriginName != "Northwind Bank" {
		t.Fatalf("adopted: %+v", adopted)
	}
	keep(b.admin.in(t).do("GET", "/api/v1/knowledge/articles/"+adopted.Article.ID, nil).want(http.StatusOK))
	keep(b.admin.in(t).do("GET", "/api/v1/community/adoptions", nil).want(http.StatusOK))
	keep(b.admin.in(t).do("GET", "/api/v1/community/adoptions?article_id="+adopted.Article.ID, nil).want(http.StatusOK))
	keep(b.admin.in(t).do("GET", "/api/v1/community/shared", nil).want(http.StatusOK))
	keep(b.admin.in(t).do("GET", "/api/v1/community/shared/"+adopted.Article.ID, nil).want(http.StatusOK))
	keep(b.admin.in(t).do("GET", "/api/v1/community/practices", nil).want(http.StatusOK))

	// B's feed, up to B's own adoption.
	frames := readUntil(t, bFeed, func(ev event.Event) bool {
		return ev.Type == event.KnowledgeArticleChanged && strings.Contains(string(ev.Data), adopted.Article.ID)
	})
	for _, ev := range frames {
		if ev.TenantID != b.Tenant.ID {
			t.Errorf("B's feed carried an event of tenant %s: %s", ev.TenantID, ev.Type)
		}
		bodies = append(bodies, append([]byte(ev.Type+" "), ev.Data...))
	}
	for _, body := range bodies {
		for _, s := range secrets {
			if s != "" && bytes.Contains(bytes.ToLower(body), bytes.ToLower([]byte(s))) {
				t.Errorf("tenant B read %q of tenant A in: %s", s, body)
			}
		}
	}

	// The sharer sees the count; not who adopted.
	var mine struct{ Items []struct{ Adoptions int } }
	a.admin.in(t).do("GET", "/api/v1/community/shared", nil).want(http.StatusOK).decode(&mine)
	if len(mine.Items) != 1 || mine.Items[0].Adoptions != 1 {
		t.Fatalf("A's shares: %+v", mine)
	}

	// A non-member sees no practice.
	_, cAdmin := w.seedTenant(t, "tenant-c")
	c := w.sessionClient(t, cAdmin)
	c.in(t).do("GET", "/api/v1/community/practices", nil).wantProblem(http.StatusForbidden, "not-a-member")
	c.in(t).do("GET", "/api/v1/community/practices/"+share.PracticeID, nil).wantProblem(http.StatusNotFound, "not-found")
	c.in(t).do("POST", "/api/v1/community/practices/"+share.PracticeID+"/adopt", nil).wantProblem(http.StatusNotFound, "not-found")
	c.in(t).do("GET", "/api/v1/community/shared/"+shared, nil).wantProblem(http.StatusNotFound, "not-found")

	// A leaves: its practice is gone from B's catalogue; B's copy stays.
	a.admin.in(t).do("DELETE", "/api/v1/community", nil).want(http.StatusNoContent)
	b.admin.in(t).do("GET", "/api/v1/community/practices", nil).want(http.StatusOK).decode(&cat)
	if len(cat.Items) != 0 {
		t.Fatalf("B's catalogue after A left: %+v", cat)
	}
	b.admin.in(t).do("GET", "/api/v1/community/practices/"+share.PracticeID, nil).wantProblem(http.StatusNotFound, "not-found")
	b.admin.in(t).do("GET", "/api/v1/knowledge/articles/"+adopted.Article.ID, nil).want(http.StatusOK)
	a.admin.in(t).do("GET", "/api/v1/community/practices", nil).wantProblem(http.StatusForbidden, "not-a-member")
}
