package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with maps of strings
	}
	return b
}

// systemItem records on the timeline what happened to a conversation.
func (s *Service) systemItem(ctx context.Context, tx *outbox.Tx, a Actor, c conversation.Conversation, text string) error {
	typ, id := a.author()
	now := s.clock.Now()
	m := conversation.Message{ID: ids.New(), TenantID: c.TenantID, ConversationID: c.ID, Kind: conversation.KindSystem,
		AuthorType: typ, AuthorID: id, Body: text, Status: conversation.DeliveryReceived, Attachments: []conversation.Attachment{},
		CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	_, err := tx.Emit(ctx, c.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c})
	return err
}

// change loads a conversation, lets fn change it, stores it with a system item
// saying what changed, and announces it.
func (s *Service) change(ctx context.Context, a Actor, id string, fn func(tx *outbox.Tx, c *conversation.Conversation) (string, error)) (conversation.Conversation, error) {
	var c conversation.Conversation
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if c, err = tx.Conversation(ctx, a.TenantID, id); err != nil {
			return err
		}
		what, err := fn(tx, &c)
		if err != nil || what == "" {
			return err
		}
		c.UpdatedAt = s.clock.Now()
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		if err := s.systemItem(ctx, tx, a, c, what); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.ConversationUpdated, c)
		return err
	})
	return c, err
}

// Assign gives the conversation to an agent of the tenant ("" unassigns).
func (s *Service) Assign(ctx context.Context, a Actor, id, assigneeID string) (conversation.Conversation, error) {
	return s.change(ctx, a, id, func(tx *outbox.Tx, c *conversation.Conversation) (string, error) {
		if assigneeID == c.AssigneeID {
			return "", nil
		}
		c.AssigneeID = assigneeID
		if assigneeID == "" {
			return "Unassigned", nil
		}
		u, err := tx.User(ctx, a.TenantID, assigneeID)
		if err != nil {
			return "", &tenant.FieldError{Field: "assignee_id", Reason: "no such user in this workspace"}
		}
		return "Assigned to " + u.Name, nil
	})
}

// SetStatus opens, pends or resolves a conversation.
func (s *Service) SetStatus(ctx context.Context, a Actor, id string, st conversation.Status) (conversation.Conversation, error) {
	if !st.Valid() || st == conversation.StatusSnoozed {
		return conversation.Conversation{}, &tenant.FieldError{Field: "status", Reason: "must be open, pending or resolved (snooze has its own action)"}
	}
	return s.change(ctx, a, id, func(_ *outbox.Tx, c *conversation.Conversation) (string, error) {
		if c.Status == st {
			return "", nil
		}
		c.Status, c.SnoozedUntil = st, time.Time{}
		return "Status: " + string(st), nil
	})
}

// Snooze hides a conversation until a time; a message from the customer wakes it sooner.
func (s *Service) Snooze(ctx context.Context, a Actor, id string, until time.Time) (conversation.Conversation, error) {
	if !until.After(s.clock.Now()) {
		return conversation.Conversation{}, &tenant.FieldError{Field: "until", Reason: "must be in the future"}
	}
	return s.change(ctx, a, id, func(_ *outbox.Tx, c *conversation.Conversation) (string, error) {
		c.Status, c.SnoozedUntil = conversation.StatusSnoozed, until.UTC()
		return "Snoozed until " + until.UTC().Format("2006-01-02 15:04 UTC"), nil
	})
}

