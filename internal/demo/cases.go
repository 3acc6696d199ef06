package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// demoCases are conversations Northwind Bank resolved before it came to
// Switchboard, as a help-desk import brings them: the customer's words
// (unlike the articles' own), the agent's answer, and the article by title.
// With them the desktop suggests articles "for similar cases" from the start.
var demoCases = []struct{ article, customer, agent string }{
	{"My card is blocked", "Typed the wrong number three times at the shop till and now nothing works", "Unblocked it after checking their identity; new PIN at any cash machine."},
	{"My card is blocked", "payment refused everywhere since this morning, tried 3 codes", "Blocked after three wrong PINs; unblocked."},
	{"The ATM kept my card", "The cash machine swallowed it outside the station", "Ordered a replacement; the old one is destroyed by the ATM operator."},
	{"The ATM kept my card", "machine did not give it back after I took out 50", "Replacement on its way, 5 working days."},
	{"Dispute a card payment you don't recognise", "There is a charge from a shop in Lisbon, never been there", "Froze the card and opened a chargeback."},
	{"Dispute a card payment you don't recognise", "someone took 89.99 from my account, who is MERCH*XY?", "Chargeback opened; a new card is coming."},
	{"Reset your online banking password", "Locked out of the website, forgot my login", "Sent the reset link to the address we have."},
	{"Fees for international transfers", "how much do you charge to send money to my sister in Canada", "Explained the SWIFT fees and the exchange margin."},
}

// SeedPastCases gives the demo tenant the past cases above, once, linked to
// its articles by title; articles the demo does not have are skipped.
func SeedPastCases(ctx context.Context, db *store.DB, now time.Time) error {
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return fmt.Errorf("demo cases: %w", err)
	}
	if have, err := db.KnowledgeCases(ctx, t.ID, 1); err != nil || len(have) > 0 {
		return err
	}
	arts, err := db.Articles(ctx, t.ID, store.ArticleFilter{}, store.Page{})
	if err != nil {
		return fmt.Errorf("demo cases: %w", err)
	}
	byTitle := map[string]string{}
	for _, a := range arts {
		byTitle[a.Title] = a.ID
	}
	for i, c := range demoCases {
		id, ok := byTitle[c.article]
		if !ok {
			continue
		}
		at := now.Add(-time.Duration(len(demoCases)-i) * 24 * time.Hour)
		err := db.PutKnowledgeCase(ctx, knowledge.Case{ID: ids.New(), TenantID: t.ID, ExternalID: fmt.Sprintf("helpdesk-%d", 1000+i),
			CustomerText: c.customer, AgentText: c.agent, ArticleIDs: []string{id}, ResolvedAt: at, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("demo case %d: %w", i, err)
		}
	}
	return nil
}
