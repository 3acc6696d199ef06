package rooms

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// A member of staff's browsers subscribed to Web Push from the desktop's
// settings (ADR 0048): an invitation to a room reaches them there while
// they are away (Teller).

// PushSubscription is one of the caller's subscribed browsers, as they see
// it: the push service's endpoint (the browser compares it with its own to
// know whether it is subscribed), never its keys.
type PushSubscription struct {
	ID        string    `json:"id"`
	Endpoint  string    `json:"endpoint"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
}

// maxPushSubscriptions is how many browsers one person keeps subscribed;
// the oldest beyond it are dropped (a browser that lost its subscription
// leaves a row the push service will call gone only when pushed to).
const maxPushSubscriptions = 20

// SubscribePush keeps the caller's browser subscription: an https endpoint
// and the browser's keys (a P-256 point and a 16-byte secret), checked as
// the Web Push channel will use them. A browser subscribing again keeps its
// id. Only a person subscribes.
func (s *Service) SubscribePush(ctx context.Context, a Actor, sub webpush.Subscription, userAgent string) (PushSubscription, error) {
	if a.UserID == swarm.Integration {
		return PushSubscription{}, ErrNeedsUser
	}
	if u, err := url.Parse(sub.Endpoint); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(sub.Endpoint) > 2048 {
		return PushSubscription{}, &swarm.InvalidError{Field: "endpoint", Reason: "must be an https URL (at most 2048 characters)"}
	}
	if err := sub.Validate(); err != nil {
		return PushSubscription{}, &swarm.InvalidError{Field: "keys", Reason: strings.TrimPrefix(err.Error(), "push subscription ")}
	}
	if len(userAgent) > 300 {
		userAgent = strings.ToValidUTF8(userAgent[:300], "")
	}
	row, err := s.DB.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: a.TenantID, ID: ids.New(), UserID: a.UserID,
		Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, UserAgent: userAgent, CreatedAt: s.Clock.Now()})
	if err != nil {
		return PushSubscription{}, err
	}
	all, err := s.DB.UserPushSubscriptions(ctx, a.TenantID, a.UserID)
	if err != nil {
		return PushSubscription{}, err
	}
	for _, old := range all[:max(len(all)-maxPushSubscriptions, 0)] {
		if err := s.DB.DeleteUserPushSubscriptionID(ctx, a.TenantID, old.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return PushSubscription{}, fmt.Errorf("subscribe push: %w", err)
		}
	}
	for _, p := range all {
		if p.ID == row.ID {
			return view(p), nil
		}
	}
	return view(row), nil
}

// PushSubscriptions lists the caller's subscribed browsers, oldest first.
func (s *Service) PushSubscriptions(ctx context.Context, a Actor) ([]PushSubscription, error) {
	out := []PushSubscription{}
	if a.UserID == swarm.Integration {
		return out, nil
	}
	all, err := s.DB.UserPushSubscriptions(ctx, a.TenantID, a.UserID)
	for _, p := range all {
		out = append(out, view(p))
	}
	return out, err
}

// UnsubscribePush forgets the caller's browser at endpoint; not found when
// they have none there.
func (s *Service) UnsubscribePush(ctx context.Context, a Actor, endpoint string) error {
	if a.UserID == swarm.Integration {
		return ErrNeedsUser
	}
	return s.DB.DeleteUserPushSubscription(ctx, a.TenantID, a.UserID, endpoint)
}

func view(p store.UserPushSubscription) PushSubscription {
	return PushSubscription{ID: p.ID, Endpoint: p.Endpoint, UserAgent: p.UserAgent, CreatedAt: p.CreatedAt}
}
