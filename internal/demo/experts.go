package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// solvedCases are chats Ben, an agent, resolved on Switchboard about cards
// blocked abroad, each with the article he linked and a note: the evidence
// that makes him the colleague suggested when someone asks for help on such
// a case ("resolved 2 similar cases").
var solvedCases = []struct{ customer, name, asks, note, answer string }{
	{"demo-solved-1", "Lucas Moreau", "My card was blocked abroad after a payment in a shop in Porto was declined.",
		"Blocked by the fraud rule abroad; the travel flag was off.", "I unblocked your card for use abroad and set the travel flag; please try the payment again."},
	{"demo-solved-2", "Mia Jensen", "Card declined twice in Madrid, and now the app says the card is blocked.",
		"Two declines abroad trip the block; unblocked after checking identity.", "Your card is unblocked for use abroad; the two declined payments were not charged."},
}

// expert is who resolved solvedCases.
const expert = "ben@northwind.example"

// SeedSolvedCases gives the demo tenant solvedCases, once: each a chat of
// the API channel answered, noted and resolved by Ben with the article "My
// card is blocked" linked, recorded as a past case with him as resolver.
func SeedSolvedCases(ctx context.Context, db *store.DB, conversations *inbox.Service, kb *reuse.Service) error {
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return fmt.Errorf("demo solved cases: %w", err)
	}
	first := persona.Identifier{Kind: persona.KindExternal, Value: solvedCases[0].customer}
	if _, err := db.PersonaIDByIdentifier(ctx, t.ID, first); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ben, err := db.UserByEmail(ctx, t.ID, expert)
	if err != nil {
		return fmt.Errorf("demo solved cases: %w", err)
	}
	arts, err := db.Articles(ctx, t.ID, store.ArticleFilter{}, store.Page{})
	if err != nil {
		return fmt.Errorf("demo solved cases: %w", err)
	}
	var article string
	for _, a := range arts {
		if a.Title == "My card is blocked" {
			article = a.ID
		}
	}
	as := inbox.Actor{TenantID: t.ID, UserID: ben.ID}
	for i, c := range solvedCases {
		in, err := conversations.Ingest(ctx, inbox.Inbound{TenantID: t.ID, Channel: "api", From: persona.Identifier{Kind: persona.KindExternal, Value: c.customer},
			FromName: c.name, Body: c.asks, ExternalID: fmt.Sprintf("demo-solved-%d", i+1)})
		if err != nil {
			return fmt.Errorf("demo solved case %d: %w", i, err)
		}
		id := in.Conversation.ID
		if _, err := conversations.Assign(ctx, inbox.Actor{TenantID: t.ID}, id, ben.ID); err != nil {
			return fmt.Errorf("demo solved case %d: %w", i, err)
		}
		if _, err := conversations.Note(ctx, as, id, c.note); err != nil {
			return fmt.Errorf("demo solved case %d: %w", i, err)
		}
		if _, err := conversations.Reply(ctx, as, id, inbox.ReplyInput{Body: c.answer}); err != nil {
			return fmt.Errorf("demo solved case %d: %w", i, err)
		}
		if article != "" {
			if _, err := kb.Link(ctx, reuse.Actor{TenantID: t.ID, UserID: ben.ID}, id, article); err != nil {
				return fmt.Errorf("demo solved case %d: %w", i, err)
			}
		}
		if _, err := conversations.SetStatus(ctx, as, id, conversation.StatusResolved); err != nil {
			return fmt.Errorf("demo solved case %d: %w", i, err)
		}
		// Recorded here rather than left to the resolution's event: a demo
		// node shows it the moment it is up.
		if err := kb.RecordCase(ctx, t.ID, id); err != nil {
			return fmt.Errorf("demo solved case %d: %w", i, err)
		}
	}
	return nil
}
