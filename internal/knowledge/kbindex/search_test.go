package kbindex

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

const tA, tB = "tenant-a", "tenant-b"

// TestSearchFindsEveryField: a word in any of the article's parts finds it.
func TestSearchFindsEveryField(t *testing.T) {
	x := openIndex(t)
	upsert(t, x, article(tA, "a1", "Card blocked abroad", "Unblock it in the app", func(a *knowledge.Article) {
		a.Issue = "My **card** stopped working in Lisbon"
		a.Environment = "Visa debit, mobile app 7.2"
		a.Cause = "The fraud rules block unusual merchants"
		a.Tags = []string{"travel"}
	}))
	for _, q := range []string{"blocked", "Lisbon", "debit", "fraud", "unblock", "travel"} {
		wantIDs(t, x, Query{TenantID: tA, Text: q}, "a1")
	}
	wantIDs(t, x, Query{TenantID: tA, Text: "mortgage"})
}

// TestSearchStemsPerLanguage: in each of the four languages an article is
// found by another inflection of its words.
func TestSearchStemsPerLanguage(t *testing.T) {
	x := openIndex(t)
	in := func(locale string) func(*knowledge.Article) { return func(a *knowledge.Article) { a.Locale = locale } }
	upsert(t, x,
		article(tA, "en", "Resetting passwords", "Open the settings and choose a new one", in("en")),
		article(tA, "de", "Rechnung herunterladen", "Die Rechnungen finden Sie im Kundenkonto", in("de")),
		article(tA, "fr", "Imprimer une facture", "Les factures sont dans votre espace client", in("fr")),
		article(tA, "es", "Cambiar la contraseña", "Las contraseñas se cambian en los ajustes", in("es-ES")),
	)
	for _, c := range []struct{ locale, text, want string }{
		{"", "reset password", "en"},
		{"en", "passwords resets", "en"},
		{"", "Rechnungen", "de"},
		{"de", "Kundenkonten", "de"},
		{"", "factures", "fr"},
		{"fr", "imprimer factures", "fr"},
		{"", "contraseñas", "es"},
		{"es", "ajuste", "es"},
	} {
		wantFound(t, x, Query{TenantID: tA, Text: c.text, Locale: c.locale}, c.want)
	}
	// The locale filter keeps its language alone.
	wantIDs(t, x, Query{TenantID: tA, Text: "Rechnung", Locale: "fr"})
}

// TestSearchToleratesTypos: a word mistyped by a letter or two still finds
// the article, below the exact match.
func TestSearchToleratesTypos(t *testing.T) {
	x := openIndex(t)
	upsert(t, x,
		article(tA, "pw", "Reset your password", "Use the link we mail you"),
		article(tA, "inv", "Download an invoice", "Invoices are under Billing"),
	)
	wantIDs(t, x, Query{TenantID: tA, Text: "pasword"}, "pw")
	wantIDs(t, x, Query{TenantID: tA, Text: "invocie"}, "inv")
	wantIDs(t, x, Query{TenantID: tA, Text: "dowload invoise"}, "inv")
}

// TestSearchBoostsTitle: a word in the title ranks above the same word in
// the body.
func TestSearchBoostsTitle(t *testing.T) {
	x := openIndex(t)
	upsert(t, x,
		article(tA, "body", "Shipping times", "A refund takes a few days once the parcel is back"),
		article(tA, "title", "Refund for a returned parcel", "We pay back within days of receiving it"),
		article(tA, "issue", "Where is my money", "Check with your bank", func(a *knowledge.Article) { a.Issue = "I want a refund" }),
	)
	wantIDs(t, x, Query{TenantID: tA, Text: "refund"}, "title", "issue", "body")
}

