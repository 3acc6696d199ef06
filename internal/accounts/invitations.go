package accounts

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// InvitationTTL is how long an invitation's link works; a resend starts it again.
const InvitationTTL = 7 * 24 * time.Hour

const invitePurpose = "invitation"

// NewInvitation is what an admin gives to invite a person.
type NewInvitation struct {
	Email string      `json:"email"`
	Name  string      `json:"name"`
	Role  tenant.Role `json:"role"`
}

// SentInvitation is an invitation and its link, which the admin may hand
// over themselves when no mail relay is configured. Mailed says whether it
// was mailed.
type SentInvitation struct {
	tenant.Invitation
	Link   string `json:"link"`
	Mailed bool   `json:"mailed"`
}

// InvitationView is what the invited person sees before accepting.
type InvitationView struct {
	Workspace string      `json:"workspace"`
	Slug      string      `json:"slug"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Role      tenant.Role `json:"role"`
}

// Invite asks a person to join the actor's tenant with a role, and mails
// them a signed link that expires and works once.
func (s *Service) Invite(ctx context.Context, a Actor, in NewInvitation) (SentInvitation, error) {
	email, err := tenant.NormalizeEmail(in.Email)
	if err != nil {
		return SentInvitation{}, err
	}
	name := strings.TrimSpace(in.Name)
	if err := textfield.Line("name", name, textfield.MaxName); err != nil {
		return SentInvitation{}, err
	}
	if !in.Role.Valid() {
		return SentInvitation{}, &tenant.FieldError{Field: "role", Reason: "must be admin, supervisor, agent or expert"}
	}
	if _, err := s.db.UserByEmail(ctx, a.TenantID, email); err == nil {
		return SentInvitation{}, &tenant.FieldError{Field: "email", Reason: "a user with this email already exists"}
	} else if !errors.Is(err, store.ErrNotFound) {
		return SentInvitation{}, err
	}
	if _, err := s.db.PendingInvitationFor(ctx, a.TenantID, email); err == nil {
		return SentInvitation{}, &tenant.FieldError{Field: "email", Reason: "this person is already invited; resend that invitation instead"}
	} else if !errors.Is(err, store.ErrNotFound) {
		return SentInvitation{}, err
	}
	now := s.clock.Now()
	inv := tenant.Invitation{ID: ids.New(), TenantID: a.TenantID, Email: email, Name: name, Role: in.Role, InvitedBy: a.Type + ":" + a.ID,
		Nonce: hex.EncodeToString(randomBytes(16)), CreatedAt: now, SentAt: now, ExpiresAt: now.Add(InvitationTTL)}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		return audit(ctx, tx, a, now, "invitation.create", "invitation", inv.ID, map[string]any{"email": email, "role": in.Role})
	})
	if err != nil {
		return SentInvitation{}, err
	}
	return s.sendInvitation(ctx, inv)
}

// Invitations lists the tenant's invitations not yet accepted or revoked.
func (s *Service) Invitations(ctx context.Context, tenantID string, page store.Page) ([]tenant.Invitation, error) {
	return s.db.PendingInvitations(ctx, tenantID, page)
}

// ResendInvitation mails a pending (or expired) invitation again with a new
// link; the links sent before stop working.
func (s *Service) ResendInvitation(ctx context.Context, a Actor, id string) (SentInvitation, error) {
	var inv tenant.Invitation
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if inv, err = tx.Invitation(ctx, a.TenantID, id); err != nil {
			return err
		}
		if !inv.AcceptedAt.IsZero() || !inv.RevokedAt.IsZero() {
			return &tenant.FieldError{Field: "id", Reason: "this invitation was already accepted or revoked"}
		}
		now := s.clock.Now()
		inv.Nonce, inv.SentAt, inv.ExpiresAt = hex.EncodeToString(randomBytes(16)), now, now.Add(InvitationTTL)
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return audit(ctx, tx, a, now, "invitation.resend", "invitation", inv.ID, map[string]any{"email": inv.Email})
	})
	if err != nil {
		return SentInvitation{}, err
	}
	return s.sendInvitation(ctx, inv)
}

// RevokeInvitation stops an invitation's link from working.
func (s *Service) RevokeInvitation(ctx context.Context, a Actor, id string) error {
	return s.out.Do(ctx, func(tx *outbox.Tx) error {
		inv, err := tx.Invitation(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if !inv.AcceptedAt.IsZero() {
			return &tenant.FieldError{Field: "id", Reason: "this invitation was already accepted; disable the user instead"}
		}
		if !inv.RevokedAt.IsZero() {
			return nil
		}
		inv.RevokedAt = s.clock.Now()
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return audit(ctx, tx, a, inv.RevokedAt, "invitation.revoke", "invitation", inv.ID, map[string]any{"email": inv.Email})
	})
}

// sendInvitation makes the invitation's link and mails it, if a relay is set.
func (s *Service) sendInvitation(ctx context.Context, inv tenant.Invitation) (SentInvitation, error) {
	token := s.signer.Sign(invitePurpose, []string{inv.TenantID, inv.ID}, inv.Nonce, inv.ExpiresAt)
	sent := SentInvitation{Invitation: inv, Link: s.baseURL + "/invitation?token=" + url.QueryEscape(token)}
	if s.mailer == nil {
		s.log.Warn("invitation made but no SMTP relay is configured; the admin hands over the link", "tenant_id", inv.TenantID, "invitation_id", inv.ID)
		return sent, nil
	}
	t, err := s.db.Tenant(ctx, inv.TenantID)
	if err != nil {
		return sent, err
	}
	body := fmt.Sprintf("Hello%s,\n\nYou are invited to join %s on Switchboard as %s.\n"+
		"Open this link to choose your password and sign in (it works once, until %s UTC):\n\n%s\n\n"+
		"If you did not expect this, ignore this message.\n",
		prefixed(" ", inv.Name), t.Name, inv.Role, inv.ExpiresAt.Format("2006-01-02 15:04"), sent.Link)
	if err := s.mailer.Send(ctx, inv.Email, "You are invited to "+t.Name+" on Switchboard", body); err != nil {
		return sent, fmt.Errorf("send invitation: %w", err)
	}
	sent.Mailed = true
	return sent, nil
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// invitationFor checks an invitation link and returns the invitation it is
// for, if it can still be accepted.
func (s *Service) invitationFor(ctx context.Context, st *store.Store, token string) (tenant.Invitation, error) {
	f := auth.Fields(token)
	if len(f) != 2 {
		return tenant.Invitation{}, auth.ErrInvalidToken
	}
	inv, err := st.Invitation(ctx, f[0], f[1])
	if errors.Is(err, store.ErrNotFound) {
		return inv, auth.ErrInvalidToken
	}
	if err != nil {
		return inv, err
	}
	now := s.clock.Now()
	if _, err := s.signer.Verify(invitePurpose, token, inv.Nonce, now); err != nil {
		return inv, err
	}
	if !inv.Pending(now) {
		return inv, auth.ErrInvalidToken
	}
	return inv, nil
}

// ViewInvitation tells the invited person what they are invited to.
func (s *Service) ViewInvitation(ctx context.Context, token string) (InvitationView, error) {
	inv, err := s.invitationFor(ctx, &s.db.Store, token)
	if err != nil {
		return InvitationView{}, err
	}
	t, err := s.db.Tenant(ctx, inv.TenantID)
	if err != nil {
		return InvitationView{}, err
	}
	return InvitationView{Workspace: t.Name, Slug: t.Slug, Email: inv.Email, Name: inv.Name, Role: inv.Role}, nil
}

// AcceptInvitation makes the invited person's user with the password they
// chose, spends the invitation, and signs them in.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password, userAgent string) (SignedIn, error) {
	var u tenant.User
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		inv, err := s.invitationFor(ctx, tx.Store, token)
		if err != nil {
			return err
		}
		// Nobody joins a suspended workspace (its people cannot sign in):
		// the invitation stays unspent for when it is resumed.
		if exp, err := tx.Exposure(ctx, inv.TenantID); err != nil {
			return err
		} else if exp == tenant.ExposeClosed {
			return &tenant.UnavailableError{Exposure: exp}
		}
		if strings.TrimSpace(name) == "" {
			name = inv.Name
		}
		a := Actor{TenantID: inv.TenantID, Type: "invitation", ID: inv.ID}
		if u, err = s.createUser(ctx, tx, a, NewUser{Email: inv.Email, Name: name, Role: inv.Role, Password: password}); err != nil {
			return err
		}
		inv.AcceptedAt, inv.UserID = u.CreatedAt, u.ID
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return audit(ctx, tx, Actor{TenantID: inv.TenantID, Type: "user", ID: u.ID}, u.CreatedAt, "invitation.accept", "invitation", inv.ID,
			map[string]any{"email": inv.Email, "role": inv.Role})
	})
	if err != nil {
		return SignedIn{}, err
	}
	t, err := s.db.Tenant(ctx, u.TenantID)
	if err != nil {
		return SignedIn{}, err
	}
	return s.openSession(ctx, t, u, userAgent)
}
