// Package csat is the customer satisfaction survey: after a conversation is
// resolved, one question ("How did we do?") asked on the channel the
// conversation ran on, answered with a rating from 1 to 5 and an optional
// comment. This package holds the survey's rules and no I/O: a tenant's
// settings and their validation, the survey's states, when a survey is due
// and until when it may be answered, and how an SMS reply reads as a rating.
// The service that stores, sends and takes answers is csat/survey.
package csat

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The channels a survey can be asked on, and how: a rating in the open
// widget, a link to the survey page in an email, a 1–5 reply by SMS.
const (
	Webchat = "webchat"
	Email   = "email"
	SMS     = "sms"
)

// Channels lists the channels a survey can be asked on.
var Channels = []string{Webchat, Email, SMS}

// NotificationType is the key under which a customer's preferences and
// consent ledger speak about surveys sent as messages (email, SMS): a
// customer who switched "csat_survey" off, or revoked the channel, gets none.
const NotificationType = "csat_survey"

// State is where a survey is.
type State string

// The survey states.
const (
	Scheduled  State = "scheduled"  // waiting for its due time
	Sent       State = "sent"       // asked; open for an answer until it expires
	Answered   State = "answered"   // rated
	Expired    State = "expired"    // not answered in time
	Suppressed State = "suppressed" // not asked: preferences, consent or an opt-out
)

// Limits on what a tenant and a customer write.
const (
	MaxDelay       = 7 * 24 * time.Hour
	MaxTextRunes   = 300
	MaxCommentRune = 1000
	// AnswerWindow is how long a survey stays open once asked.
	AnswerWindow = 72 * time.Hour
)

