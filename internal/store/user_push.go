package store

import (
	"context"
	"fmt"
	"time"
)

// UserPushSubscription is a staff member's browser subscribed to Web Push
// from the desktop (ADR 0048): how an invitation to a swarm room reaches an
// agent or expert who is away. The customers' are PushSubscription.
type UserPushSubscription struct {
	TenantID, ID, UserID string
	Endpoint             string // the push service URL, unique per browser
	P256dh, Auth         string // the browser's keys, base64url
	UserAgent            string
	CreatedAt            time.Time
}

// AddUserPushSubscription stores a subscription. A browser that subscribes
// again replaces its row, keeping the id; one now signed in as another user
// of the workspace becomes theirs (a shared desk tells whoever uses it).
func (s *Store) AddUserPushSubscription(ctx context.Context, p UserPushSubscription) (UserPushSubscription, error) {
	err := s.w.QueryRowContext(ctx, `INSERT INTO user_push_subscriptions (tenant_id, id, user_id, endpoint, p256dh, auth, user_agent, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh,
			auth = excluded.auth, user_agent = excluded.user_agent
		RETURNING id, created_at`,
		p.TenantID, p.ID, p.UserID, p.Endpoint, p.P256dh, p.Auth, p.UserAgent, micros(p.CreatedAt)).Scan(&p.ID, new(int64))
	if err != nil {
		return p, fmt.Errorf("add user push subscription: %w", err)
	}
	return p, nil
}

// UserPushSubscriptions lists a user's subscriptions, oldest first.
func (s *Store) UserPushSubscriptions(ctx context.Context, tenantID, userID string) ([]UserPushSubscription, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id, id, user_id, endpoint, p256dh, auth, user_agent, created_at
		FROM user_push_subscriptions WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("user push subscriptions: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (UserPushSubscription, error) {
		var p UserPushSubscription
		var created int64
		err := r.Scan(&p.TenantID, &p.ID, &p.UserID, &p.Endpoint, &p.P256dh, &p.Auth, &p.UserAgent, &created)
		p.CreatedAt = fromMicros(created)
		return p, err
	})
}

// DeleteUserPushSubscription deletes a user's subscription by its endpoint
// (the browser unsubscribed); ErrNotFound when the user has none there.
func (s *Store) DeleteUserPushSubscription(ctx context.Context, tenantID, userID, endpoint string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM user_push_subscriptions WHERE tenant_id = $1 AND user_id = $2 AND endpoint = $3`,
		tenantID, userID, endpoint)
	return affectedOne("delete user push subscription", res, err)
}

// DeleteUserPushSubscriptionID deletes a subscription the push service
// said is gone.
func (s *Store) DeleteUserPushSubscriptionID(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM user_push_subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete user push subscription "+id, res, err)
}
