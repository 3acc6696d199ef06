// Package survey runs the satisfaction surveys of internal/csat: it keeps
// each tenant's settings, schedules a survey when a conversation is
// resolved, asks it on the conversation's channel when it is due (in the
// widget at once; by email with a link to the survey page, or by SMS,
// after the tenant's delay and only as the customer's preferences and
// consent allow), takes the answer from whichever way it comes, and
// records it: on the survey, as a note on the conversation's timeline, and
// as the event csat.answered for reports and webhooks.
package survey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Deps are what the service works with.
type Deps struct {
	DB    *store.DB
	Out   *outbox.Outbox
	Inbox *inbox.Service
	Bus   *bus.Bus
	Clock clock.Clock
	Log   *slog.Logger
	// BaseURL is the center's public address, for the survey page's link.
	BaseURL string
}

// Service runs the surveys of every tenant.
type Service struct {
	db      *store.DB
	out     *outbox.Outbox
	inbox   *inbox.Service
	bus     *bus.Bus
	clock   clock.Clock
	log     *slog.Logger
	baseURL string
	wake    chan struct{}
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{db: d.DB, out: d.Out, inbox: d.Inbox, bus: d.Bus, clock: d.Clock, log: d.Log.With("component", "csat"),
		baseURL: d.BaseURL, wake: make(chan struct{}, 1)}
}

// Answered is the data of a csat.answered event.
type Answered struct {
	SurveyID       string    `json:"survey_id"`
	ConversationID string    `json:"conversation_id"`
	Rating         int       `json:"rating"`
	Comment        string    `json:"comment"`
	Channel        string    `json:"channel"`
	QueueID        string    `json:"queue_id"`
	AgentID        string    `json:"agent_id"`
	AnsweredAt     time.Time `json:"answered_at"`
}

// Settings are the tenant's survey settings, the defaults until it sets its own.
func (s *Service) Settings(ctx context.Context, tenantID string) (csat.Settings, error) {
	st, err := s.db.CSATSettings(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return csat.DefaultSettings(), nil
	}
	return st, err
}

// PutSettings validates and stores the tenant's survey settings.
func (s *Service) PutSettings(ctx context.Context, tenantID string, st csat.Settings) (csat.Settings, error) {
	st, err := csat.ValidateSettings(st)
	if err != nil {
		return st, err
	}
	st.UpdatedAt = s.clock.Now()
	return st, s.db.PutCSATSettings(ctx, tenantID, st)
}

// Of is a conversation's survey.
func (s *Service) Of(ctx context.Context, tenantID, conversationID string) (csat.Survey, error) {
	if _, err := s.db.Conversation(ctx, tenantID, conversationID); err != nil {
		return csat.Survey{}, err
	}
	return s.db.SurveyOf(ctx, tenantID, conversationID)
}

// Follow schedules a survey for every conversation resolved in any tenant,
// until stop is called. Every node follows; the first to store the survey
// asks it.
func (s *Service) Follow(b *bus.Bus) (stop func() error, err error) {
	return b.SubscribeEvents(func(ev event.Event) {
		if ev.Type != event.ConversationUpdated {
			return
		}
		var c conversation.Conversation
		if json.Unmarshal(ev.Data, &c) != nil || c.TenantID != ev.TenantID || c.Status != conversation.StatusResolved {
			return
		}
		if _, _, err := s.Schedule(context.Background(), c.TenantID, c.ID); err != nil {
			s.log.Warn("schedule survey", "tenant_id", c.TenantID, "conversation_id", c.ID, "err", err)
		}
	})
}