// Settings are a tenant's survey wording and delay.
type Settings struct {
	Enabled bool `json:"enabled"`
	// DelaySeconds is how long after the resolution a survey goes out as a
	// message (email, SMS). The widget asks at once: its customer is there.
	DelaySeconds int64 `json:"delay_seconds"`
	// Channels are the channels surveys are asked on.
	Channels      []string  `json:"channels"`
	Question      string    `json:"question"`
	CommentPrompt string    `json:"comment_prompt"`
	Thanks        string    `json:"thanks"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// DefaultSettings are a tenant's until it sets its own.
func DefaultSettings() Settings {
	return Settings{Enabled: true, DelaySeconds: 15 * 60, Channels: slices.Clone(Channels),
		Question:      "How did we do? Rate your conversation from 1 (poor) to 5 (great).",
		CommentPrompt: "Anything you would like to add? (optional)",
		Thanks:        "Thank you for your feedback!"}
}

// Delay is DelaySeconds as a duration.
func (s Settings) Delay() time.Duration { return time.Duration(s.DelaySeconds) * time.Second }

// Normalize trims the texts and puts the channels in their usual order.
func (s *Settings) Normalize() {
	s.Question = strings.TrimSpace(s.Question)
	s.CommentPrompt = strings.TrimSpace(s.CommentPrompt)
	s.Thanks = strings.TrimSpace(s.Thanks)
	var chans []string
	for _, c := range Channels {
		if slices.Contains(s.Channels, c) {
			chans = append(chans, c)
		}
	}
	if chans == nil {
		chans = []string{}
	}
	s.Channels = chans
}

// Validate says which field is wrong and why. Call Normalize first
// (ValidateSettings does both, refusing unknown channels first).
func (s Settings) Validate() error {
	if s.DelaySeconds < 0 || s.Delay() > MaxDelay {
		return &tenant.FieldError{Field: "delay_seconds", Reason: fmt.Sprintf("between 0 and %d seconds (7 days)", int64(MaxDelay/time.Second))}
	}
	for _, f := range []struct{ name, v string }{{"question", s.Question}, {"comment_prompt", s.CommentPrompt}, {"thanks", s.Thanks}} {
		if f.v == "" {
			return &tenant.FieldError{Field: f.name, Reason: "required"}
		}
		if utf8.RuneCountInString(f.v) > MaxTextRunes {
			return &tenant.FieldError{Field: f.name, Reason: fmt.Sprintf("at most %d characters", MaxTextRunes)}
		}
	}
	return nil
}

// ValidateSettings normalizes and validates s, for the admin form's PUT.
func ValidateSettings(s Settings) (Settings, error) {
	for _, c := range s.Channels {
		if !slices.Contains(Channels, c) {
			return s, &tenant.FieldError{Field: "channels", Reason: fmt.Sprintf("%q is not a survey channel (webchat, email, sms)", c)}
		}
	}
	s.Normalize()
	return s, s.Validate()
}

// Asks tells whether a tenant's settings ask a survey on a channel.
func (s Settings) Asks(channel string) bool {
	return s.Enabled && slices.Contains(s.Channels, channel)
}

// DueAt is when a survey on channel for a conversation resolved at
// resolved goes out: at once in the widget, after the delay elsewhere.
func (s Settings) DueAt(channel string, resolved time.Time) time.Time {
	if channel == Webchat {
		return resolved
	}
	return resolved.Add(s.Delay())
}

// Survey is one conversation's survey.
type Survey struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"-"`
	ConversationID string    `json:"conversation_id"`
	PersonaID      string    `json:"persona_id,omitempty"`
	Channel        string    `json:"channel"`
	QueueID        string    `json:"queue_id,omitempty"`
	AgentID        string    `json:"agent_id,omitempty"`
	State          State     `json:"state"`
	Reason         string    `json:"reason,omitempty"`
	TokenHash      string    `json:"-"`
	Rating         int       `json:"rating,omitempty"`
	Comment        string    `json:"comment,omitempty"`
	AnswerRef      string    `json:"-"`
	DueAt          time.Time `json:"due_at"`
	SentAt         time.Time `json:"sent_at,omitzero"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Open tells whether the survey takes an answer at now: asked, not yet
// answered, not expired.
func (s Survey) Open(now time.Time) bool {
	return s.State == Sent && now.Before(s.ExpiresAt)
}

// Answer is a customer's rating and comment.
type Answer struct {
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
}

// Check validates an answer and trims its comment.
func (a Answer) Check() (Answer, error) {
	if a.Rating < 1 || a.Rating > 5 {
		return a, &tenant.FieldError{Field: "rating", Reason: "a whole number from 1 to 5"}
	}
	a.Comment = strings.TrimSpace(a.Comment)
	if utf8.RuneCountInString(a.Comment) > MaxCommentRune {
		return a, &tenant.FieldError{Field: "comment", Reason: fmt.Sprintf("at most %d characters", MaxCommentRune)}
	}
	return a, nil
}

// Take records an answer on an open survey at now.
func (s *Survey) Take(a Answer, ref string, now time.Time) error {
	a, err := a.Check()
	if err != nil {
		return err
	}
	if !s.Open(now) {
		return fmt.Errorf("survey %s is %s: %w", s.ID, s.State, ErrClosed)
	}
	s.State, s.Rating, s.Comment, s.AnswerRef, s.AnsweredAt, s.UpdatedAt = Answered, a.Rating, a.Comment, ref, now, now
	return nil
}

// ErrClosed is the answer to a survey that no longer takes one.
var ErrClosed = errClosed{}

type errClosed struct{}

func (errClosed) Error() string { return "the survey is closed" }

// ParseReply reads an SMS reply as an answer: a rating from 1 to 5 standing
// alone as the first word ("5", "5/5", "4 quick and kind", "3. ok"), then
// anything after it as the comment. Anything else is not an answer (ok
// false) and goes to the inbox as a message, the survey still open: "10",
// "5pm?", and any reply with a question mark, since a customer who asks
// something ("2 more questions: is my card blocked?") wants an answer,
// not a rating.
func ParseReply(body string) (a Answer, ok bool) {
	b := strings.TrimSpace(body)
	if b == "" || b[0] < '1' || b[0] > '5' || strings.ContainsAny(b, "?¿") {
		return a, false
	}
	rest := b[1:]
	if rest != "" {
		c := rest[0]
		if c >= '0' && c <= '9' {
			return a, false // 10, 15…
		}
		if c != ' ' && c != '.' && c != ',' && c != '!' && c != '/' && c != '\n' && c != '\r' && c != '\t' && c != '-' && c != ')' {
			return a, false // "5am", "3rd"
		}
		if c == '/' {
			rest = strings.TrimPrefix(rest, "/")
			if !strings.HasPrefix(rest, "5") {
				return a, false
			}
			rest = rest[1:]
		}
	}
	a.Rating = int(b[0] - '0')
	a.Comment = strings.TrimLeft(strings.TrimSpace(rest), ".,!-) \t")
	return a, utf8.RuneCountInString(a.Comment) <= MaxCommentRune
}