// WakeSnoozed reopens conversations whose snooze has ended.
func (s *Service) WakeSnoozed(ctx context.Context) (int, error) {
	due, err := s.db.DueSnoozes(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	for _, d := range due {
		if _, err := s.change(ctx, Actor{TenantID: d.TenantID}, d.ID, func(_ *outbox.Tx, c *conversation.Conversation) (string, error) {
			if c.Status != conversation.StatusSnoozed {
				return "", nil
			}
			c.Status, c.SnoozedUntil = conversation.StatusOpen, time.Time{}
			return "Snooze ended", nil
		}); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// SetPriority changes how urgent a conversation is.
func (s *Service) SetPriority(ctx context.Context, a Actor, id string, p conversation.Priority) (conversation.Conversation, error) {
	if p < conversation.PriorityLow || p > conversation.PriorityUrgent {
		return conversation.Conversation{}, &tenant.FieldError{Field: "priority", Reason: "must be 0 (low) to 3 (urgent)"}
	}
	return s.change(ctx, a, id, func(_ *outbox.Tx, c *conversation.Conversation) (string, error) {
		if c.Priority == p {
			return "", nil
		}
		c.Priority = p
		return fmt.Sprintf("Priority: %s", [...]string{"low", "normal", "high", "urgent"}[p]), nil
	})
}

// SetTeam hands a conversation to a team ("billing", "cards"), or to none with
// "". Teams are names for now; the routing engine gives them queues.
func (s *Service) SetTeam(ctx context.Context, a Actor, id, team string) (conversation.Conversation, error) {
	team = strings.TrimSpace(team)
	if team != "" && !tagRE.MatchString(team) {
		return conversation.Conversation{}, &tenant.FieldError{Field: "team", Reason: "letters, digits and _ . : - only, at most 50"}
	}
	return s.change(ctx, a, id, func(_ *outbox.Tx, c *conversation.Conversation) (string, error) {
		if c.Team == team {
			return "", nil
		}
		c.Team = team
		if team == "" {
			return "Team removed", nil
		}
		return "Team: " + team, nil
	})
}

var tagRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}_.:-]{0,49}$`)

// SetTags replaces a conversation's tags.
func (s *Service) SetTags(ctx context.Context, a Actor, id string, tags []string) (conversation.Conversation, error) {
	if len(tags) > textfield.MaxTags {
		return conversation.Conversation{}, &tenant.FieldError{Field: "tags", Reason: fmt.Sprintf("at most %d tags (has %d)", textfield.MaxTags, len(tags))}
	}
	clean := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !tagRE.MatchString(t) {
			return conversation.Conversation{}, &tenant.FieldError{Field: "tags", Reason: fmt.Sprintf("%q: 1–50 letters, digits or _ . : -", t)}
		}
		if !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	slices.Sort(clean)
	return s.change(ctx, a, id, func(tx *outbox.Tx, c *conversation.Conversation) (string, error) {
		if slices.Equal(c.Tags, clean) {
			return "", nil
		}
		c.Tags = clean
		if err := tx.SetTags(ctx, a.TenantID, c.ID, clean); err != nil {
			return "", err
		}
		if len(clean) == 0 {
			return "Tags cleared", nil
		}
		return "Tags: " + strings.Join(clean, ", "), nil
	})
}

// CheckNote checks a note's text as Note would, for callers that must refuse
// a bad note before they change anything else (a transfer with a note);
// field names it in the error.
func (s *Service) CheckNote(field, body string) error {
	if strings.TrimSpace(body) == "" {
		return &tenant.FieldError{Field: field, Reason: "a note needs text"}
	}
	return textfield.Block(field, body, s.limits.MaxBodyBytes)
}

var mentionRE = regexp.MustCompile(`@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})`)

// Note adds an internal note, never shown to the customer. Mentions are written
// @email of a colleague; they are resolved to user ids and announced.
func (s *Service) Note(ctx context.Context, a Actor, id, body string) (conversation.Message, error) {
	if err := s.CheckNote("body", body); err != nil {
		return conversation.Message{}, err
	}
	var m conversation.Message
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		c, err := tx.Conversation(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		mentions := []string{}
		for _, mm := range mentionRE.FindAllStringSubmatch(body, -1) {
			u, err := tx.UserByEmail(ctx, a.TenantID, strings.ToLower(mm[1]))
			if err == nil && !slices.Contains(mentions, u.ID) {
				mentions = append(mentions, u.ID)
			} else if err != nil && !isNotFound(err) {
				return err
			}
		}
		typ, uid := a.author()
		now := s.clock.Now()
		m = conversation.Message{ID: ids.New(), TenantID: a.TenantID, ConversationID: c.ID, Kind: conversation.KindNote,
			AuthorType: typ, AuthorID: uid, Body: body, Status: conversation.DeliveryReceived, Attachments: []conversation.Attachment{},
			Meta: mustJSON(map[string][]string{"mentions": mentions}), CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if err := tx.AddMentions(ctx, a.TenantID, c.ID, m.ID, mentions, now); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c})
		return err
	})
	return m, err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
