package listening

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Rulebook keeps the tenants' listening rules.
type Rulebook struct {
	db    *store.DB
	clock clock.Clock
}

// NewRulebook returns the rules kept in db.
func NewRulebook(db *store.DB, clk clock.Clock) *Rulebook { return &Rulebook{db: db, clock: clk} }

// spec is the part of a rule stored as JSON.
type spec struct {
	Keywords     []string `json:"keywords"`
	Hashtags     []string `json:"hashtags"`
	Mentions     []string `json:"mentions"`
	Languages    []string `json:"languages"`
	MinFollowers int      `json:"min_followers"`
	MaxSentiment *float64 `json:"max_sentiment,omitempty"`
}

func toRow(r Rule) store.ListeningRule {
	b, _ := json.Marshal(spec{r.Keywords, r.Hashtags, r.Mentions, r.Languages, r.MinFollowers, r.MaxSentiment})
	return store.ListeningRule{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Spec: string(b), Priority: int(r.Priority),
		Queue: r.Queue, Enabled: r.Enabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func fromRow(row store.ListeningRule) (Rule, error) {
	var s spec
	if err := json.Unmarshal([]byte(row.Spec), &s); err != nil {
		return Rule{}, fmt.Errorf("listening rule %s: %w", row.ID, err)
	}
	r := Rule{ID: row.ID, TenantID: row.TenantID, Name: row.Name, Keywords: s.Keywords, Hashtags: s.Hashtags, Mentions: s.Mentions,
		Languages: s.Languages, MinFollowers: s.MinFollowers, MaxSentiment: s.MaxSentiment, Priority: conversation.Priority(row.Priority),
		Queue: row.Queue, Enabled: row.Enabled, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	for _, l := range []*[]string{&r.Keywords, &r.Hashtags, &r.Mentions, &r.Languages} {
		if *l == nil {
			*l = []string{}
		}
	}
	return r, nil
}

// ListeningRules lists the tenant's rules, oldest first.
func (b *Rulebook) ListeningRules(ctx context.Context, tenantID string) ([]Rule, error) {
	rows, err := b.db.ListeningRules(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(rows))
	for _, row := range rows {
		r, err := fromRow(row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Rule returns one of the tenant's rules.
func (b *Rulebook) Rule(ctx context.Context, tenantID, id string) (Rule, error) {
	row, err := b.db.ListeningRule(ctx, tenantID, id)
	if err != nil {
		return Rule{}, err
	}
	return fromRow(row)
}

// Create checks and stores a new rule.
func (b *Rulebook) Create(ctx context.Context, tenantID string, r Rule) (Rule, error) {
	r, err := Normalize(r)
	if err != nil {
		return r, err
	}
	now := b.clock.Now()
	r.ID, r.TenantID, r.CreatedAt, r.UpdatedAt = ids.New(), tenantID, now, now
	return r, b.db.CreateListeningRule(ctx, toRow(r))
}

// Update checks and stores a rule's new version.
func (b *Rulebook) Update(ctx context.Context, tenantID, id string, r Rule) (Rule, error) {
	old, err := b.Rule(ctx, tenantID, id)
	if err != nil {
		return r, err
	}
	if r, err = Normalize(r); err != nil {
		return r, err
	}
	r.ID, r.TenantID, r.CreatedAt, r.UpdatedAt = id, tenantID, old.CreatedAt, b.clock.Now()
	return r, b.db.UpdateListeningRule(ctx, toRow(r))
}

// Delete removes a rule.
func (b *Rulebook) Delete(ctx context.Context, tenantID, id string) error {
	return b.db.DeleteListeningRule(ctx, tenantID, id)
}
