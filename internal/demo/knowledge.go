package demo

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// demoArticle is one of Northwind Bank's knowledge articles: its content,
// the state it is left in, and who wrote it (an email of People).
type demoArticle struct {
	author  string
	state   knowledge.State
	inCards bool // belongs to the Cards queue
	content knowledge.Content
}

// demoArticles are the questions a bank's customers really ask: most
// published (for customers or for everyone), one for agents only, one
// validated, one not yet validated and one still being written.
var demoArticles = []demoArticle{
	{author: "admin@northwind.example", state: knowledge.Published, inCards: true, content: knowledge.Content{
		Title:       "My card is blocked",
		Issue:       "\"My card stopped working\", \"the terminal says card blocked\", \"I typed my PIN wrong three times\".",
		Environment: "Debit and credit cards; any ATM or shop terminal; the Northwind app 5.x.",
		Cause:       "A card is blocked after **three wrong PIN entries**, or by our fraud checks after an unusual payment.",
		Resolution: "1. Open the Northwind app and go to **Cards → your card → Unblock**.\n" +
			"2. Confirm with your fingerprint or app PIN.\n" +
			"3. Wait two minutes and try the payment again.\n\n" +
			"If the app says the card was blocked *for your security*, call us on +351 210 000 000: an agent checks the payment with you and lifts the block.",
		Audience: knowledge.Everyone, Locale: "en", Tags: []string{"cards", "pin", "blocked"}, Category: "Cards", Products: []string{"debit card", "credit card"}}},
	{author: "ana@northwind.example", state: knowledge.Published, inCards: true, content: knowledge.Content{
		Title:       "The ATM kept my card",
		Issue:       "\"The cash machine swallowed my card\" and did not give it back.",
		Environment: "Any ATM, ours or another bank's.",
		Cause:       "ATMs keep a card left in the slot for more than 30 seconds, a damaged card, or one reported lost.",
		Resolution: "- **Block the card** in the app (**Cards → Freeze**) so nobody can use it.\n" +
			"- Order a new card under **Cards → Replace**; it arrives in 3–5 working days.\n" +
			"- Cards kept by ATMs are destroyed by the ATM's owner; we cannot get them back.",
		Audience: knowledge.Customers, Locale: "en", Tags: []string{"cards", "atm"}, Category: "Cards", Products: []string{"debit card"}}},
	{author: "ben@northwind.example", state: knowledge.Published, content: knowledge.Content{
		Title:       "Change your postal address",
		Issue:       "\"I moved house\", \"my statements go to my old address\".",
		Environment: "Personal current and savings accounts; the app or online banking.",
		Resolution: "In the app, open **Profile → Personal details → Address**, enter the new address and confirm with the code we text you.\n\n" +
			"Business accounts: the change must be signed by an authorised signatory; send us the form from **Documents → Change of details**.",
		Audience: knowledge.Everyone, Locale: "en", Tags: []string{"account", "address"}, Category: "Accounts"}},
	{author: "supervisor@northwind.example", state: knowledge.Published, content: knowledge.Content{
		Title: "Fees for international transfers",
		Issue: "\"How much does it cost to send money abroad?\"",
		Resolution: "| Transfer | Fee |\n|---|---|\n| SEPA (euro, EEA) | free |\n| SWIFT, outside the EEA | 0.5 %, at least 5 EUR, at most 50 EUR |\n| Urgent SWIFT | 25 EUR on top |\n\n" +
			"The receiving bank may charge its own fee. Exchange rates are shown before you confirm.",
		Audience: knowledge.Customers, Locale: "en", Tags: []string{"payments", "fees", "international"}, Category: "Payments"}},
	{author: "chloe@northwind.example", state: knowledge.Validated, inCards: true, content: knowledge.Content{
		Title:       "Dispute a card payment you don't recognise",
		Issue:       "\"There is a payment on my card I did not make.\"",
		Environment: "Card payments up to 13 months old.",
		Cause:       "Often a merchant's trading name differs from its shop name; otherwise the card details may have been stolen.",
		Resolution: "1. Ask the customer to check the merchant name in the app's payment details (the map and logo help).\n" +
			"2. If they still do not recognise it: **freeze the card**, then open a dispute under **Payments → Dispute** with the reason *not authorised*.\n" +
			"3. Tell them a temporary refund appears within 10 working days while we investigate.",
		Audience: knowledge.Everyone, Locale: "en", Tags: []string{"cards", "dispute", "fraud"}, Category: "Cards", Products: []string{"debit card", "credit card"}}},
	{author: "admin@northwind.example", state: knowledge.Published, content: knowledge.Content{
		Title:       "Reset your online banking password",
		Issue:       "\"I forgot my password\", \"online banking says my password is wrong\".",
		Environment: "Online banking in the browser; the app signs in with fingerprint or app PIN instead.",
		Resolution: "On the sign-in page choose **Forgot password?**, enter your customer number and the code we text to your phone, then pick a new password (at least 10 characters).\n\n" +
			"After five wrong attempts online banking locks for 30 minutes.",
		Audience: knowledge.Everyone, Locale: "en", Tags: []string{"online-banking", "password"}, Category: "Online banking"}},
	{author: "erik@northwind.example", state: knowledge.Published, inCards: true, content: knowledge.Content{
		Title:       "Lift a fraud block on a card (agents)",
		Issue:       "A customer calls because their card was blocked \"for their security\".",
		Environment: "Back office: Card admin → Fraud holds. Agents only.",
		Cause:       "The fraud engine holds a card after a payment scored above 80.",
		Resolution: "1. Verify the caller (date of birth and the last payment they made).\n" +
			"2. Read them the held payment: amount, merchant, country.\n" +
			"3. If they confirm it, choose **Release and whitelist merchant**; if not, **Confirm fraud** — the card is replaced automatically.\n\n" +
			"Never release a hold for a caller who fails verification; escalate to the Cards queue's expert.",
		Audience: knowledge.AgentsOnly, Locale: "en", Tags: []string{"cards", "fraud", "back-office"}, Category: "Cards"}},
	{author: "ben@northwind.example", state: knowledge.NotValidated, content: knowledge.Content{
		Title:      "Card lost abroad: emergency cash",
		Issue:      "\"I lost my card on holiday and have no money.\"",
		Resolution: "Freeze the card in the app, then we can send emergency cash to a partner agent near them (fee 15 EUR). Check the country list first.",
		Audience:   knowledge.Everyone, Locale: "en", Tags: []string{"cards", "travel"}, Category: "Cards"}},
	{author: "ana@northwind.example", state: knowledge.WorkInProgress, content: knowledge.Content{
		Title:      "Card cannot be added to Apple Pay",
		Issue:      "\"Apple Pay says my card is not supported.\"",
		Resolution: "TODO: check whether prepaid cards are supported yet; so far: update the app and try again.",
		Audience:   knowledge.AgentsOnly, Locale: "en", Tags: []string{"cards", "wallet"}, Category: "Cards"}},
}