// TestSearchFilters: state (archived left out unless asked), audience,
// locale, tags, category, and what customers may read.
func TestSearchFilters(t *testing.T) {
	x := openIndex(t)
	upsert(t, x,
		article(tA, "pub", "Router lights", "Restart the router", func(a *knowledge.Article) {
			a.Tags, a.Category = []string{"internet", "hardware"}, "devices"
		}),
		article(tA, "wip", "Router firmware", "Flash the router", func(a *knowledge.Article) { a.State = knowledge.WorkInProgress; a.Tags = []string{"internet"} }),
		article(tA, "old", "Old router", "Return the router", func(a *knowledge.Article) { a.State = knowledge.Archived }),
		article(tA, "int", "Router escalation", "Call second line about the router", func(a *knowledge.Article) { a.Audience = knowledge.AgentsOnly }),
		article(tA, "cust", "Router for customers", "Plug in the router", func(a *knowledge.Article) { a.Audience = knowledge.Customers; a.Locale = "de" }),
	)
	all := func(q Query) Query { q.TenantID, q.Text = tA, "router"; return q }
	set := func(q Query) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids(t, x, all(q)) {
			m[id] = true
		}
		return m
	}
	for name, c := range map[string]struct {
		q    Query
		want []string
	}{
		"default":                 {Query{}, []string{"pub", "wip", "int", "cust"}},
		"archived":                {Query{States: []knowledge.State{knowledge.Archived}}, []string{"old"}},
		"wip":                     {Query{States: []knowledge.State{knowledge.WorkInProgress, knowledge.Archived}}, []string{"wip", "old"}},
		"agents":                  {Query{Audiences: []knowledge.Audience{knowledge.AgentsOnly}}, []string{"int"}},
		"locale":                  {Query{Locale: "de"}, []string{"cust"}},
		"tag":                     {Query{Tags: []string{"internet"}}, []string{"pub", "wip"}},
		"tags":                    {Query{Tags: []string{"internet", "hardware"}}, []string{"pub"}},
		"category":                {Query{Category: "devices"}, []string{"pub"}},
		"customers":               {Query{Customers: true}, []string{"pub", "cust"}},
		"customers asking agents": {Query{Customers: true, Audiences: []knowledge.Audience{knowledge.AgentsOnly}}, nil},
	} {
		got := set(c.q)
		if len(got) != len(c.want) {
			t.Errorf("%s: found %v, want %v", name, got, c.want)
			continue
		}
		for _, id := range c.want {
			if !got[id] {
				t.Errorf("%s: found %v, want %v", name, got, c.want)
			}
		}
	}
	// Without words, the filtered articles, newest first.
	upsert(t, x, article(tA, "new", "Modem", "Newest", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(1) }))
	if got := ids(t, x, Query{TenantID: tA}); len(got) != 5 || got[0] != "new" {
		t.Errorf("listing without words gives %v, want the 5 not archived, newest first", got)
	}
}

