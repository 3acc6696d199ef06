package store

import (
	"context"
	"fmt"
	"time"
)

// PushSubscription is a browser's Web Push subscription for a persona.
type PushSubscription struct {
	TenantID, ID, PersonaID string
	Endpoint                string // the push service URL, unique per browser
	P256dh, Auth            string // the browser's keys, base64url
	UserAgent               string
	CreatedAt               time.Time
}

// AddPushSubscription stores a subscription; one for an endpoint the tenant
// has already is replaced (the browser subscribed again), keeping its id.
func (s *Store) AddPushSubscription(ctx context.Context, p PushSubscription) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO push_subscriptions (tenant_id, id, persona_id, endpoint, p256dh, auth, user_agent, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, endpoint) DO UPDATE SET persona_id = excluded.persona_id, p256dh = excluded.p256dh,
			auth = excluded.auth, user_agent = excluded.user_agent`,
		p.TenantID, p.ID, p.PersonaID, p.Endpoint, p.P256dh, p.Auth, p.UserAgent, micros(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("add push subscription: %w", err)
	}
	return nil
}

// PushSubscriptions lists a persona's subscriptions, oldest first.
func (s *Store) PushSubscriptions(ctx context.Context, tenantID, personaID string) ([]PushSubscription, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+pushColumns+`
		FROM push_subscriptions WHERE tenant_id = $1 AND persona_id = $2 ORDER BY created_at, id`, tenantID, personaID)
	if err != nil {
		return nil, fmt.Errorf("push subscriptions: %w", err)
	}
	return collect(rows, scanPushSubscription)
}

// PushSubscriptionsMany returns the subscriptions of those personas that have
// any, each persona's oldest first: one query per few hundred personas, for
// a sender that pushes to a batch of them.
func (s *Store) PushSubscriptionsMany(ctx context.Context, tenantID string, personaIDs []string) (map[string][]PushSubscription, error) {
	// Each id once: one asked for in two chunks would get its rows twice.
	unique := make([]string, 0, len(personaIDs))
	seen := make(map[string]bool, len(personaIDs))
	for _, id := range personaIDs {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	out := map[string][]PushSubscription{}
	err := eachIDChunk(unique, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, `SELECT `+pushColumns+` FROM push_subscriptions
			WHERE tenant_id = $1 AND persona_id IN (`+placeholders(2, len(chunk))+`) ORDER BY persona_id, created_at, id`,
			idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		subs, err := collect(rows, scanPushSubscription)
		for _, p := range subs {
			out[p.PersonaID] = append(out[p.PersonaID], p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("push subscriptions: %w", err)
	}
	return out, nil
}

const pushColumns = `tenant_id, id, persona_id, endpoint, p256dh, auth, user_agent, created_at`

func scanPushSubscription(r interface{ Scan(...any) error }) (PushSubscription, error) {
	var p PushSubscription
	var created int64
	err := r.Scan(&p.TenantID, &p.ID, &p.PersonaID, &p.Endpoint, &p.P256dh, &p.Auth, &p.UserAgent, &created)
	p.CreatedAt = fromMicros(created)
	return p, err
}

// DeletePushSubscription deletes a subscription (the push service said it is
// gone).
func (s *Store) DeletePushSubscription(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete push subscription "+id, res, err)
}
