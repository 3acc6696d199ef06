package screenpop

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextrank"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Learning's pace.
const (
	// Quiet is how long a conversation's screen-pop has had no feedback
	// before its events are learned from: by then the agent has moved on and
	// the contact's feedback is complete.
	Quiet = 30 * time.Minute
	// learnBatch bounds the conversations folded in one transaction.
	learnBatch = 500
	// Kept is how long events are kept once learned from: the model holds
	// what they taught; they stay a while for the workspace's export and
	// for relearning should the model's meaning change.
	Kept = 90 * 24 * time.Hour
)

func impression(tenantID, userID, conversationID string, r contextrank.Ranked, now time.Time) (store.ContextFeedback, error) {
	f, err := json.Marshal(r.Features)
	if err != nil {
		return store.ContextFeedback{}, fmt.Errorf("impression features: %w", err)
	}
	return store.ContextFeedback{ID: ids.New(), TenantID: tenantID, ConversationID: conversationID, ItemKey: r.Item.ID,
		Source: r.Item.Source, Features: f, Position: r.Position, Kind: string(contextrank.Impression), UserID: userID, At: now}, nil
}

// Feedback records what the user did with an item shown on the
// conversation: open, use or dismiss. An item never shown there is a
// FieldError on key; another tenant's conversation is store.ErrNotFound.
func (s *Service) Feedback(ctx context.Context, tenantID, userID, conversationID, key, kind string) error {
	if _, err := s.DB.Conversation(ctx, tenantID, conversationID); err != nil {
		return err
	}
	k := contextrank.EventKind(kind)
	if k != contextrank.Open && k != contextrank.Use && k != contextrank.Dismiss {
		return &tenant.FieldError{Field: "kind", Reason: "must be one of open, use, dismiss"}
	}
	if key == "" {
		return &tenant.FieldError{Field: "key", Reason: "required"}
	}
	shown, err := s.DB.LatestContextImpression(ctx, tenantID, conversationID, key)
	if errors.Is(err, store.ErrNotFound) {
		return &tenant.FieldError{Field: "key", Reason: "no item with this key was shown on this conversation"}
	}
	if err != nil {
		return err
	}
	return s.DB.RecordContextFeedback(ctx, tenantID, []store.ContextFeedback{{ID: ids.New(), ConversationID: conversationID,
		ItemKey: key, Source: shown.Source, Kind: kind, UserID: userID, At: s.Clock.Now()}})
}

// model is the tenant's stored model, or a fresh one with the defaults. A
// model of another version is set aside (logged) rather than misread.
func (s *Service) model(ctx context.Context, tenantID string) (*contextrank.Model, error) {
	return loadModel(ctx, &s.DB.Store, tenantID, s)
}

func loadModel(ctx context.Context, st *store.Store, tenantID string, s *Service) (*contextrank.Model, error) {
	row, err := st.ContextModelOf(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return contextrank.NewModel(tenantID), nil
	}
	if err != nil {
		return nil, err
	}
	m, err := contextrank.UnmarshalModel(row.Model)
	if err != nil {
		s.Log.WarnContext(ctx, "context model set aside; ranking by the defaults", "tenant_id", tenantID, "err", err)
		return contextrank.NewModel(tenantID), nil
	}
	return m, nil
}

func saveModel(ctx context.Context, st *store.Store, m *contextrank.Model) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	return st.SaveContextModel(ctx, store.ContextModel{TenantID: m.TenantID, Model: b, Version: m.Version, UpdatedAt: m.UpdatedAt})
}

// Learned is the supervisor's view of what the tenant's ranking learned.
func (s *Service) Learned(ctx context.Context, tenantID string) (contextrank.Learned, error) {
	m, err := s.model(ctx, tenantID)
	if err != nil {
		return contextrank.Learned{}, err
	}
	return m.Learned(), nil
}

// Reset forgets what the tenant's ranking learned, and the feedback not yet
// learned from: it ranks by the defaults again.
func (s *Service) Reset(ctx context.Context, tenantID string) error {
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(st *store.Store, _ *sql.Tx) error {
		if err := st.MarkContextFeedbackLearnedUntil(ctx, tenantID, now); err != nil {
			return err
		}
		m := contextrank.NewModel(tenantID)
		m.Reset(now)
		return saveModel(ctx, st, m)
	})
}

// Learn folds the feedback of the tenant's quiet conversations into its
// model, in one transaction with marking the events learned, so each event
// counts once whichever node runs it. It returns how many events it folded.
func (s *Service) Learn(ctx context.Context, tenantID string) (int, error) {
	now := s.Clock.Now()
	folded := 0
	err := s.DB.InTx(ctx, func(st *store.Store, _ *sql.Tx) error {
		rows, err := st.UnlearnedContextFeedback(ctx, tenantID, now.Add(-Quiet), learnBatch)
		if err != nil || len(rows) == 0 {
			return err
		}
		m, err := loadModel(ctx, st, tenantID, s)
		if err != nil {
			return err
		}
		events := make([]contextrank.Event, 0, len(rows))
		idList := make([]string, len(rows))
		for i, r := range rows {
			idList[i] = r.ID
			e := contextrank.Event{Kind: contextrank.EventKind(r.Kind), ContactID: r.ConversationID, ItemID: r.ItemKey, Position: r.Position, At: r.At}
			if r.Kind == string(contextrank.Impression) {
				if err := json.Unmarshal(r.Features, &e.Features); err != nil {
					continue // an unreadable impression teaches nothing; the rest still do
				}
			}
			events = append(events, e)
		}
		s.learner.Learn(m, events, now)
		m.UpdatedAt = now
		if err := saveModel(ctx, st, m); err != nil {
			return err
		}
		folded = len(rows)
		if err := st.MarkContextFeedbackLearned(ctx, tenantID, idList); err != nil {
			return err
		}
		_, err = st.DeleteLearnedContextFeedback(ctx, tenantID, now.Add(-Kept))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("learn context ranking of %s: %w", tenantID, err)
	}
	return folded, nil
}

// LearnAll learns for every tenant with feedback waiting: what the
// scheduler calls. One tenant's failure is logged and the others go on.
func (s *Service) LearnAll(ctx context.Context) {
	tenants, err := s.DB.TenantsWithUnlearnedContextFeedback(ctx)
	if err != nil {
		s.Log.WarnContext(ctx, "context learning: list tenants", "err", err)
		return
	}
	for _, t := range tenants {
		if _, err := s.Learn(ctx, t); err != nil {
			s.Log.WarnContext(ctx, "context learning failed", "tenant_id", t, "err", err)
		}
	}
}
