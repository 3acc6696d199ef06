package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// FirstSignInTTL is how long a new workspace's admin may take to open the
// sign-in link: longer than a reset link's hour, since the link is often
// handed over by someone else.
const FirstSignInTTL = 24 * time.Hour

// NewWorkspace is a workspace for a business and its first admin.
type NewWorkspace struct {
	Slug, Name string
	AdminEmail string
	AdminName  string // empty: the part of the email before the @
	Live       bool   // start live instead of in the sandbox
}

// Workspace is a created workspace and how its admin signs in the first time.
type Workspace struct {
	Tenant  tenant.Tenant
	Admin   tenant.User
	Link    string // one-time: it sets the admin's password, and dies when it is set
	Expires time.Time
}

// CreateWorkspace creates a tenant, in the sandbox unless Live, with its first
// admin, who has no password anyone knows: the returned link lets them choose
// one. It is the same link as a password reset's, so it works once.
func (s *Service) CreateWorkspace(ctx context.Context, in NewWorkspace) (Workspace, error) {
	t, u, err := s.createWorkspace(ctx, in, unguessablePassword(), nil)
	if err != nil {
		return Workspace{}, err
	}
	expires := s.clock.Now().Add(FirstSignInTTL)
	token := s.signer.Sign(resetPurpose, []string{u.TenantID, u.ID}, u.PasswordHash, expires)
	return Workspace{Tenant: t, Admin: u, Link: s.baseURL + "/reset-password?token=" + url.QueryEscape(token), Expires: expires}, nil
}

// createWorkspace is the one way a workspace comes to be, whichever door it
// is asked through (the CLI, sign-up): the tenant with its first admin, whose
// password is password, and also, when not nil, in the same transaction.
func (s *Service) createWorkspace(ctx context.Context, in NewWorkspace, password string, also func(*outbox.Tx, tenant.Tenant, tenant.User) error) (tenant.Tenant, tenant.User, error) {
	name := strings.TrimSpace(in.AdminName)
	if name == "" {
		local, _, _ := strings.Cut(strings.TrimSpace(in.AdminEmail), "@")
		name = local
	}
	t, u, err := s.createTenant(ctx, in.Slug, strings.TrimSpace(in.Name), !in.Live,
		NewUser{Email: in.AdminEmail, Name: name, Password: password}, also)
	if errors.Is(err, store.ErrConflict) { // the admin is the tenant's first user, so it is the slug
		return t, u, slugTaken(in.Slug)
	}
	return t, u, err
}

func slugTaken(slug string) error {
	return &tenant.FieldError{Field: "slug", Reason: "\"" + slug + "\" is taken; choose another workspace address"}
}

// unguessablePassword stands in until the admin sets theirs; nobody ever sees it.
func unguessablePassword() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
