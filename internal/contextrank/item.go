package contextrank

import "time"

// The internal sources' names. A connector's items carry the connector's own
// name (for example "billing"), so a tenant learns per business system.
const (
	SourceConversation = "conversation" // open and recent conversations on every channel
	SourceNotice       = "notice"       // notifications sent to the customer
	SourceCallback     = "callback"     // scheduled callbacks
	SourceTrail        = "trail"        // the conversation's self-service trail
	SourceArticle      = "article"      // suggested knowledge articles
	SourceSimilar      = "similar"      // similar resolved conversations
)

// Item is one thing a source proposes for the screen-pop. Every source fills
// the same shape so that one ranker can compare a bill with a notice: the
// fields a source cannot fill stay zero and contribute nothing.
type Item struct {
	// ID identifies the item across rankings of one contact, so feedback
	// events can name it; sources prefix it with their name ("notice:42").
	ID string `json:"id"`
	// Source names who proposed it: one of the Source constants or a
	// connector's name.
	Source string `json:"source"`
	// Type is the source's kind of item: "invoice", "card", "order", "chat".
	Type   string            `json:"type,omitempty"`
	Title  string            `json:"title"`
	Fields map[string]string `json:"fields,omitempty"`
	// Status is the item's state in its system ("blocked", "overdue",
	// "open", "delivered"); some states mark an item as needing attention.
	Status string `json:"status,omitempty"`
	// Amount is shown as given ("€120.00"); the ranker does not compute with it.
	Amount string `json:"amount,omitempty"`
	// At is when the item happened or last changed: a notice's send time, a
	// conversation's last message, a transaction's date.
	At time.Time `json:"at,omitempty"`
	// Due is when something falls due: an invoice, a delivery, an appointment.
	Due time.Time `json:"due,omitempty"`
	// Importance is the source's own hint, 0 to 1 (values outside are clamped).
	Importance float64 `json:"importance,omitempty"`
	// Text is extra text to match the customer's words against (a notice's
	// body, an article's summary); Title, Type, Status and Fields are matched too.
	Text string `json:"text,omitempty"`
	Link string `json:"link,omitempty"`
}

// Contact is what the items are ranked for: a contact being offered or a
// conversation whose customer has just written.
type Contact struct {
	ID       string `json:"id"`
	TenantID string `json:"tenant_id"`
	// Words is what the customer has said so far (the latest messages, the
	// subject of an email, the trail's searches): the reason of the contact
	// as far as it is known.
	Words string `json:"words,omitempty"`
}