// TestSearchSnippetEscapes: a snippet is escaped text with <mark> around
// the matched words and no other markup, whatever the article holds.
func TestSearchSnippetEscapes(t *testing.T) {
	x := openIndex(t)
	upsert(t, x, article(tA, "x", "Scripts", `Paste <script>alert("hi")</script> & reset the **password** at <b>once</b>`))
	res, err := x.Search(context.Background(), Query{TenantID: tA, Text: "password"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search: %v %+v", err, res)
	}
	s := res.Hits[0].SnippetHTML
	if !strings.Contains(s, "<mark>password</mark>") {
		t.Errorf("snippet %q does not mark the match", s)
	}
	rest := strings.ReplaceAll(strings.ReplaceAll(s, "<mark>", ""), "</mark>", "")
	if strings.ContainsAny(rest, "<>") || !strings.Contains(rest, "&lt;script&gt;") || !strings.Contains(rest, "&amp;") {
		t.Errorf("snippet %q: everything but <mark> must be escaped", s)
	}
	// A title match alone quotes the start of the body, escaped.
	res, _ = x.Search(context.Background(), Query{TenantID: tA, Text: "scripts"})
	if len(res.Hits) != 1 || strings.Contains(res.Hits[0].SnippetHTML, "<script") || res.Hits[0].SnippetHTML == "" {
		t.Errorf("title-only snippet: %+v", res.Hits)
	}
}

// TestSearchTenantIsolation: one tenant never finds another's articles, even
// with the same ids and words; a search without a tenant is refused.
func TestSearchTenantIsolation(t *testing.T) {
	x := openIndex(t)
	upsert(t, x,
		article(tA, "same", "Refund policy of A", "Thirty days"),
		article(tB, "same", "Refund policy of B", "Fourteen days"),
		article(tB, "b2", "Refund express", "Same day"),
	)
	res, err := x.Search(context.Background(), Query{TenantID: tA, Text: "refund days policy express"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Title != "Refund policy of A" {
		t.Errorf("tenant A finds %+v", res)
	}
	if _, err := x.Search(context.Background(), Query{Text: "refund"}); !errors.Is(err, ErrNoTenant) {
		t.Errorf("search without tenant: %v", err)
	}
	// Deleting B's article of the same id leaves A's.
	if err := x.Delete(context.Background(), tB, "same"); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, x, Query{TenantID: tA, Text: "refund"}, "same")
	wantIDs(t, x, Query{TenantID: tB, Text: "refund"}, "b2")
}

// TestSearchHitFieldsAndSnippetField: a hit carries every field the answer
// shows, read from the index (tags in their order, none as an empty list);
// its snippet is cut from the issue when the words matched there, from the
// body when they matched only there, and is the start of the issue (or of
// the body without one) when only the title matched.
func TestSearchHitFieldsAndSnippetField(t *testing.T) {
	x := openIndex(t)
	upsert(t, x,
		article(tA, "a1", "Router keeps rebooting", "Replace the power adapter of the router", func(a *knowledge.Article) {
			a.Slug, a.Category, a.Locale = "router-reboots", "network", "en-GB"
			a.State, a.Audience = knowledge.WorkInProgress, knowledge.AgentsOnly
			a.Tags = []string{"wifi", "hardware", "adapter"}
			a.Issue = "The router restarts every hour"
		}),
		article(tA, "a2", "Invoice missing", "", func(a *knowledge.Article) {
			a.Issue = "No invoice arrived this month"
		}),
		article(tA, "a3", "Parcel lost", "Open a claim with the carrier"),
	)
	res, err := x.Search(context.Background(), Query{TenantID: tA, Text: "hour", States: []knowledge.State{knowledge.WorkInProgress}})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search: %v %+v", err, res)
	}
	h := res.Hits[0]
	if h.ArticleID != "a1" || h.Slug != "router-reboots" || h.Title != "Router keeps rebooting" || h.State != knowledge.WorkInProgress ||
		h.Audience != knowledge.AgentsOnly || h.Locale != "en-GB" || h.Category != "network" ||
		strings.Join(h.Tags, ",") != "wifi,hardware,adapter" || h.Score <= 0 {
		t.Errorf("hit %+v does not carry the article's fields", h)
	}
	snippet := func(text, want string) {
		t.Helper()
		res, err := x.Search(context.Background(), Query{TenantID: tA, Text: text, States: []knowledge.State{knowledge.WorkInProgress, knowledge.Published}})
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("search %q: %v %+v", text, err, res)
		}
		if res.Hits[0].Tags == nil {
			t.Errorf("search %q: tags nil, want an empty list", text)
		}
		if got := res.Hits[0].SnippetHTML; got != want {
			t.Errorf("search %q: snippet %q, want %q", text, got, want)
		}
	}
	snippet("restarts", "The router <mark>restarts</mark> every hour\nwifi, hardware, adapter")
	snippet("power", "Replace the <mark>power</mark> adapter of the router")
	snippet("adapter", "The router restarts every hour\nwifi, hardware, <mark>adapter</mark>")
	snippet("missing", "No invoice arrived this month")
	snippet("parcel", "Open a claim with the carrier")
}

// TestSearchesTakeTurns: no more searches run at once than MaxSearching;
// one waiting for its turn gives up when its context ends, and runs once a
// turn is free.
func TestSearchesTakeTurns(t *testing.T) {
	x, err := OpenWith(t.TempDir(), Options{MaxSearching: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	upsert(t, x, article(tA, "a1", "Card blocked abroad", "Unblock it in the app"))
	if cap(x.searching) != 1 {
		t.Fatalf("%d turns, want 1", cap(x.searching))
	}
	x.searching <- struct{}{} // a search running
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := x.Search(ctx, Query{TenantID: tA, Text: "card"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("search without a turn: %v, want it to wait and give up", err)
	}
	done := make(chan []string)
	go func() {
		res, _ := x.Search(context.Background(), Query{TenantID: tA, Text: "card"})
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ArticleID)
		}
		done <- got
	}()
	select {
	case got := <-done:
		t.Fatalf("search ran while the only turn was taken: %v", got)
	case <-time.After(50 * time.Millisecond):
	}
	<-x.searching // that search ends
	if got := <-done; len(got) != 1 || got[0] != "a1" {
		t.Errorf("search after its turn came: %v", got)
	}
	if len(x.searching) != 0 {
		t.Errorf("%d turns still taken after the searches", len(x.searching))
	}
	if y, _ := OpenInMemory(); cap(y.searching) != runtime.GOMAXPROCS(0) {
		t.Errorf("in memory: %d turns, want one per core", cap(y.searching))
	}
}
