package knowledge

import (
	"errors"
	"time"
)

// Reuse is KCS's measure of whether knowledge is used: agents link the
// articles that resolved a conversation (a link is a reuse), and the
// suggestions learn from what was linked to conversations like this one.
// These are its records; the suggest package ranks with them.

// LinkKind says how an article came to be linked to a conversation.
type LinkKind string

// The link kinds.
const (
	LinkReused  LinkKind = "linked"  // an existing article resolved it
	LinkCreated LinkKind = "created" // the article was written from this conversation
)

// Link is an article linked to a conversation.
type Link struct {
	TenantID       string
	ConversationID string
	ArticleID      string
	Kind           LinkKind
	AgentID        string
	CreatedAt      time.Time
}

// Search is a search an agent ran while working a conversation ("searching
// is capturing": the words agents search with are the customers' words a
// missing article should carry).
type Search struct {
	ID             string
	TenantID       string
	ConversationID string
	AgentID        string
	Query          string
	Results        int
	At             time.Time
}

// Dismissal is an agent saying a suggested article does not fit this
// conversation; it is not suggested here again, and counts against the
// article's approval everywhere.
type Dismissal struct {
	TenantID       string
	ConversationID string
	ArticleID      string
	AgentID        string
	At             time.Time
}

// Outcome is what an agent answered, once, on resolving a conversation: did
// knowledge help?
type Outcome string

// The outcomes.
const (
	OutcomeNone      Outcome = ""
	OutcomeLinked    Outcome = "linked"     // an existing article resolved it
	OutcomeCreated   Outcome = "created"    // a new article was written from it
	OutcomeNotNeeded Outcome = "not_needed" // no article was needed
)

// Valid reports whether o is an answer one can give (not OutcomeNone).
func (o Outcome) Valid() bool {
	return o == OutcomeLinked || o == OutcomeCreated || o == OutcomeNotNeeded
}

// Case is a past case: a resolved conversation's words, the articles it
// was resolved with (none when no article was needed) and who resolved it.
// Every conversation resolved here becomes a case on resolution; a tenant
// moving from another help desk imports its history as cases.
type Case struct {
	ID             string
	TenantID       string
	ConversationID string // "" for an imported case
	ExternalID     string // the case's id in the help desk it came from
	Subject        string
	CustomerText   string
	AgentText      string
	ArticleIDs     []string
	ResolverID     string // the user it was assigned to when resolved; "" if imported or unassigned
	ResolvedAt     time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Text is what similarity compares: the subject, then the customer's words,
// then the agent's.
func (c Case) Text() string { return c.Subject + "\n" + c.CustomerText + "\n" + c.AgentText }

// ErrNoConversation is returned for a conversation that is not the tenant's.
var ErrNoConversation = errors.New("no such conversation")
