package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextrank"
)

// The simulated tenant of the context-ranking benchmark: a bank that also
// sells and ships things. Each contact has a reason (a topic); every source
// proposes items, a few of which are about that reason — the known relevant
// items, graded 3 (the cause: the "card blocked" notice sent minutes ago),
// 2 (the fact an agent acts on: the blocked card, the delayed order) or
// 1 (helpful: the article, the similar case) — and many of which are not:
// promotions sent recently, offers the marketing system marks important,
// the customer's routine transactions, bills due for other reasons.

// ctxTopic is one reason for contacting the bank and what each source says
// about it.
type ctxTopic struct {
	name     string
	said     []string // what customers write when they name the reason
	notice   string   // the notice that often precedes the contact ("" if none)
	source   string   // the connector holding the fact an agent acts on
	typ      string
	fact     string
	status   string // the fact's status when it is the reason
	due      bool   // the fact falls due within days
	article  string
	similar  string
	trail    string // what the customer searched for before writing ("" if not)
	callback bool   // customers with this reason often asked to be called
}

var ctxTopics = []ctxTopic{
	{name: "card_blocked", said: []string{"my card is blocked", "card declined at the shop", "why was my card stopped"},
		notice: "Your card ending 4411 was blocked", source: "cards", typ: "card", fact: "Visa debit card ending 4411", status: "blocked",
		article: "Unblock your card in the app", similar: "Card blocked after a fraud check, unblocked after identity check", trail: "unblock card"},
	{name: "invoice", said: []string{"question about my invoice", "the bill is wrong", "why is my invoice so high"},
		notice: "Your November invoice is ready", source: "billing", typ: "invoice", fact: "Invoice 2026-11 for the current account", status: "disputed", due: true,
		article: "Understanding the charges on your invoice", similar: "Invoice higher than usual because of roaming charges", trail: "invoice charges"},
	{name: "delivery", said: []string{"where is my order", "my parcel has not arrived", "the delivery is late"},
		notice: "Your order has shipped", source: "orders", typ: "order", fact: "Order 88213: headphones, parcel", status: "delayed", due: true,
		article: "Track your delivery", similar: "Parcel stuck at the depot, delivery rebooked", trail: "track parcel"},
	{name: "appointment", said: []string{"I need to move my appointment", "reschedule the appointment please", "can I change my appointment time"},
		notice: "Reminder: your appointment tomorrow at 10:00", source: "appointments", typ: "appointment", fact: "Mortgage advice appointment, branch Main Street", status: "booked", due: true,
		article: "Change or cancel an appointment", similar: "Appointment moved to a video call", callback: true},
	{name: "loan", said: []string{"about my loan instalment", "can I delay the loan payment", "the loan repayment amount changed"},
		notice: "Your loan instalment is due on Friday", source: "loans", typ: "loan", fact: "Car loan, instalment 14 of 48", status: "overdue", due: true,
		article: "Paying your loan instalment late", similar: "Loan instalment deferred by one month", callback: true},
	{name: "password", said: []string{"I can't log in", "reset my password", "locked out of online banking"},
		notice: "Your password was changed", article: "Reset your online banking password", similar: "Locked out after three wrong passwords, reset by SMS", trail: "reset password"},
	{name: "refund", said: []string{"where is my refund", "the refund has not come", "refund for the returned headphones"},
		notice: "Your refund is on its way", source: "billing", typ: "credit note", fact: "Credit note for order 88213 returned", status: "pending",
		article: "How long refunds take", similar: "Refund delayed by the card scheme, arrived after 5 days", trail: "refund time"},
}

// vague is what customers write when they do not say why.
var vague = []string{"hi, can you help me", "hello, I got a message from you", "good morning", "I'd like to talk to someone"}

// ctxContact is one simulated contact with its candidate items and the
// grade of each relevant one.
type ctxContact struct {
	c     contextrank.Contact
	items []contextrank.Item
	grade map[string]int
}

