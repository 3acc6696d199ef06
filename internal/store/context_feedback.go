package store

import (
	"context"
	"fmt"
	"time"
)

// ContextFeedback is one screen-pop feedback event as stored: an impression
// (with the item's position and the features it was scored on, as JSON) or
// what an agent did with a shown item. The contextrank package owns its
// meaning; the store keeps the features opaque.
type ContextFeedback struct {
	ID, TenantID, ConversationID string
	ItemKey, Source              string
	Features                     []byte
	Position                     int
	Kind                         string
	UserID                       string
	At                           time.Time
	Learned                      bool
}

// ContextModel is a tenant's learned ranking model, stored as the JSON the
// contextrank package writes.
type ContextModel struct {
	TenantID  string
	Model     []byte
	Version   int
	UpdatedAt time.Time
}

const contextFeedbackColumns = `id, tenant_id, conversation_id, item_key, source, features, position, kind, user_id, at, learned`

func scanContextFeedback(row interface{ Scan(...any) error }) (ContextFeedback, error) {
	var f ContextFeedback
	var features string
	var at int64
	err := row.Scan(&f.ID, &f.TenantID, &f.ConversationID, &f.ItemKey, &f.Source, &features, &f.Position, &f.Kind, &f.UserID, &at, &f.Learned)
	f.Features, f.At = []byte(features), fromMicros(at)
	return f, err
}

// RecordContextFeedback stores feedback events of the tenant.
func (s *Store) RecordContextFeedback(ctx context.Context, tenantID string, events []ContextFeedback) error {
	for _, f := range events {
		features := string(f.Features)
		if features == "" {
			features = "{}"
		}
		_, err := s.w.ExecContext(ctx, `INSERT INTO context_feedback (`+contextFeedbackColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			f.ID, tenantID, f.ConversationID, f.ItemKey, f.Source, features, f.Position, f.Kind, f.UserID, micros(f.At), f.Learned)
		if err != nil {
			return fmt.Errorf("record context feedback: %w", err)
		}
	}
	return nil
}

// ContextFeedbackOf returns the feedback recorded on the tenant's
// conversation, oldest first.
func (s *Store) ContextFeedbackOf(ctx context.Context, tenantID, conversationID string) ([]ContextFeedback, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+contextFeedbackColumns+` FROM context_feedback
		WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY at, id`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("context feedback of %s: %w", conversationID, err)
	}
	return collect(rows, scanContextFeedback)
}

// UnlearnedContextFeedback returns the tenant's events not yet learned from,
// of conversations with no event since quietSince (their agents have moved
// on, so their feedback is complete), oldest first, at most limit
// conversations' worth.
func (s *Store) UnlearnedContextFeedback(ctx context.Context, tenantID string, quietSince time.Time, limit int) ([]ContextFeedback, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+contextFeedbackColumns+` FROM context_feedback
		WHERE tenant_id = $1 AND NOT learned AND conversation_id IN (
			SELECT conversation_id FROM context_feedback WHERE tenant_id = $1 AND NOT learned
			GROUP BY conversation_id HAVING MAX(at) < $2 ORDER BY MAX(at), conversation_id LIMIT $3)
		ORDER BY conversation_id, at, id`, tenantID, micros(quietSince), limit)
	if err != nil {
		return nil, fmt.Errorf("unlearned context feedback: %w", err)
	}
	return collect(rows, scanContextFeedback)
}

// MarkContextFeedbackLearned marks the tenant's events as folded into its model.
func (s *Store) MarkContextFeedbackLearned(ctx context.Context, tenantID string, ids []string) error {
	for _, id := range ids {
		if _, err := s.w.ExecContext(ctx, `UPDATE context_feedback SET learned = TRUE WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("mark context feedback learned: %w", err)
		}
	}
	return nil
}

// TenantsWithUnlearnedContextFeedback lists the tenants that have feedback
// not yet learned from, for the scheduled learning.
func (s *Store) TenantsWithUnlearnedContextFeedback(ctx context.Context) ([]string, error) {
	return s.names(ctx, "tenants with unlearned context feedback",
		`SELECT DISTINCT tenant_id FROM context_feedback WHERE NOT learned`)
}

// ContextModelOf returns the tenant's learned model; ErrNotFound when the
// tenant has none (it ranks by the defaults).
func (s *Store) ContextModelOf(ctx context.Context, tenantID string) (ContextModel, error) {
	var m ContextModel
	var model string
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT tenant_id, model, version, updated_at FROM context_models WHERE tenant_id = $1`, tenantID).
		Scan(&m.TenantID, &model, &m.Version, &updated)
	if err != nil {
		return m, notFound("context model of "+tenantID, err)
	}
	m.Model, m.UpdatedAt = []byte(model), fromMicros(updated)
	return m, nil
}

// SaveContextModel writes the tenant's model, replacing the one stored.
func (s *Store) SaveContextModel(ctx context.Context, m ContextModel) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO context_models (tenant_id, model, version, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id) DO UPDATE SET model = excluded.model, version = excluded.version, updated_at = excluded.updated_at`,
		m.TenantID, string(m.Model), m.Version, micros(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save context model: %w", err)
	}
	return nil
}

// MarkContextFeedbackLearnedUntil marks every event of the tenant up to
// until as learned: what a reset does, so feedback given before it is not
// learned after it.
func (s *Store) MarkContextFeedbackLearnedUntil(ctx context.Context, tenantID string, until time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE context_feedback SET learned = TRUE WHERE tenant_id = $1 AND NOT learned AND at <= $2`,
		tenantID, micros(until)); err != nil {
		return fmt.Errorf("mark context feedback learned: %w", err)
	}
	return nil
}

// DeleteLearnedContextFeedback deletes the tenant's events learned from and
// older than before: the model keeps what they taught.
func (s *Store) DeleteLearnedContextFeedback(ctx context.Context, tenantID string, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM context_feedback WHERE tenant_id = $1 AND learned AND at < $2`, tenantID, micros(before))
	if err != nil {
		return 0, fmt.Errorf("delete learned context feedback: %w", err)
	}
	return res.RowsAffected()
}

// LatestContextImpression is the last impression of the item with key on
// the tenant's conversation: what feedback on it refers to. ErrNotFound
// when the item was never shown there.
func (s *Store) LatestContextImpression(ctx context.Context, tenantID, conversationID, key string) (ContextFeedback, error) {
	f, err := scanContextFeedback(s.r.QueryRowContext(ctx, `SELECT `+contextFeedbackColumns+` FROM context_feedback
		WHERE tenant_id = $1 AND conversation_id = $2 AND item_key = $3 AND kind = 'impression' ORDER BY at DESC, id DESC LIMIT 1`,
		tenantID, conversationID, key))
	if err != nil {
		return f, notFound("impression of "+key, err)
	}
	return f, nil
}
