// Package listening is the core of social listening: the rules a tenant
// writes (keywords, mentions, hashtags, language, the author's reach, a
// sentiment ceiling), the decision whether a public post becomes a
// conversation, and the Network interface each open social network plugs into.
// It does no I/O: a network adapter (internal/listening/mastodon) reads posts
// and hands them to an Intake, which asks Decide and stores what it takes.
package listening

import (
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// Post is one public (or direct) post on a social network, as the core
// needs it; the network adapter fills it from its own format.
type Post struct {
	Network string // "mastodon"
	ID      string // the network's id of the post
	URL     string
	// InReplyTo is the id of the post this one answers, "" for a new thread.
	InReplyTo string
	Author    Author
	Text      string   // plain text (the adapter strips markup)
	Language  string   // ISO 639-1 as the network reports it, "" when unknown
	Hashtags  []string // without '#', lower case
	Mentions  []string // accounts mentioned (user@host), lower case
	// Visibility is the network's: "public", "unlisted", "private" or
	// "direct". A direct post is a private message to the tenant's account.
	Visibility string
	CreatedAt  time.Time
}

// Direct reports whether the post is a private message rather than a public
// post.
func (p Post) Direct() bool { return p.Visibility == VisibilityDirect }

// The visibilities the core distinguishes.
const (
	VisibilityPublic   = "public"
	VisibilityUnlisted = "unlisted"
	VisibilityDirect   = "direct"
)

// Author is who wrote a post.
type Author struct {
	ID        string
	Handle    string // user@host, lower case: the persona identifier
	Name      string
	Followers int
	URL       string
}

// Rule is one of a tenant's listening rules. Every criterion given must hold
// (a post must match the keywords AND the hashtags …); within one list, any
// one entry does (keyword a OR keyword b). A rule needs at least one
// keyword, hashtag or mention, so no rule takes a whole public timeline.
type Rule struct {
	ID       string   `json:"id"`
	TenantID string   `json:"-"`
	Name     string   `json:"name"`
	Keywords []string `json:"keywords"` // words or phrases, matched whole, any case
	Hashtags []string `json:"hashtags"` // without '#'
	Mentions []string `json:"mentions"` // accounts (user@host) the post mentions
	// Languages, if any, limit the rule to posts in these languages.
	Languages []string `json:"languages"`
	// MinFollowers, if above zero, takes only authors with that reach.
	MinFollowers int `json:"min_followers"`
	// MaxSentiment, if set, takes only posts whose sentiment score (-1 …
	// 1, see Sentiment) is at most this: -0.2 keeps the complaints.
	MaxSentiment *float64 `json:"max_sentiment,omitempty"`
	// Priority is the conversation's priority; Queue the routing queue's
	// name it is filed under ("" leaves it to the queues' channel rules).
	Priority  conversation.Priority `json:"priority"`
	Queue     string                `json:"queue"`
	Enabled   bool                  `json:"enabled"`
	CreatedAt time.Time             `json:"created_at"`
	UpdatedAt time.Time             `json:"updated_at"`
}

// Match is the rule a post matched and what it decides.
type Match struct {
	RuleID    string
	RuleName  string
	Priority  conversation.Priority
	Queue     string
	Sentiment float64
}
