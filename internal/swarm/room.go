package swarm

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// State is where a room stands.
type State string

// The room states: a room is open until someone closes it with an outcome.
const (
	StateOpen   State = "open"
	StateClosed State = "closed"
)

// Limits on what people write, in characters.
const (
	MaxQuestion = 2000
	MaxOutcome  = 10000
	MaxMessage  = 10000
	MaxMentions = 20
)

// Errors of the domain; the API maps them to statuses in one place.
var (
	ErrClosed        = errors.New("the room is closed")
	ErrAlreadyMember = errors.New("already a member of the room")
	ErrNotInvited    = errors.New("not invited to the room")
	ErrNotMember     = errors.New("not a member of the room")
)

// InvalidError names the field a request got wrong and why.
type InvalidError struct{ Field, Reason string }

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, reason string) error { return &InvalidError{Field: field, Reason: reason} }

// Room is a side thread about one conversation. Its question carries the
// context the experts need; its outcome is what the swarm found, and can
// become a knowledge article.
type Room struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"-"`
	ConversationID string    `json:"conversation_id"`
	Question       string    `json:"question"`
	OpenedBy       string    `json:"opened_by"`
	State          State     `json:"state"`
	Outcome        string    `json:"outcome"`
	ClosedBy       string    `json:"closed_by"`
	CreatedAt      time.Time `json:"created_at"`
	ClosedAt       time.Time `json:"closed_at,omitzero"` // zero while open
}

// Open makes a new room; the one who opens it is its first member (see
// Opener).
func Open(id, tenantID, conversationID, openedBy, question string, now time.Time) (Room, error) {
	q, err := text("question", question, MaxQuestion)
	if err != nil {
		return Room{}, err
	}
	return Room{ID: id, TenantID: tenantID, ConversationID: conversationID, Question: q, OpenedBy: openedBy,
		State: StateOpen, CreatedAt: now}, nil
}

// Close ends the room with what was found. A room is closed once.
func (r Room) Close(by, outcome string, now time.Time) (Room, error) {
	if r.State == StateClosed {
		return r, ErrClosed
	}
	o, err := text("outcome", outcome, MaxOutcome)
	if err != nil {
		return r, err
	}
	r.State, r.Outcome, r.ClosedBy, r.ClosedAt = StateClosed, o, by, now
	return r, nil
}

// text trims s and checks it is there and not too long.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid(field, "is required")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", invalid(field, fmt.Sprintf("is %d characters, at most %d", n, max))
	}
	return s, nil
}
