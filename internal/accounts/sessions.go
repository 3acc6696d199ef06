package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// SignedIn is the outcome of a sign-in or a session lookup.
type SignedIn struct {
	Tenant tenant.Tenant
	User   tenant.User
	// Token goes into the cookie; it is set only by Login.
	Token string
	// MustEnrolTOTP is set by Session when the tenant requires a second
	// factor the user has not set up: until they do, they may do nothing else.
	MustEnrolTOTP bool
}

// Login checks a user's password and opens a session. A user with a second
// factor cannot sign in this way: see LoginWithCode.
func (s *Service) Login(ctx context.Context, slug, email, password, userAgent string) (SignedIn, error) {
	return s.LoginWithCode(ctx, slug, email, password, "", userAgent)
}

// LoginWithCode checks a user's password and, when they have a second factor,
// the code from their authenticator app or one of their recovery codes, and
// opens a session. Without a code where one is needed it is
// ErrSecondFactorNeeded, which tells the caller the password was right: as
// every service with a second factor does, since the code is asked after it.
func (s *Service) LoginWithCode(ctx context.Context, slug, email, password, code, userAgent string) (SignedIn, error) {
	t, err := s.db.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		auth.BurnPasswordCheck(password)
		return SignedIn{}, ErrBadCredentials
	}
	if err != nil {
		return SignedIn{}, err
	}
	email, _ = tenant.NormalizeEmail(email)
	u, err := s.db.UserByEmail(ctx, t.ID, email)
	if errors.Is(err, store.ErrNotFound) {
		auth.BurnPasswordCheck(password)
		return SignedIn{}, ErrBadCredentials
	}
	if err != nil {
		return SignedIn{}, err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil {
		return SignedIn{}, fmt.Errorf("check password of %s: %w", u.ID, err)
	}
	if !ok || u.Disabled {
		return SignedIn{}, ErrBadCredentials
	}
	if err := s.checkSecondFactor(ctx, u, code); err != nil {
		return SignedIn{}, err
	}
	return s.openSession(ctx, t, u, userAgent)
}

// openSession starts a session for u, who has proven who they are.
func (s *Service) openSession(ctx context.Context, t tenant.Tenant, u tenant.User, userAgent string) (SignedIn, error) {
	token, hash := auth.NewSessionToken()
	now := s.clock.Now()
	sess := tenant.Session{TenantID: t.ID, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL), LastSeenAt: now}
	if err := s.db.CreateSession(ctx, hash, sess, userAgent); err != nil {
		return SignedIn{}, err
	}
	s.log.Info("signed in", "tenant_id", t.ID, "user_id", u.ID)
	return SignedIn{Tenant: t, User: u, Token: token}, nil
}

// Session returns who holds the session token, extending the session's life.
func (s *Service) Session(ctx context.Context, token string) (SignedIn, error) {
	hash := auth.HashToken(token)
	now := s.clock.Now()
	sess, err := s.db.Session(ctx, hash, now)
	if errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, ErrUnauthenticated
	}
	if err != nil {
		return SignedIn{}, err
	}
	u, err := s.db.User(ctx, sess.TenantID, sess.UserID)
	if errors.Is(err, store.ErrNotFound) || u.Disabled {
		return SignedIn{}, ErrUnauthenticated
	}
	if err != nil {
		return SignedIn{}, err
	}
	t, err := s.db.Tenant(ctx, sess.TenantID)
	if err != nil {
		return SignedIn{}, err
	}
	// Extend at most every few minutes, not on every request.
	if now.Sub(sess.LastSeenAt) > SessionTTL/100 {
		if err := s.db.TouchSession(ctx, hash, now, now.Add(SessionTTL)); err != nil {
			return SignedIn{}, err
		}
	}
	required, enrolled, err := s.db.SecondFactorState(ctx, t.ID, u.ID)
	if err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Tenant: t, User: u, MustEnrolTOTP: required && !enrolled}, nil
}

// Logout ends the session holding token, and the realtime sockets opened with it.
func (s *Service) Logout(ctx context.Context, token string) error {
	hash := auth.HashToken(token)
	sess, err := s.db.Session(ctx, hash, s.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil // already over
	}
	if err != nil {
		return err
	}
	if err := s.db.DeleteSession(ctx, hash); err != nil {
		return err
	}
	s.announceAuthChange(ctx, sess.TenantID, event.AuthChange{UserID: sess.UserID, SessionID: hash, Reason: "signed out"})
	return nil
}
