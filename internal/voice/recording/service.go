package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// ErrNotAsked means the customer answered about a recording nobody asked
// about or announced.
var ErrNotAsked = errors.New("recording: not asked")

// Scope is the consent ledger's scope for call recording decisions.
var Scope = consent.CategoryScope("call_recording")

// Service stores policies, consent and recordings.
type Service struct {
	db    *store.DB
	out   *outbox.Outbox
	clock clock.Clock
	log   *slog.Logger
}

// New returns the service over the store; out writes timeline notes with
// what they describe.
func New(db *store.DB, out *outbox.Outbox, clk clock.Clock, log *slog.Logger) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, out: out, clock: clk, log: log.With("component", "recording")}
}

// Policy is the tenant's recording policy; Default when it set none.
func (s *Service) Policy(ctx context.Context, tenantID string) (Policy, error) {
	p, err := s.db.RecordingPolicy(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return Default(), nil
	}
	if err != nil {
		return Policy{}, err
	}
	return Policy{Mode: Mode(p.Mode), RetentionDays: p.RetentionDays, UpdatedAt: p.UpdatedAt}, nil
}

// SetPolicy validates and stores the tenant's policy. A zero retention
// keeps the default.
func (s *Service) SetPolicy(ctx context.Context, tenantID string, p Policy) (Policy, error) {
	if p.RetentionDays == 0 {
		p.RetentionDays = DefaultRetentionDays
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	p.UpdatedAt = s.clock.Now().UTC().Truncate(time.Microsecond)
	err := s.db.PutRecordingPolicy(ctx, tenantID, store.RecordingPolicy{Mode: string(p.Mode), RetentionDays: p.RetentionDays, UpdatedAt: p.UpdatedAt})
	return p, err
}

// Call names the call a recording or a consent belongs to.
type Call struct {
	ID, TenantID, ConversationID, AgentID string
}

// How the customer's answer arrived; it goes into the ledger's note.
const (
	ViaWidget = "widget"
	ViaKeypad = "keypad"
	ViaPrompt = "prompt" // the announcement itself
)

// WriteConsent appends the call's consent (announced, granted or refused)
// to the ledger of the conversation's persona, with the call and the
// conversation in the record's note, and says it on the timeline.
func (s *Service) WriteConsent(ctx context.Context, c Call, what Consent, via string) error {
	granted := what != Refused
	source, actor := consent.SourceCustomer, "persona"
	if what == Announced {
		source, actor = consent.SourceAnnouncement, "system"
	}
	note := fmt.Sprintf("call recording %s (%s): call %s, conversation %s", what, via, c.ID, c.ConversationID)
	var text string
	switch what {
	case Announced:
		text = "Call recording announced to the customer"
	case Granted:
		text = "The customer agreed to the call being recorded"
	case Refused:
		text = "The customer refused the call being recorded: nothing is recorded"
	default:
		return fmt.Errorf("recording: consent %q is not written to the ledger", what)
	}
	var err error
	for range 5 { // a racing append on the persona's chain: read it again
		err = s.out.Do(ctx, func(tx *outbox.Tx) error {
			conv, err := tx.Conversation(ctx, c.TenantID, c.ConversationID)
			if err != nil {
				return err
			}
			if conv.PersonaID != "" {
				chain, err := tx.ConsentRecords(ctx, c.TenantID, conv.PersonaID)
				if err != nil {
					return err
				}
				r, err := consent.Append(chain, consent.Record{TenantID: c.TenantID, PersonaID: conv.PersonaID, Scope: Scope,
					Granted: granted, Source: source, Actor: actor, Note: note, At: s.clock.Now()})
				if err != nil {
					return err
				}
				if err := tx.AppendConsent(ctx, r); err != nil {
					return err
				}
			}
			return inbox.RecordMeta(ctx, tx, s.clock, inbox.Actor{TenantID: c.TenantID}, c.ConversationID, text, nil)
		})
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("recording: write consent of call %s: %w", c.ID, err)
	}
	return nil
}

// Meta is what a recording's timeline note carries for the desktop's player.
type Meta struct {
	CallID  string `json:"call_id"`
	AgentID string `json:"agent_id,omitempty"`
	Seconds int    `json:"seconds"`
	Deleted bool   `json:"deleted,omitempty"`
}

// Store keeps a call's recording (a WAV) made under consent what, with a
// timeline note the desktop shows a player on.
func (s *Service) Store(ctx context.Context, c Call, what Consent, wav []byte, seconds int, retentionDays int) error {
	now := s.clock.Now()
	r := store.CallRecording{CallID: c.ID, TenantID: c.TenantID, ConversationID: c.ConversationID, AgentID: c.AgentID,
		Consent: string(what), AttachmentID: ids.New(), Size: int64(len(wav)), Seconds: seconds, RetentionDays: retentionDays, CreatedAt: now}
	meta, _ := json.Marshal(map[string]Meta{"recording": {CallID: c.ID, AgentID: c.AgentID, Seconds: seconds}})
	text := fmt.Sprintf("Call recorded (%d:%02d)", seconds/60, seconds%60)
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.InsertCallRecording(ctx, r, "call-"+c.ID+".wav", "audio/wav", wav); err != nil {
			return err
		}
		return inbox.RecordMeta(ctx, tx, s.clock, inbox.Actor{TenantID: c.TenantID}, c.ConversationID, text, meta)
	})
	if err != nil {
		return fmt.Errorf("recording: store call %s: %w", c.ID, err)
	}
	return nil
}

// StoreRefused keeps the fact that a call was not recorded because its
// customer refused: a row without audio.
func (s *Service) StoreRefused(ctx context.Context, c Call) error {
	r := store.CallRecording{CallID: c.ID, TenantID: c.TenantID, ConversationID: c.ConversationID, AgentID: c.AgentID,
		Consent: string(Refused), CreatedAt: s.clock.Now()}
	if err := s.db.InsertCallRecording(ctx, r, "", "", nil); err != nil {
		return fmt.Errorf("recording: store refusal of call %s: %w", c.ID, err)
	}
	return nil
}

// Listener is who asks to hear a recording: a user (UserID) or an API
// key; Supervisor when the caller may supervise (admins, supervisors, an
// API key with the admin scope).
type Listener struct {
	TenantID, UserID string
	Supervisor       bool
}

// MayHear says who hears a call's recording: whoever supervises the tenant
// (admins, supervisors, an admin API key archiving recordings) and the agent
// who had the call last. Other agents and experts do not (ADR 0043).
func MayHear(l Listener, agentID string) bool {
	return l.Supervisor || l.UserID != "" && l.UserID == agentID
}

// Audio returns a call's recording for a listener allowed to hear it;
// store.ErrNotFound for anyone else, for a deleted or refused recording
// and for another tenant's call alike.
func (s *Service) Audio(ctx context.Context, l Listener, callID string) (conversation.Attachment, []byte, error) {
	r, a, data, err := s.db.CallRecordingAudio(ctx, l.TenantID, callID)
	if err != nil {
		return a, nil, err
	}
	if !MayHear(l, r.AgentID) {
		return conversation.Attachment{}, nil, fmt.Errorf("call recording %s: %w", callID, store.ErrNotFound)
	}
	return a, data, nil
}

// Recording is a call's recording row (consent, size, deletion).
func (s *Service) Recording(ctx context.Context, tenantID, callID string) (store.CallRecording, error) {
	return s.db.CallRecording(ctx, tenantID, callID)
}
