package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const resetPurpose = "password-reset"

// ResetLink makes a signed link with which a user sets a new password. It binds
// the current password hash, so it works once and dies when the password changes.
func (s *Service) ResetLink(ctx context.Context, u tenant.User) (link string, expires time.Time) {
	expires = s.clock.Now().Add(ResetTTL)
	token := s.signer.Sign(resetPurpose, []string{u.TenantID, u.ID}, u.PasswordHash, expires)
	return s.baseURL + "/reset-password?token=" + url.QueryEscape(token), expires
}

// AdminResetLink lets an admin make a reset link for a user of their tenant, to
// hand over when no mail relay is configured. It is audited.
func (s *Service) AdminResetLink(ctx context.Context, a Actor, userID string) (string, time.Time, error) {
	u, err := s.db.User(ctx, a.TenantID, userID)
	if err != nil {
		return "", time.Time{}, err
	}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		return audit(ctx, tx, a, s.clock.Now(), "user.password_reset_link", "user", u.ID, nil)
	})
	if err != nil {
		return "", time.Time{}, err
	}
	link, exp := s.ResetLink(ctx, u)
	return link, exp, nil
}

// RequestPasswordReset mails a reset link to the user, if there is one with that
// email and a relay is configured. It says nothing about whether the user exists.
func (s *Service) RequestPasswordReset(ctx context.Context, slug, email string) error {
	t, err := s.db.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	email, err = tenant.NormalizeEmail(email)
	if err != nil {
		return nil // as for an unknown workspace: the answer must not tell them apart
	}
	u, err := s.db.UserByEmail(ctx, t.ID, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.mailer == nil {
		s.log.Warn("password reset requested but no SMTP relay is configured; an admin can make a reset link", "tenant_id", t.ID, "user_id", u.ID)
		return nil
	}
	link, exp := s.ResetLink(ctx, u)
	body := fmt.Sprintf("Hello %s,\n\nSomeone asked to reset your Switchboard password for %s.\n"+
		"Open this link to choose a new one (it works once, until %s UTC):\n\n%s\n\n"+
		"If it was not you, ignore this message; your password stays as it is.\n",
		u.Name, t.Name, exp.Format("2006-01-02 15:04"), link)
	if err := s.mailer.Send(ctx, u.Email, "Reset your Switchboard password", body); err != nil {
		return fmt.Errorf("send reset mail: %w", err)
	}
	return nil
}

// ConfirmPasswordReset sets a new password with a reset token and ends the
// user's sessions everywhere, realtime sockets included.
func (s *Service) ConfirmPasswordReset(ctx context.Context, token, password string) error {
	fields := auth.Fields(token)
	if len(fields) != 2 {
		return auth.ErrInvalidToken
	}
	u, err := s.db.User(ctx, fields[0], fields[1])
	if errors.Is(err, store.ErrNotFound) {
		return auth.ErrInvalidToken
	}
	if err != nil {
		return err
	}
	if _, err := s.signer.Verify(resetPurpose, token, u.PasswordHash, s.clock.Now()); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if errors.Is(err, auth.ErrWeakPassword) {
		return &tenant.FieldError{Field: "password", Reason: err.Error()}
	}
	if err != nil {
		return err
	}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		u.PasswordHash, u.UpdatedAt = hash, s.clock.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.TenantID, u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, Actor{TenantID: u.TenantID, Type: "user", ID: u.ID}, u.UpdatedAt, "user.password_reset", "user", u.ID, nil)
	})
	if err != nil {
		return err
	}
	s.announceAuthChange(ctx, u.TenantID, event.AuthChange{UserID: u.ID, Reason: "password reset"})
	return nil
}
