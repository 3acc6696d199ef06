package accounts

import (
	"context"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
)

// SessionInfo is one signed-in browser as its user, or their admin, sees it.
type SessionInfo struct {
	ID         string    `json:"id"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

// UserSessions lists a user's live sessions, marking the one named current.
func (s *Service) UserSessions(ctx context.Context, tenantID, userID, current string) ([]SessionInfo, error) {
	if _, err := s.db.User(ctx, tenantID, userID); err != nil {
		return nil, err // another tenant's user is not found
	}
	recs, err := s.db.UserSessions(ctx, tenantID, userID, s.clock.Now())
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(recs))
	for _, r := range recs {
		out = append(out, SessionInfo{ID: r.ID, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt,
			ExpiresAt: r.ExpiresAt, Current: r.ID == current})
	}
	return out, nil
}

// RevokeSession ends one of a user's sessions at once, its realtime sockets
// included on every node. The actor is the user or their admin; audited.
func (s *Service) RevokeSession(ctx context.Context, a Actor, userID, sessionID string) error {
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.DeleteUserSession(ctx, a.TenantID, userID, sessionID); err != nil {
			return err
		}
		return audit(ctx, tx, a, s.clock.Now(), "session.revoke", "user", userID, map[string]any{"session": sessionID[:min(8, len(sessionID))]})
	})
	if err != nil {
		return err
	}
	s.announceAuthChange(ctx, a.TenantID, event.AuthChange{UserID: userID, SessionID: sessionID, Reason: "session revoked"})
	return nil
}

// RevokeAllSessions ends every session of a user (lost laptop, a departure).
func (s *Service) RevokeAllSessions(ctx context.Context, a Actor, userID string) error {
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if _, err := tx.User(ctx, a.TenantID, userID); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, a.TenantID, userID); err != nil {
			return err
		}
		return audit(ctx, tx, a, s.clock.Now(), "session.revoke_all", "user", userID, nil)
	})
	if err != nil {
		return err
	}
	s.announceAuthChange(ctx, a.TenantID, event.AuthChange{UserID: userID, Reason: "sessions revoked"})
	return nil
}
