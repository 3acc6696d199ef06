package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Session is a signed-in customer. Identifier is what they signed in with, as
// "kind:value" ("email:ana@example.com", "phone:+4915…"). A session opened by a
// preference link is limited: TenantID and PersonaID name the one relationship
// it may see, and Identifier is that persona's address, if it has one.
type Session struct {
	Identifier string    `json:"identifier"`
	TenantID   string    `json:"tenant_id,omitempty"`
	PersonaID  string    `json:"persona_id,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Limited reports whether the session is bound to one persona.
func (s Session) Limited() bool { return s.PersonaID != "" }

// identifier is the session's identifier parsed back.
func (s Session) identifier() (persona.Identifier, bool) {
	kind, value, ok := strings.Cut(s.Identifier, ":")
	if !ok || kind == "" || value == "" {
		return persona.Identifier{}, false
	}
	return persona.Identifier{Kind: persona.Kind(kind), Value: value}, true
}

// open stores a new session and returns its token; only the token's hash is
// stored, so a copy of the database opens no sessions.
func (p *Portal) open(ctx context.Context, s Session, now time.Time) (string, Session, error) {
	token, hash := auth.NewSessionToken()
	err := p.d.DB.CreatePortalSession(ctx, store.PortalSession{TokenHash: hash, Identifier: s.Identifier,
		TenantID: s.TenantID, PersonaID: s.PersonaID, ExpiresAt: s.ExpiresAt, CreatedAt: now})
	if err != nil {
		return "", Session{}, fmt.Errorf("open session: %w", err)
	}
	return token, s, nil
}

// Session returns the session a token opened, or ErrUnauthenticated.
func (p *Portal) Session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrUnauthenticated
	}
	row, err := p.d.DB.PortalSession(ctx, auth.HashToken(token), p.d.Clock.Now())
	if errors.Is(err, store.ErrNotFound) { // unknown, signed out or expired
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	return Session{Identifier: row.Identifier, TenantID: row.TenantID, PersonaID: row.PersonaID, ExpiresAt: row.ExpiresAt}, nil
}

// SignOut ends the session; an unknown token is already signed out.
func (p *Portal) SignOut(ctx context.Context, token string) error {
	err := p.d.DB.DeletePortalSession(ctx, auth.HashToken(token))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}
