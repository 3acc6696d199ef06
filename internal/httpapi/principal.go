package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// principal is who is calling: a signed-in user or a business system's API key.
type principal struct {
	Tenant tenant.Tenant
	User   *tenant.User
	Key    *tenant.APIKey
	// session is the cookie's token, kept for logout.
	session string
	// mustEnrol is a user whose tenant requires a second factor they lack.
	mustEnrol bool
}

// ID names the caller for rate limits and idempotency keys.
func (p *principal) ID() string {
	if p.User != nil {
		return "user:" + p.User.ID
	}
	return "key:" + p.Key.ID
}

// actor is the caller as the audit log records it.
func (p *principal) actor(r *http.Request) accounts.Actor {
	a := accounts.Actor{TenantID: p.Tenant.ID, RemoteAddr: clientIP(r)}
	if p.User != nil {
		a.Type, a.ID = "user", p.User.ID
	} else {
		a.Type, a.ID = "api_key", p.Key.ID
	}
	return a
}

// perm is something a caller may be allowed to do; package access defines them
// and what each role and scope holds.
type perm = access.Perm

// The permissions routes require.
const (
	permNone           = access.None
	permSelf           = access.Self
	permRead           = access.Read
	permManageUsers    = access.ManageUsers
	permManageKeys     = access.ManageKeys
	permManageWebhooks = access.ManageWebhooks
	permManageChannels = access.ManageChannels
	permReadAudit      = access.ReadAudit
	permConverse       = access.Converse
	permManageRouting  = access.ManageRouting
	permSupervise      = access.Supervise
	permManageNotify   = access.ManageNotify
	permRaiseEvents    = access.RaiseEvents
	permReadStaff      = access.ReadStaff
	permSwarm          = access.Swarm
)

// grant is what the caller holds right now.
func (p *principal) grant() access.Grant {
	if p.User != nil {
		return access.ForUser(*p.User)
	}
	return access.ForKey(*p.Key)
}

// can reports whether the caller holds permission q.
func (p *principal) can(q perm) bool { return p.grant().Can(q) }

type principalKey struct{}

func withPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// caller returns the authenticated caller; routes that need one always have one.
func caller(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}