// SeedKnowledge gives the demo tenant its knowledge articles, unless it has
// some already, so a demo database made before articles existed gets them
// too. One article carries an open flag, for the flags list to show.
func SeedKnowledge(ctx context.Context, db *store.DB, kb *articles.Service, routing *dispatch.Service) error {
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return fmt.Errorf("demo knowledge: %w", err)
	}
	if have, err := db.Articles(ctx, t.ID, store.ArticleFilter{}, store.Page{Limit: 1}); err != nil || len(have) > 0 {
		return err
	}
	var cardsQueue string
	queues, err := routing.Queues(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("demo knowledge: %w", err)
	}
	for _, q := range queues {
		if q.Name == "Cards" {
			cardsQueue = q.ID
		}
	}
	admin, err := db.UserByEmail(ctx, t.ID, People[0].Email)
	if err != nil {
		return fmt.Errorf("demo knowledge: %w", err)
	}
	publisher := articles.Actor{TenantID: t.ID, UserID: admin.ID, Publisher: true}
	var flagged string
	for _, d := range demoArticles {
		author, err := db.UserByEmail(ctx, t.ID, d.author)
		if err != nil {
			return fmt.Errorf("demo knowledge author %s: %w", d.author, err)
		}
		c := d.content
		if d.inCards && cardsQueue != "" {
			c.QueueIDs = []string{cardsQueue}
		}
		a, err := kb.Create(ctx, articles.Actor{TenantID: t.ID, UserID: author.ID}, articles.NewArticle{Content: c})
		if err != nil {
			return fmt.Errorf("demo article %q: %w", c.Title, err)
		}
		if d.state != knowledge.WorkInProgress {
			if _, err := kb.Move(ctx, publisher, a.ID, d.state, "demo"); err != nil {
				return fmt.Errorf("demo article %q: %w", c.Title, err)
			}
		}
		if c.Title == "Fees for international transfers" {
			flagged = a.ID
		}
	}
	ben, err := db.UserByEmail(ctx, t.ID, "ben@northwind.example")
	if err != nil {
		return err
	}
	_, err = kb.AddFlag(ctx, articles.Actor{TenantID: t.ID, UserID: ben.ID}, flagged,
		"A customer says the urgent SWIFT fee went up to 30 EUR in January; please check the price list.")
	return err
}
