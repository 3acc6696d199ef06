package httpapi

import (
	"context"
	"net/http"
	"slices"

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

// perm is something a caller may be allowed to do.
type perm string

// The permissions routes require.
const (
	permNone           perm = ""                // any signed-in caller
	permSelf           perm = "self"            // a user acting on their own account
	permRead           perm = "read"            // read the tenant's data
	permManageUsers    perm = "users:manage"    // add and change users
	permManageKeys     perm = "api_keys:manage" // create and revoke API keys
	permManageWebhooks perm = "webhooks:manage" // register and replay webhooks
	permManageChannels perm = "channels:manage" // give the tenant addresses on channels
	permReadAudit      perm = "audit:read"      // read the audit log
	permConverse       perm = "conversations"   // reply, note, assign, change conversations
	permManageRouting  perm = "routing:manage"  // configure queues, hours, SLAs, agents' routing profiles
	permSupervise      perm = "supervise"       // join conversations, watch the wall and today's report, keep the tenant's canned responses and macros
	permManageNotify   perm = "notify:manage"   // define notification types and settings, erase personas
	permRaiseEvents    perm = "events:write"    // raise business events that notify customers
)

// rolePerms says what each role may do.
var rolePerms = map[tenant.Role][]perm{
	tenant.RoleAdmin:      {permSelf, permRead, permManageUsers, permManageKeys, permManageWebhooks, permManageChannels, permReadAudit, permConverse, permManageRouting, permSupervise, permManageNotify, permRaiseEvents},
	tenant.RoleSupervisor: {permSelf, permRead, permReadAudit, permConverse, permManageRouting, permSupervise, permRaiseEvents},
	tenant.RoleAgent:      {permSelf, permRead, permConverse},
	tenant.RoleExpert:     {permSelf, permRead, permConverse},
}

// scopePerms says what each API-key scope allows.
var scopePerms = map[tenant.Scope][]perm{
	tenant.ScopeAdmin:          {permRead, permManageUsers, permManageKeys, permManageWebhooks, permManageChannels, permReadAudit, permConverse, permManageRouting, permSupervise, permManageNotify, permRaiseEvents},
	tenant.ScopeConversations:  {permRead, permConverse},
	tenant.ScopeRead:           {permRead, permReadAudit},
	tenant.ScopeWebhooksManage: {permManageWebhooks},
	tenant.ScopeEventsWrite:    {permRaiseEvents},
}

// can reports whether the caller holds permission q.
func (p *principal) can(q perm) bool {
	if q == permNone {
		return true
	}
	if p.User != nil {
		return slices.Contains(rolePerms[p.User.Role], q)
	}
	for _, s := range p.Key.Scopes {
		if slices.Contains(scopePerms[s], q) {
			return true
		}
	}
	return false
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// caller returns the authenticated caller; routes that need one always have one.
func caller(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}
