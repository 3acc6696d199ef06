// Package access says who may do and read what inside a tenant: the permissions
// behind users' roles and API keys' scopes, and which permission reading each
// event type takes. The REST API, the realtime feed and webhook subscriptions all
// ask it, so a caller reads the same things through each of them.
package access

import (
	"slices"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Perm is something a caller may be allowed to do.
type Perm string

// The permissions routes, feeds and subscriptions require.
const (
	None           Perm = ""                // any signed-in caller
	Self           Perm = "self"            // a user acting on their own account
	Read           Perm = "read"            // read the tenant's data
	ManageUsers    Perm = "users:manage"    // add and change users
	ManageKeys     Perm = "api_keys:manage" // create and revoke API keys
	ManageWebhooks Perm = "webhooks:manage" // register and replay webhooks
	ManageChannels Perm = "channels:manage" // give the tenant addresses on channels
	ReadAudit      Perm = "audit:read"      // read the audit log
	Converse       Perm = "conversations"   // reply, note, assign, change conversations
	ManageRouting  Perm = "routing:manage"  // configure queues, hours, SLAs, agents' routing profiles
	Supervise      Perm = "supervise"       // join conversations, watch the wall and today's report, keep canned responses and macros
	ManageNotify   Perm = "notify:manage"   // define notification types and settings, erase personas
	RaiseEvents    Perm = "events:write"    // raise business events that notify customers
	// ManageWorkspace exports all of the workspace's data and asks for (or
	// cancels) its deletion.
	ManageWorkspace Perm = "workspace:manage"
	// PublishKnowledge validates, publishes and archives knowledge articles
	// and edits the validated and published ones (a KCS coach). Admins and
	// supervisors hold it; another user when their knowledge_publisher flag
	// is set.
	PublishKnowledge Perm = "knowledge:publish"
	// ReadStaff lists the workspace's users (names, roles, presence): what
	// anyone needs to mention or invite a colleague. Experts hold it
	// without Read.
	ReadStaff Perm = "staff:read"
	// Swarm takes part in swarm rooms: list one's rooms, read a room one is
	// a member of, join, write, invite and close (the rooms service holds
	// each to the room's members).
	Swarm Perm = "swarm"
	// ReadInRooms reads a conversation (its timeline, customer, context,
	// suggestions, trail, events) only while a member of a swarm room on it
	// (see RoomReadGrace): the expert's narrow read, instead of Read.
	ReadInRooms Perm = "rooms:read"
)

// rolePerms says what each role may do.
var rolePerms = map[tenant.Role][]Perm{
	tenant.RoleAdmin:      {Self, Read, ManageUsers, ManageKeys, ManageWebhooks, ManageChannels, ReadAudit, Converse, ManageRouting, Supervise, ManageNotify, RaiseEvents, ManageWorkspace, PublishKnowledge, ReadStaff, Swarm},
	tenant.RoleSupervisor: {Self, Read, ReadAudit, Converse, ManageRouting, Supervise, RaiseEvents, PublishKnowledge, ReadStaff, Swarm},
	tenant.RoleAgent:      {Self, Read, Converse, ReadStaff, Swarm},
	// An expert sees a conversation only through the swarm rooms they are
	// in (ADR 0032): no tenant-wide Read, and no Converse — they write in
	// the room, never to the customer.
	tenant.RoleExpert: {Self, ReadStaff, Swarm, ReadInRooms},
}

// scopePerms says what each API-key scope allows.
var scopePerms = map[tenant.Scope][]Perm{
	tenant.ScopeAdmin:          {Read, ManageUsers, ManageKeys, ManageWebhooks, ManageChannels, ReadAudit, Converse, ManageRouting, Supervise, ManageNotify, RaiseEvents, ManageWorkspace, PublishKnowledge, ReadStaff, Swarm},
	tenant.ScopeConversations:  {Read, Converse, ReadStaff, Swarm},
	tenant.ScopeRead:           {Read, ReadAudit, ReadStaff},
	tenant.ScopeWebhooksManage: {ManageWebhooks},
	tenant.ScopeEventsWrite:    {RaiseEvents},
}

// Grant is the set of permissions one caller holds right now. The zero Grant
// holds nothing, which is what a disabled user or a revoked key gets.
type Grant struct {
	perms []Perm
}

// ForRole is what a user with role r may do.
func ForRole(r tenant.Role) Grant { return Grant{perms: rolePerms[r]} }

// ForScopes is what an API key with these scopes may do.
func ForScopes(scopes []tenant.Scope) Grant {
	var g Grant
	for _, s := range scopes {
		for _, p := range scopePerms[s] {
			if !slices.Contains(g.perms, p) {
				g.perms = append(g.perms, p)
			}
		}
	}
	return g
}

// ForUser is what u may do: nothing once disabled; a knowledge publisher
// also publishes knowledge, whatever their role.
func ForUser(u tenant.User) Grant {
	if u.Disabled {
		return Grant{}
	}
	g := ForRole(u.Role)
	if u.KnowledgePublisher && !g.Can(PublishKnowledge) {
		g.perms = append(slices.Clip(g.perms), PublishKnowledge)
	}
	return g
}

// ForKey is what k may do: nothing once revoked.
func ForKey(k tenant.APIKey) Grant {
	if !k.RevokedAt.IsZero() {
		return Grant{}
	}
	return ForScopes(k.Scopes)
}

// Can reports whether the grant holds p; None is held by every caller.
func (g Grant) Can(p Perm) bool {
	return p == None || slices.Contains(g.perms, p)
}
