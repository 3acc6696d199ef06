// Package tenant holds the businesses that run on Switchboard and the people and
// systems acting for them: tenants, users with roles, API keys and their scopes, and
// the audit trail of administrative actions. It is pure: persistence is in store.
package tenant

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Tenant is one business: a bank, a clinic, a city office.
type Tenant struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Sandbox   bool      `json:"sandbox"`
	CreatedAt time.Time `json:"created_at"`
}

// Role is what a user may do inside a tenant.
type Role string

// The roles, from most to least privileged.
const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleAgent      Role = "agent"
	RoleExpert     Role = "expert"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleAgent, RoleExpert}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Presence is an agent's availability.
type Presence string

// The built-in presence states.
const (
	PresenceAvailable Presence = "available"
	PresenceBusy      Presence = "busy"
	PresenceAway      Presence = "away"
	PresenceOffline   Presence = "offline"
)

// Valid reports whether p is a known presence state.
func (p Presence) Valid() bool {
	switch p {
	case PresenceAvailable, PresenceBusy, PresenceAway, PresenceOffline:
		return true
	}
	return false
}

// User is a person who signs in to a tenant: an agent, supervisor, expert or admin.
type User struct {
	ID       string   `json:"id"`
	TenantID string   `json:"tenant_id"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Role     Role     `json:"role"`
	Presence Presence `json:"presence"`
	Disabled bool     `json:"disabled"`
	// KnowledgePublisher lets a user of any role validate and publish
	// knowledge articles (a KCS coach); admins and supervisors always may.
	KnowledgePublisher bool      `json:"knowledge_publisher"`
	PasswordHash       string    `json:"-"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Session is a signed-in browser. The token itself is never stored, only its hash.
type Session struct {
	TenantID   string
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// Scope is one permission an API key can carry.
type Scope string

// The scopes an API key may hold.
const (
	ScopeRead           Scope = "read"                // read anything in the tenant
	ScopeEventsWrite    Scope = "events:write"        // raise business events
	ScopeWebhooksManage Scope = "webhooks:manage"     // register and replay webhooks
	ScopeConversations  Scope = "conversations:write" // reply, note, assign, post API-channel messages
	ScopeAdmin          Scope = "admin"               // everything an admin user can do
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeEventsWrite, ScopeWebhooksManage, ScopeConversations, ScopeAdmin}

// APIKey is a business system's credential. Its secret is shown once and stored hashed.
type APIKey struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant_id"`
	Name       string    `json:"name"`
	Scopes     []Scope   `json:"scopes"`
	SecretHash string    `json:"-"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// Has reports whether the key carries scope s (admin implies every scope).
func (k APIKey) Has(s Scope) bool {
	return slices.Contains(k.Scopes, s) || slices.Contains(k.Scopes, ScopeAdmin)
}

// AuditEntry records one administrative action.
type AuditEntry struct {
	ID         string         `json:"id"`
	TenantID   string         `json:"tenant_id"`
	ActorType  string         `json:"actor_type"` // "user", "api_key" or "system"
	ActorID    string         `json:"actor_id"`
	Action     string         `json:"action"` // e.g. "webhook.create"
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Detail     map[string]any `json:"detail"`
	RemoteAddr string         `json:"remote_addr"`
	CreatedAt  time.Time      `json:"created_at"`
}

// FieldError says which input field is wrong and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// NormalizeEmail lowercases and checks an email address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", &FieldError{"email", "not a valid email address"}
	}
	return s, nil
}

// ParseScopes checks a list of scope names.
func ParseScopes(names []string) ([]Scope, error) {
	if len(names) == 0 {
		return nil, &FieldError{"scopes", "at least one scope is required"}
	}
	out := make([]Scope, 0, len(names))
	for _, n := range names {
		s := Scope(n)
		if !slices.Contains(Scopes, s) {
			return nil, &FieldError{"scopes", fmt.Sprintf("unknown scope %q", n)}
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