// genContact makes a contact at now: its reason, its words, every source's items.
func genContact(rng *rand.Rand, n int, now time.Time) ctxContact {
	t := ctxTopics[rng.IntN(len(ctxTopics))]
	x := ctxContact{grade: map[string]int{}}
	x.c = contextrank.Contact{ID: fmt.Sprintf("c%d", n), TenantID: "bank"}
	if rng.Float64() < 0.55 {
		x.c.Words = t.said[rng.IntN(len(t.said))]
	} else {
		x.c.Words = vague[rng.IntN(len(vague))]
	}
	id := 0
	add := func(grade int, it contextrank.Item) {
		id++
		it.ID = fmt.Sprintf("%s:%d", it.Source, id)
		x.items = append(x.items, it)
		if grade > 0 {
			x.grade[it.ID] = grade
		}
	}
	mins := func(lo, hi int) time.Time { return now.Add(-time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute) }
	other := func() ctxTopic {
		for {
			if o := ctxTopics[rng.IntN(len(ctxTopics))]; o.name != t.name {
				return o
			}
		}
	}
	// Notices: the cause, often; older notices about other things; promotions.
	if t.notice != "" && rng.Float64() < 0.6 {
		add(3, contextrank.Item{Source: contextrank.SourceNotice, Type: "notice", Title: t.notice, At: mins(1, 40), Status: "delivered"})
	}
	for range 1 + rng.IntN(3) {
		o := other()
		if o.notice != "" {
			add(0, contextrank.Item{Source: contextrank.SourceNotice, Type: "notice", Title: o.notice, At: mins(300, 20000), Status: "delivered"})
		}
	}
	for range rng.IntN(3) {
		add(0, contextrank.Item{Source: contextrank.SourceNotice, Type: "promotion", Title: "New: savings account at 3.1%", At: mins(2, 180), Status: "delivered"})
	}
	// The connectors: the fact behind the reason, the customer's other facts.
	if t.source != "" {
		it := contextrank.Item{Source: t.source, Type: t.typ, Title: t.fact, Status: t.status, At: mins(60, 4000), Importance: 0.3}
		if t.due {
			it.Due = now.Add(time.Duration(rng.IntN(72)) * time.Hour)
		}
		add(2, it)
	}
	for range 2 + rng.IntN(4) {
		o := other()
		if o.source == "" {
			continue
		}
		it := contextrank.Item{Source: o.source, Type: o.typ, Title: o.fact, Status: "ok", At: mins(600, 40000), Importance: 0.3}
		if o.due || rng.Float64() < 0.3 {
			it.Due = now.Add(time.Duration(rng.IntN(120)) * time.Hour)
		}
		add(0, it)
	}
	for range 4 + rng.IntN(6) {
		st := "booked"
		grade := 0
		if t.name == "card_blocked" && rng.Float64() < 0.3 {
			st, grade = "declined", 2
		}
		add(grade, contextrank.Item{Source: "transactions", Type: "transaction", Title: "Card payment, Grocery Mart", Status: st, At: mins(5, 3000)})
	}
	for range 1 + rng.IntN(3) {
		add(0, contextrank.Item{Source: "offers", Type: "offer", Title: "Pre-approved credit line", Status: "open", Importance: 0.9, At: mins(60, 10000), Due: now.Add(time.Duration(rng.IntN(150)) * time.Hour)})
	}
	// Conversations: the same reason raised before, often; routine others.
	if rng.Float64() < 0.3 {
		add(2, contextrank.Item{Source: contextrank.SourceConversation, Type: "chat", Title: "Earlier chat: " + t.said[0], Text: t.said[rng.IntN(len(t.said))], Status: "open", At: mins(30, 2000)})
	}
	for range 2 + rng.IntN(4) {
		o := other()
		add(0, contextrank.Item{Source: contextrank.SourceConversation, Type: "email", Title: "Re: " + o.said[0], Text: o.said[rng.IntN(len(o.said))], Status: "closed", At: mins(10, 20000)})
	}
	// Callbacks, the trail, knowledge and similar cases.
	if t.callback && rng.Float64() < 0.4 {
		add(2, contextrank.Item{Source: contextrank.SourceCallback, Type: "callback", Title: "Callback requested: " + t.name, Due: now.Add(time.Duration(rng.IntN(120)) * time.Minute), Status: "pending"})
	} else if rng.Float64() < 0.1 {
		add(0, contextrank.Item{Source: contextrank.SourceCallback, Type: "callback", Title: "Callback requested: " + other().name, Due: now.Add(time.Duration(rng.IntN(48)) * time.Hour), Status: "pending"})
	}
	if t.trail != "" && rng.Float64() < 0.3 {
		add(1, contextrank.Item{Source: contextrank.SourceTrail, Type: "search", Title: "Searched '" + t.trail + "'", At: mins(1, 20)})
	}
	add(1, contextrank.Item{Source: contextrank.SourceArticle, Type: "article", Title: t.article, Text: t.said[rng.IntN(len(t.said))]})
	for range 2 + rng.IntN(3) {
		o := other()
		add(0, contextrank.Item{Source: contextrank.SourceArticle, Type: "article", Title: o.article, Text: o.said[0]})
	}
	add(1, contextrank.Item{Source: contextrank.SourceSimilar, Type: "case", Title: t.similar, Text: t.said[rng.IntN(len(t.said))], At: mins(2000, 60000), Status: "resolved"})
	for range 1 + rng.IntN(2) {
		o := other()
		add(0, contextrank.Item{Source: contextrank.SourceSimilar, Type: "case", Title: o.similar, Text: o.said[0], At: mins(2000, 60000), Status: "resolved"})
	}
	rng.Shuffle(len(x.items), func(i, j int) { x.items[i], x.items[j] = x.items[j], x.items[i] })
	return x
}
