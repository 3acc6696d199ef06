package community_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func TestDisplayName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  Northwind   Bank ", "Northwind Bank", true},
		{"N", "", false},
		{"   ", "", false},
		{strings.Repeat("x", community.MaxNameLen), strings.Repeat("x", community.MaxNameLen), true},
		{strings.Repeat("x", community.MaxNameLen+1), "", false},
		{"Bad\u0007name", "", false},
	} {
		got, err := community.DisplayName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("DisplayName(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func article(state knowledge.State, aud knowledge.Audience) knowledge.Article {
	return knowledge.Article{ID: "art1", TenantID: "ten1", Title: "Card swallowed", Issue: "ATM kept it", Resolution: "Block it.",
		Audience: aud, Locale: "en", State: state, Version: 3, Tags: []string{"cards"}, QueueIDs: []string{"queue1"},
		OwnerID: "owner1", SourceConversationID: "conv1", ExternalID: "ext1"}
}

func TestSnapshotSharesOnlyPublishedCustomerArticles(t *testing.T) {
	for _, tc := range []struct {
		state knowledge.State
		aud   knowledge.Audience
		ok    bool
	}{
		{knowledge.Published, knowledge.Customers, true},
		{knowledge.Published, knowledge.Everyone, true},
		{knowledge.Published, knowledge.AgentsOnly, false},
		{knowledge.Validated, knowledge.Everyone, false},
		{knowledge.WorkInProgress, knowledge.Customers, false},
		{knowledge.Archived, knowledge.Customers, false},
	} {
		_, err := community.Snapshot(community.Practice{}, "p1", article(tc.state, tc.aud), "u1", t0)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, community.ErrNotShareable)) {
			t.Errorf("%s for %s: err %v, want ok %v", tc.state, tc.aud, err, tc.ok)
		}
	}
}

func TestReshareKeepsIdentity(t *testing.T) {
	first, err := community.Snapshot(community.Practice{}, "p1", article(knowledge.Published, knowledge.Customers), "u1", t0)
	if err != nil {
		t.Fatal(err)
	}
	a := article(knowledge.Published, knowledge.Customers)
	a.Title, a.Version = "Card kept by the ATM", 4
	again, err := community.Snapshot(first, "p2", a, "u2", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != "p1" || !again.SharedAt.Equal(t0) || !again.UpdatedAt.Equal(t0.Add(time.Hour)) || again.Title != a.Title || again.ArticleVersion != 4 {
		t.Fatalf("re-share = %+v", again)
	}
}

// TestAdoptCarriesNothingButTheSnapshot: the copy has the content and the
// attribution, and none of the sharer's ids (queues, owner, source).
func TestAdoptCarriesNothingButTheSnapshot(t *testing.T) {
	p, err := community.Snapshot(community.Practice{}, "p1", article(knowledge.Published, knowledge.Everyone), "u1", t0)
	if err != nil {
		t.Fatal(err)
	}
	p.SharerName = "North_wind *Bank*"
	c := community.Adopt(p)
	if c.Title != "Card swallowed" || len(c.QueueIDs) != 0 || c.Audience != knowledge.Everyone {
		t.Fatalf("adopted content = %+v", c)
	}
	if want := "Block it.\n\n*Adapted from North\\_wind \\*Bank\\*'s practice.*"; c.Resolution != want {
		t.Fatalf("resolution = %q, want %q", c.Resolution, want)
	}
	if html := knowledge.Render(c.Resolution); !strings.Contains(html, "Adapted from North_wind *Bank*") {
		t.Fatalf("rendered attribution = %s", html)
	}
	v := community.ViewOf(p, "other")
	for _, s := range []string{"ten1", "art1", "u1", "queue1", "owner1", "conv1", "ext1"} {
		if strings.Contains(strings.Join([]string{v.ID, v.Title, v.Issue, v.Resolution, v.SharerName}, " "), s) && s != "p1" {
			t.Errorf("the view names %s", s)
		}
	}
	if v.Mine || !community.ViewOf(p, "ten1").Mine {
		t.Error("mine is the sharer's own workspace")
	}
}

func TestMatch(t *testing.T) {
	p := community.Practice{Title: "Card swallowed", Resolution: "Block it", Tags: []string{"atm"}, SharerName: "Northwind"}
	for q, want := range map[string]bool{"": true, "CARD": true, "card northwind": true, "atm block": true, "loan": false, "card loan": false} {
		if got := community.Match(p, q); got != want {
			t.Errorf("Match(%q) = %v", q, got)
		}
	}
}
