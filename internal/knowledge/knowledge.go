// Package knowledge holds the articles a tenant's agents and customers find
// answers in, shaped as Knowledge-Centered Service (KCS v6) asks: an article
// states the issue in the customer's words, the environment, the cause and the
// resolution, and moves from work in progress to published as people who
// solve cases write and improve it.
//
// This file is the domain's vocabulary: types, the states and who may move an
// article between them. Storage, the search index, the help center and the
// desktop build on it; nothing here does I/O.
package knowledge

import (
	"errors"
	"slices"
	"time"
)

// State is where an article stands in the KCS life cycle.
type State string

// The states, in the order an article usually passes them.
const (
	WorkInProgress State = "wip"           // captured while solving; anyone may improve it
	NotValidated   State = "not_validated" // complete enough to reuse, not yet checked by a publisher
	Validated      State = "validated"     // checked by a publisher, seen by agents
	Published      State = "published"     // also seen by customers when its audience allows
	Archived       State = "archived"      // kept for history, found by nobody
)

// States lists every state, for validation and filters.
var States = []State{WorkInProgress, NotValidated, Validated, Published, Archived}

// Valid reports whether s is one of States.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Audience says who may read an article.
type Audience string

// The audiences.
const (
	AgentsOnly Audience = "agents"    // internal: the desktop only
	Customers  Audience = "customers" // written for customers (the help center and the widget)
	Everyone   Audience = "both"      // both of them
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return a == AgentsOnly || a == Customers || a == Everyone }

// ForCustomers reports whether customers may read an article with this audience
// once it is published.
func (a Audience) ForCustomers() bool { return a == Customers || a == Everyone }

// Locales are the languages the search analyses with a stemmer of its own;
// an article in another locale is still stored and found, by its plain words.
var Locales = []string{"en", "de", "fr", "es"}

// Article is one KCS article. The four content fields are Markdown; what is
// shown is rendered and sanitised from them (Render).
type Article struct {
	ID       string
	TenantID string
	// Slug names the article in the help center's addresses; unique per tenant.
	Slug        string
	Title       string
	Issue       string // the problem in the customer's words
	Environment string // product, version, plan, channel… where it happens
	Cause       string
	Resolution  string
	Audience    Audience
	Locale      string // a BCP 47 language tag, "en" by default
	Tags        []string
	Category    string   // the help center groups published articles by it
	QueueIDs    []string // the queues whose conversations it belongs to
	Products    []string
	State       State
	OwnerID     string // who created it (or took it over); sees its flags
	Version     int    // 1 on creation, one more on every edit or restore
	// ExternalID is the article's id in the system it was imported from; an
	// import that sees it again updates instead of duplicating.
	ExternalID string
	// SourceConversationID is the conversation it was created from, if any.
	SourceConversationID string
	StateChangedAt       time.Time
	StateChangedBy       string
	PublishedAt          time.Time // zero until first published
	CreatedAt            time.Time
	UpdatedAt            time.Time
	// OpenFlags counts the flags nobody has resolved yet; derived when the
	// article is read, never written.
	OpenFlags int
}

// ForCustomers reports whether customers see the article now: published, with an
// audience that includes them.
func (a Article) ForCustomers() bool { return a.State == Published && a.Audience.ForCustomers() }

// ForAgents reports whether the desktop suggests it: any state but work in
// progress and archived (KCS lets agents reuse not-yet-validated articles).
func (a Article) ForAgents() bool { return a.State != WorkInProgress && a.State != Archived }

// Version is one stored edit of an article: the content as it stood after it.
type Version struct {
	ArticleID string
	Version   int
	AuthorID  string
	Note      string // what the author said of the change, or "restored version N"
	Content   Content
	CreatedAt time.Time
}

