package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type articleJSON struct {
	ID             string   `json:"id"`
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Resolution     string   `json:"resolution"`
	ResolutionHTML string   `json:"resolution_html"`
	Tags           []string `json:"tags"`
	State          string   `json:"state"`
	Version        int      `json:"version"`
	OwnerID        string   `json:"owner_id"`
	PublishedAt    *string  `json:"published_at"`
	OpenFlags      int      `json:"open_flags"`
	StateChangedBy string   `json:"state_changed_by"`
}

func articleBody(title, resolution string) map[string]any {
	return map[string]any{"title": title, "issue": "My card does not work", "resolution": resolution,
		"audience": "both", "tags": []string{"Cards", "cards", "PIN"}, "category": "Cards"}
}

// TestKnowledgeArticles walks an article through its life on both engines:
// written by an agent (Markdown with a script in it, neutralised), edited
// (a stale version refused), moved (publishing refused to a non-publisher,
// allowed once they are made one), compared, restored, flagged, and kept
// from the other tenant.
func TestKnowledgeArticles(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testKnowledgeArticles(t, newWorld(t, withEngine(e)))
		})
	}
}

func testKnowledgeArticles(t *testing.T, w *world) {
	agent := w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)
	ac := w.sessionClient(t, agent)
	other := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "other@tenant-a.example", tenant.RoleAgent))
	admin := w.A.admin

	// Created in work in progress; the script in the Markdown is neutralised.
	evil := "Open the app and press **Unblock**.\n\n<script>alert(1)</script>\n\n[help](javascript:alert(2)) <img src=x onerror=alert(3)>"
	var art articleJSON
	ac.do("POST", "/api/v1/knowledge/articles", articleBody("Card blocked!", evil)).want(http.StatusCreated).decode(&art)
	if art.State != "wip" || art.Version != 1 || art.Slug != "card-blocked" || art.OwnerID != agent.ID || art.Resolution != evil {
		t.Fatalf("created %+v", art)
	}
	if strings.Join(art.Tags, ",") != "cards,pin" {
		t.Errorf("tags %v, want cards,pin (lower case, once each)", art.Tags)
	}
	if !strings.Contains(art.ResolutionHTML, "<strong>Unblock</strong>") {
		t.Errorf("resolution_html lost the Markdown: %s", art.ResolutionHTML)
	}
	for _, bad := range []string{"<script", "alert", "javascript:", "onerror"} {
		if strings.Contains(strings.ToLower(art.ResolutionHTML), bad) {
			t.Errorf("resolution_html still has %q: %s", bad, art.ResolutionHTML)
		}
	}
	var twin articleJSON
	ac.do("POST", "/api/v1/knowledge/articles", articleBody("Card blocked", "x")).want(http.StatusCreated).decode(&twin)
	if twin.Slug != "card-blocked-2" {
		t.Errorf("second slug %q, want card-blocked-2", twin.Slug)
	}
	path := "/api/v1/knowledge/articles/" + art.ID

	// Edits: each a version; one made from an old version is refused.
	edit := articleBody("Card blocked", "Open the app and press **Unblock** under Cards.")
	edit["version"], edit["note"] = 1, "clearer"
	ac.do("PUT", path, edit).want(http.StatusOK).decode(&art)
	if art.Version != 2 {
		t.Fatalf("after an edit: version %d", art.Version)
	}
	other.do("PUT", path, edit).wantProblem(http.StatusConflict, "stale-version")
	big := articleBody("Card blocked", strings.Repeat("a", 201<<10))
	big["version"] = 2
	ac.do("PUT", path, big).wantProblem(http.StatusRequestEntityTooLarge, "too-large")
	ac.do("POST", "/api/v1/knowledge/articles", articleBody("Huge", strings.Repeat("b ", 101<<10))).
		wantProblem(http.StatusRequestEntityTooLarge, "too-large")
	noVersion := articleBody("Card blocked", "x")
	ac.do("PUT", path, noVersion, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")

	// States: an agent proposes, only a publisher publishes.
	ac.do("POST", path+"/state", map[string]any{"state": "not_validated", "note": "ready"}).want(http.StatusOK).decode(&art)
	ac.do("POST", path+"/state", map[string]any{"state": "published"}).wantProblem(http.StatusForbidden, "forbidden")
	ac.do("POST", path+"/state", map[string]any{"state": "not_validated"}).wantProblem(http.StatusConflict, "bad-transition")
	admin.do("POST", path+"/state", map[string]any{"state": "published", "note": "checked"}).want(http.StatusOK).decode(&art)
	if art.State != "published" || art.PublishedAt == nil || art.StateChangedBy != w.A.Admin.ID {
		t.Fatalf("after publishing: %+v", art)
	}
	edit["version"] = 2
	ac.do("PUT", path, edit).wantProblem(http.StatusForbidden, "forbidden")

	// The publisher flag: shown in /me, and it lets the agent edit published articles.
	var me struct {
		User struct {
			KnowledgePublisher bool `json:"knowledge_publisher"`
		} `json:"user"`
	}
	ac.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if me.User.KnowledgePublisher {
		t.Error("an agent is a publisher before being made one")
	}
	admin.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if !me.User.KnowledgePublisher {
		t.Error("an admin is not a publisher in /me")
	}
	var u struct {
		KnowledgePublisher bool `json:"knowledge_publisher"`
	}
	admin.do("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"knowledge_publisher": true}).want(http.StatusOK).decode(&u)
	if !u.KnowledgePublisher {
		t.Error("PATCH did not set knowledge_publisher")
	}
	ac.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if !me.User.KnowledgePublisher {
		t.Error("the agent made publisher is not one in /me")
	}
	edit["resolution"], edit["note"] = "Open the app and press **Unblock** under Cards, or call us.", "phone too"
	ac.do("PUT", path, edit).want(http.StatusOK).decode(&art)
	if art.Version != 3 || art.State != "published" {
		t.Fatalf("after the publisher's edit: %+v", art)
	}

	// Versions, newest first; a word-level diff; restore makes a new version.
	var versions struct {
		Items []struct {
			Version int    `json:"version"`
			Note    string `json:"note"`
		} `json:"items"`
	}
	ac.do("GET", path+"/versions", nil).want(http.StatusOK).decode(&versions)
	if len(versions.Items) != 3 || versions.Items[0].Version != 3 || versions.Items[0].Note != "phone too" {
		t.Fatalf("versions: %+v", versions.Items)
	}
	var diff struct {
		From, To int
		Fields   []struct {
			Field   string
			Changed bool
			Ops     []struct{ Op, Text string }
		}
	}
	ac.do("GET", path+"/diff?from=2&to=3", nil).want(http.StatusOK).decode(&diff)
	var inserted []string
	for _, f := range diff.Fields {
		if f.Field == "title" && f.Changed {
			t.Error("title shown changed although it is not")
		}
		if f.Field == "resolution" {
			for _, op := range f.Ops {
				if op.Op == "insert" {
					inserted = append(inserted, op.Text)
				}
			}
		}
	}
	if strings.Join(inserted, "|") != ", or call us" {
		t.Errorf("resolution diff inserts %q, want the words 'call us'", inserted)
	}
	var v1 struct {
		Content struct{ Resolution string } `json:"content"`
	}
	ac.do("GET", path+"/versions/1", nil).want(http.StatusOK).decode(&v1)
	if v1.Content.Resolution != evil {
		t.Errorf("version 1 resolution %q", v1.Content.Resolution)
	}
	ac.do("POST", path+"/versions/1/restore", nil).want(http.StatusOK).decode(&art)
	if art.Version != 4 || art.Resolution != evil {
		t.Fatalf("after restoring version 1: %+v", art)
	}
	ac.do("GET", path+"/versions/9", nil).wantProblem(http.StatusNotFound, "not-found")

	var history struct {
		Items []struct{ From, To, Note string } `json:"items"`
	}
	ac.do("GET", path+"/history", nil).want(http.StatusOK).decode(&history)
	got := []string{}
	for _, h := range history.Items {
		got = append(got, h.From+">"+h.To)
	}
	if strings.Join(got, " ") != ">wip wip>not_validated not_validated>published" {
		t.Errorf("history %v", got)
	}

	// Flag it: the owner sees it and resolves it; another agent may not.
	var flag struct {
		ID         string  `json:"id"`
		ResolvedAt *string `json:"resolved_at"`
	}
	other.do("POST", path+"/flags", map[string]any{"reason": "the menu is called Card settings now"}).want(http.StatusCreated).decode(&flag)
	ac.do("GET", path, nil).want(http.StatusOK).decode(&art)
	if art.OpenFlags != 1 {
		t.Errorf("open_flags %d, want 1", art.OpenFlags)
	}
	var flags struct {
		Items []struct{ ID, ArticleTitle string } `json:"items"`
	}
	// Turned back into a plain agent, the owner still sees flags on their own articles.
	admin.do("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"knowledge_publisher": false}).want(http.StatusOK)
	ac.do("GET", "/api/v1/knowledge/flags", nil).want(http.StatusOK).decode(&flags)
	if len(flags.Items) != 1 || flags.Items[0].ID != flag.ID {
		t.Errorf("the owner's open flags: %+v", flags.Items)
	}
	ac.do("GET", "/api/v1/knowledge/articles?flagged=open", nil).want(http.StatusOK).decode(&flags)
	if len(flags.Items) != 1 {
		t.Errorf("flagged articles: %+v", flags.Items)
	}
	other.do("GET", "/api/v1/knowledge/flags", nil).want(http.StatusOK).decode(&flags)
	if len(flags.Items) != 0 {
		t.Errorf("a plain agent sees flags on others' articles: %+v", flags.Items)
	}
	other.do("POST", "/api/v1/knowledge/flags/"+flag.ID+"/resolve", nil).wantProblem(http.StatusForbidden, "forbidden")
	ac.do("POST", "/api/v1/knowledge/flags/"+flag.ID+"/resolve", nil).want(http.StatusOK).decode(&flag)
	if flag.ResolvedAt == nil {
		t.Error("resolved flag without resolved_at")
	}

	// Tenant B sees none of it.
	w.B.admin.do("GET", path, nil).wantProblem(http.StatusNotFound, "not-found")
	w.B.admin.do("PUT", path, edit).wantProblem(http.StatusNotFound, "not-found")
	var bList struct{ Items []articleJSON }
	w.B.admin.do("GET", "/api/v1/knowledge/articles", nil).want(http.StatusOK).decode(&bList)
	if len(bList.Items) != 0 {
		t.Errorf("tenant B lists %d articles of A", len(bList.Items))
	}

	// Every change was announced, in its transaction.
	evs, err := w.db.EventsSince(context.Background(), w.A.Tenant.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, ev := range evs {
		if ev.Type == event.KnowledgeArticleChanged {
			var d struct {
				ID      string `json:"id"`
				HTML    string `json:"resolution_html"`
				Version int    `json:"version"`
			}
			json.Unmarshal(ev.Data, &d)
			if d.HTML != "" {
				t.Error("the event carries rendered HTML")
			}
			if d.ID == art.ID {
				changed++
			}
		}
	}
	// created, 2 edits, 2 moves, restore, flag raised, flag resolved.
	if changed != 8 {
		t.Errorf("%d knowledge.article_changed events for the article, want 8", changed)
	}
}