// Schedule creates the survey of a resolved conversation, if its tenant asks
// one on the conversation's channel and it has none yet (one survey per
// conversation, however often it is resolved). The widget's is asked at
// once; others wait for their due time (Run). created is false when there
// was nothing to do.
func (s *Service) Schedule(ctx context.Context, tenantID, conversationID string) (v csat.Survey, created bool, err error) {
	c, err := s.db.Conversation(ctx, tenantID, conversationID)
	if err != nil || c.Status != conversation.StatusResolved {
		return v, false, err
	}
	st, err := s.Settings(ctx, tenantID)
	if err != nil {
		return v, false, err
	}
	ch, meta, err := s.db.LastInbound(ctx, tenantID, c.ID)
	if err != nil {
		return v, false, err
	}
	if ch == "" {
		ch = c.Channel
	}
	if viaOther(meta) || !st.Asks(ch) {
		return v, false, nil
	}
	queue, err := s.db.LastQueueOf(ctx, tenantID, c.ID)
	if err != nil {
		return v, false, err
	}
	now := s.clock.Now()
	resolved := c.ResolvedAt
	if resolved.IsZero() {
		resolved = now
	}
	v = csat.Survey{ID: ids.New(), TenantID: tenantID, ConversationID: c.ID, PersonaID: c.PersonaID, Channel: ch,
		QueueID: queue, AgentID: c.AssigneeID, State: csat.Scheduled, DueAt: st.DueAt(ch, resolved), CreatedAt: now, UpdatedAt: now}
	if ch == csat.Webchat {
		// Asked at once, in the widget's ended panel: no message is sent,
		// so no preference or consent is at stake.
		v.State, v.SentAt, v.ExpiresAt = csat.Sent, now, now.Add(csat.AnswerWindow)
	}
	created, err = s.db.InsertSurvey(ctx, v)
	if err != nil || !created {
		return v, false, err
	}
	if ch == csat.Webchat {
		s.toWidget(ctx, v, st)
	} else {
		s.poke()
	}
	return v, true, nil
}

// viaOther tells whether the customer's last message asked for answers on
// another channel (a chat visitor who left an email while nobody was
// online): no survey is asked where they are not.
func viaOther(meta json.RawMessage) bool {
	var m struct {
		ReplyVia string `json:"reply_via"`
	}
	return len(meta) > 0 && json.Unmarshal(meta, &m) == nil && m.ReplyVia != ""
}

// Answer records a customer's answer to an open survey: on the survey, on
// the conversation's timeline, and as csat.answered, in one transaction.
// ref (an SMS's provider id) makes a retried answer find itself taken.
func (s *Service) Answer(ctx context.Context, v csat.Survey, a csat.Answer, ref string) (csat.Survey, error) {
	now := s.clock.Now()
	if v.State == csat.Sent && !v.Open(now) {
		s.expire(ctx, v)
	}
	if err := v.Take(a, ref, now); err != nil {
		return v, err
	}
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.UpdateSurvey(ctx, v, csat.Sent); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("%w: %w", err, csat.ErrClosed)
			}
			return err
		}
		note := fmt.Sprintf("Customer rated the conversation %d/5 (%s)", v.Rating, v.Channel)
		if v.Comment != "" {
			note += ": “" + v.Comment + "”"
		}
		meta, _ := json.Marshal(map[string]any{"csat": map[string]any{"rating": v.Rating, "comment": v.Comment, "channel": v.Channel}})
		if err := inbox.RecordMeta(ctx, tx, s.clock, inbox.Actor{TenantID: v.TenantID}, v.ConversationID, note, meta); err != nil {
			return err
		}
		_, err := tx.Emit(ctx, v.TenantID, event.CSATAnswered, Answered{SurveyID: v.ID, ConversationID: v.ConversationID,
			Rating: v.Rating, Comment: v.Comment, Channel: v.Channel, QueueID: v.QueueID, AgentID: v.AgentID, AnsweredAt: v.AnsweredAt})
		return err
	})
	if err != nil {
		return v, err
	}
	s.log.Info("survey answered", "tenant_id", v.TenantID, "survey_id", v.ID, "channel", v.Channel, "rating", v.Rating)
	return v, nil
}

// expire closes a survey past its answer window.
func (s *Service) expire(ctx context.Context, v csat.Survey) {
	v.State, v.UpdatedAt = csat.Expired, s.clock.Now()
	if err := s.db.UpdateSurvey(ctx, v, csat.Sent); err != nil && !errors.Is(err, store.ErrConflict) {
		s.log.Warn("expire survey", "tenant_id", v.TenantID, "survey_id", v.ID, "err", err)
	}
}

// newToken returns a survey link's token and the hash stored for it.
func newToken() (token, hash string) {
	b := make([]byte, 24)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token)
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte("csat-survey:" + token))
	return hex.EncodeToString(sum[:])
}

// toWidget sends the survey to the conversation's widget sockets, on every node.
func (s *Service) toWidget(ctx context.Context, v csat.Survey, st csat.Settings) {
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(ctx, webchat.FrameSubject(v.TenantID, v.ConversationID), widgetFrame(v, st)); err != nil {
		s.log.Warn("survey to the widget", "tenant_id", v.TenantID, "err", err) // the widget asks again on its next connection
	}
}