// Content is the part of an article an edit changes and a version keeps.
type Content struct {
	Title       string   `json:"title"`
	Issue       string   `json:"issue"`
	Environment string   `json:"environment"`
	Cause       string   `json:"cause"`
	Resolution  string   `json:"resolution"`
	Audience    Audience `json:"audience"`
	Locale      string   `json:"locale"`
	Tags        []string `json:"tags"`
	Category    string   `json:"category"`
	QueueIDs    []string `json:"queue_ids"`
	Products    []string `json:"products"`
}

// ContentOf is the content part of a.
func ContentOf(a Article) Content {
	return Content{Title: a.Title, Issue: a.Issue, Environment: a.Environment, Cause: a.Cause, Resolution: a.Resolution,
		Audience: a.Audience, Locale: a.Locale, Tags: a.Tags, Category: a.Category, QueueIDs: a.QueueIDs, Products: a.Products}
}

// WithContent is a with its content replaced by c.
func (a Article) WithContent(c Content) Article {
	a.Title, a.Issue, a.Environment, a.Cause, a.Resolution = c.Title, c.Issue, c.Environment, c.Cause, c.Resolution
	a.Audience, a.Locale, a.Tags, a.Category, a.QueueIDs, a.Products = c.Audience, c.Locale, c.Tags, c.Category, c.QueueIDs, c.Products
	return a
}

// Transition is one move between states: who, when, why.
type Transition struct {
	ArticleID string
	From, To  State
	ByID      string
	Note      string
	At        time.Time
}

// Flag is a "flag it" in KCS: someone who found an article wrong or
// incomplete and did not fix it says why; its owner and publishers see it.
type Flag struct {
	ID         string
	TenantID   string
	ArticleID  string
	Reason     string
	ByID       string
	CreatedAt  time.Time
	ResolvedAt time.Time // zero while open
	ResolvedBy string
}

// Open reports whether nobody has dealt with the flag yet.
func (f Flag) Open() bool { return f.ResolvedAt.IsZero() }

// Errors the knowledge packages return; the API maps them to statuses.
var (
	ErrNotFound   = errors.New("no such article")
	ErrForbidden  = errors.New("only a knowledge publisher may do this")
	ErrTransition = errors.New("the article cannot move to that state from where it is")
	ErrStale      = errors.New("the article was changed by someone else meanwhile")
	ErrTooLarge   = errors.New("the article is larger than allowed")
)

// Move says whether someone may move an article from one state to another.
// Publishers (KCS coaches) validate, publish and archive, and only they move
// an article out of validated, published or archived; anyone who writes
// articles moves work between work in progress and not validated.
func Move(from, to State, publisher bool) error {
	if from == to || !to.Valid() {
		return ErrTransition
	}
	allowed, ok := moves[from]
	if !ok || !slices.Contains(allowed, to) {
		return ErrTransition
	}
	if slices.Contains(publisherOnly, to) || from == Validated || from == Published || from == Archived {
		if !publisher {
			return ErrForbidden
		}
	}
	return nil
}

// moves lists where each state may go.
var moves = map[State][]State{
	WorkInProgress: {NotValidated, Validated, Published, Archived},
	NotValidated:   {WorkInProgress, Validated, Published, Archived},
	Validated:      {WorkInProgress, NotValidated, Published, Archived},
	Published:      {WorkInProgress, Validated, Archived},
	Archived:       {WorkInProgress, Published},
}

// publisherOnly are the states only a publisher moves an article into.
var publisherOnly = []State{Validated, Published, Archived}

// MayEdit says whether someone may change an article's content in state s:
// anyone who writes articles fixes work in progress and not-validated ones
// ("fix it"); a validated or published article is fixed by a publisher and
// flagged by the others ("flag it"); an archived one is restored first.
func MayEdit(s State, publisher bool) error {
	switch s {
	case WorkInProgress, NotValidated:
		return nil
	case Validated, Published:
		if publisher {
			return nil
		}
		return ErrForbidden
	default:
		return ErrTransition
	}
}
