package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testPeopleSearch: customers are found by name (accents and case ignored),
// email, phone (however written), reference and claims, and so are their
// conversations, within the tenant only.
func testPeopleSearch(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	named := func(tenantID, name string, idents ...persona.Identifier) persona.Persona {
		t.Helper()
		p := persona.Persona{ID: ids.New(), TenantID: tenantID, Name: name, Identifiers: idents, CreatedAt: t0, UpdatedAt: t0}
		must(t, "create persona", db.CreatePersona(ctx, p))
		return p
	}
	zoe := named(a.ID, "Zoë Müller", persona.Identifier{Kind: persona.KindEmail, Value: "zoe.mueller@example.com", Verified: true, VerifiedBy: persona.MethodMailFromMailbox})
	priya := named(a.ID, "Priya Nair", persona.Identifier{Kind: persona.KindExternal, Value: "CRM-1042"},
		persona.Identifier{Kind: persona.KindPhone, Value: "+4915112345678", Verified: true, VerifiedBy: persona.MethodSMSFromNumber})
	jose := named(a.ID, "JOSÉ NÚÑEZ")
	must(t, "claim", db.AddClaim(ctx, a.ID, jose.ID, persona.Identifier{Kind: persona.KindEmail, Value: "jose@example.org"}.Claimed(), t0))
	other := named(b.ID, "Zoe Other", persona.Identifier{Kind: persona.KindPhone, Value: "+4915112345678"})
	// A merged-away persona is not listed; its conversations moved to the survivor.
	gone := named(a.ID, "Zoe Gone")
	_, err := db.MergePersonas(ctx, store.PersonaMerge{ID: ids.New(), TenantID: a.ID, SurvivorID: jose.ID, MergedID: gone.ID, CreatedAt: t0})
	must(t, "merge", err)

	names := func(ps []persona.Persona) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"zoe":                     "Zoë Müller",
		"Zoë":                     "Zoë Müller",
		"ZOE MULLER":              "Zoë Müller",
		"müll":                    "Zoë Müller",
		"priya":                   "Priya Nair",
		"nair priya":              "Priya Nair",
		"zoe.mueller@example.com": "Zoë Müller",
		"ZOE.MUELLER@":            "Zoë Müller",
		"crm-1042":                "Priya Nair",
		"+49 151 1234-5678":       "Priya Nair",
		"0049 151 12345678":       "Priya Nair",
		"0151 12345678":           "Priya Nair", // national form, trunk 0
		"(151) 123-45678":         "Priya Nair",
		"1234 5678":               "Priya Nair",
		"jose nunez":              "JOSÉ NÚÑEZ",
		"jose@example.org":        "JOSÉ NÚÑEZ", // a claim is shown to agents, so found by them
		"gone":                    "",
		"%":                       "",
		"_":                       "",
		"   ":                     "",
		"nobody":                  "",
	} {
		got, err := db.SearchPersonas(ctx, a.ID, q, 10)
		must(t, q, err)
		if names(got) != want {
			t.Errorf("search people %q = %q, want %q", q, names(got), want)
		}
	}
	got, err := db.SearchPersonas(ctx, a.ID, "priya", 10)
	must(t, "priya", err)
	if len(got) != 1 || len(got[0].Identifiers) != 2 || !slices.ContainsFunc(got[0].Identifiers, func(i persona.Identifier) bool {
		return i.Kind == persona.KindPhone && i.Verified
	}) {
		t.Fatalf("found persona's identifiers: %+v", got)
	}
	if got, _ := db.SearchPersonas(ctx, b.ID, "zoe", 10); names(got) != "Zoe Other" {
		t.Fatalf("tenant b finds %q", names(got))
	}
	if got, _ := db.SearchPersonas(ctx, b.ID, "priya", 10); len(got) != 0 {
		t.Fatal("tenant b finds tenant a's customer")
	}
	_ = other

	// Conversations: by their customer, or by their messages' words.
	zc := newConversation(t, db, a.ID, zoe.ID, "email", conversation.StatusOpen)
	pc := newConversation(t, db, a.ID, priya.ID, "sms", conversation.StatusResolved)
	must(t, "message", db.InsertMessage(ctx, conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: pc.ID,
		Kind: conversation.KindMessage, Channel: "sms", AuthorType: "persona", Body: "Zoe said you could help", Status: "received",
		CreatedAt: t0, UpdatedAt: t0}))
	oc := newConversation(t, db, b.ID, other.ID, "sms", conversation.StatusOpen)
	for q, want := range map[string][]string{
		"zoe":           {pc.ID, zc.ID}, // her conversation, and a message naming her
		"Priya":         {pc.ID},
		"+49 151 12345": {pc.ID},
		"help":          {pc.ID},
		"nobody":        {},
	} {
		got, err := db.SearchConversations(ctx, a.ID, q, 10)
		must(t, q, err)
		if !slices.Equal(got, want) {
			t.Errorf("search conversations %q = %v, want %v", q, got, want)
		}
	}
	if got, _ := db.SearchConversations(ctx, b.ID, "+4915112345678", 10); !slices.Equal(got, []string{oc.ID}) {
		t.Fatalf("tenant b's search = %v, want only its own %s", got, oc.ID)
	}
}
