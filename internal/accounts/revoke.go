package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// SessionID is how a session is named outside its cookie: the hash it is stored
// under. It is no credential (the token cannot be derived from it), so it may
// travel in realtime tokens and on the bus.
func SessionID(token string) string { return auth.HashToken(token) }

// ActiveSession returns the user holding the session sessionID of the tenant, if
// the session has not ended and the user is enabled; anything else is
// ErrUnauthenticated. Unlike Session it does not extend the session: the
// realtime feed asks it at connect and on every ping, which is no sign of use.
func (s *Service) ActiveSession(ctx context.Context, tenantID, userID, sessionID string) (tenant.User, error) {
	if sessionID == "" {
		return tenant.User{}, ErrUnauthenticated
	}
	sess, err := s.db.Session(ctx, sessionID, s.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return tenant.User{}, ErrUnauthenticated
	}
	if err != nil {
		return tenant.User{}, err
	}
	if sess.TenantID != tenantID || sess.UserID != userID {
		return tenant.User{}, ErrUnauthenticated
	}
	u, err := s.db.User(ctx, tenantID, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return tenant.User{}, ErrUnauthenticated
	}
	return u, err
}

// announceAuthChange tells every node's realtime hub that the user's access
// changed, so their open sockets close now rather than at their next check.
// Called after the change committed; a lost announcement is caught by the
// sockets' own recheck on their next ping.
func (s *Service) announceAuthChange(ctx context.Context, tenantID string, ch event.AuthChange) {
	ev, err := authChangeEvent(tenantID, ch, s.clock.Now())
	if err == nil {
		err = s.out.PublishEphemeral(ctx, ev)
	}
	if err != nil {
		s.log.Warn("announce auth change; sockets close at their next check", "tenant_id", tenantID, "user_id", ch.UserID, "err", err)
	}
}

func authChangeEvent(tenantID string, ch event.AuthChange, at time.Time) (event.Event, error) {
	data, err := json.Marshal(ch)
	if err != nil {
		return event.Event{}, fmt.Errorf("encode auth change: %w", err)
	}
	return event.Event{ID: ids.New(), TenantID: tenantID, Type: event.AuthChanged, Data: data, At: at}, nil
}
