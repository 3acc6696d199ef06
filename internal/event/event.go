// Package event defines what happened in a tenant, as one shape shared by the
// realtime feed, webhooks and (later) the routing engine. Events are written to the
// events table (the outbox) in the same transaction as the change they describe,
// then published on the bus for every node.
package event

import (
	"encoding/json"
	"time"
)

// Event is one thing that happened in a tenant.
type Event struct {
	// Seq orders the tenant's events; clients resume the realtime feed from it.
	Seq      int64           `json:"seq"`
	ID       string          `json:"id"`
	TenantID string          `json:"tenant_id"`
	Type     string          `json:"type"`
	Data     json.RawMessage `json:"data"`
	At       time.Time       `json:"at"`
}

// Type names, kept in one place so webhook subscriptions can be validated.
const (
	UserCreated           = "user.created"
	UserUpdated           = "user.updated"
	AgentPresenceChanged  = "agent.presence_changed"
	APIKeyCreated         = "api_key.created"
	APIKeyRevoked         = "api_key.revoked"
	WebhookEndpointChange = "webhook_endpoint.changed"
	WebhookPing           = "webhook.ping"
	ConversationCreated   = "conversation.created"
	ConversationUpdated   = "conversation.updated"
	MessageCreated        = "message.created"
	MessageUpdated        = "message.updated" // delivery status changed
	PersonaMerged         = "persona.merged"
	PersonaUpdated        = "persona.updated"
	APIChannelMessage     = "api_channel.message" // an outbound message for the business system to deliver
	Typing                = "conversation.typing" // ephemeral: never stored, seq 0
	ConversationJoined    = "conversation.joined" // a supervisor joined a conversation to watch or help

	// Routing: what the dispatcher decided about a conversation's work.
	RoutingOffered        = "routing.offered"         // an agent is asked to take an item
	RoutingAssigned       = "routing.assigned"        // an item is an agent's
	RoutingOfferExpired   = "routing.offer_expired"   // nobody answered an offer in time
	RoutingOfferWithdrawn = "routing.offer_withdrawn" // an offer no longer stands
	RoutingOverflowed     = "routing.overflowed"      // an item moved to another queue
	RoutingExpired        = "routing.expired"         // an item's window closed unserved (a callback)
	RoutingSetAway        = "routing.set_away"        // an agent was set away for missing offers
	SLAWarning            = "sla.warning"             // a target is about to be missed
	SLABreached           = "sla.breached"            // a target was missed
	SLAEscalated          = "sla.escalated"           // a policy's escalation was carried out
	CallbackUpdated       = "callback.updated"        // a callback was requested, offered, attempted or closed
	PlanLimitWarning      = "plan.limit_warning"      // the tenant used 80 % of a plan limit this month
	QueueStats            = "queue.stats"             // ephemeral: the queues' live state, every few seconds

	// CSATAnswered: a customer answered a satisfaction survey. Data:
	// conversation_id, rating (1–5), comment, channel, queue_id, agent_id
	// (internal/csat/survey.Answered).
	CSATAnswered = "csat.answered"

	// Knowledge: an article was created, edited, moved, restored or
	// imported (data: the article without its rendered HTML), and a flag
	// raised or resolved (data: the flag).
	KnowledgeArticleChanged = "knowledge.article_changed"
	KnowledgeFlagChanged    = "knowledge.flag_changed"

	// KnowledgeLinked and KnowledgeUnlinked: an agent linked an article to a
	// conversation (a reuse, or its creation from it) or took the link away.
	// Data: conversation_id, article_id, kind (reused, created), agent_id
	// (knowledge/reuse). Reports fold them into link rate and reuse.
	KnowledgeLinked   = "knowledge.linked"
	KnowledgeUnlinked = "knowledge.unlinked"

	// Notices, for reports (ADR 0051, amendment): NoticeStatus is a delivery
	// reaching sent (on a channel), delivered, read, replied or failed —
	// data: delivery_id, type, channel, status; NoticeResponded is the
	// customer reading or answering one, with the local hour of the
	// customer's time zone it happened in and their segment — data:
	// delivery_id, type, channel, how (read, replied), segment, local_hour;
	// NoticeOptedOut is a revocation in the consent ledger — data: scope,
	// type and channel (when the scope names one), source. No persona id,
	// no content: they are counted, not read. These five are written to the
	// events table for the rollups only (store.EmitEvent), not offered to
	// webhooks nor the realtime feed (they are not in Types).
	NoticeStatus    = "notice.status"
	NoticeResponded = "notice.responded"
	NoticeOptedOut  = "notice.opted_out"

	// Swarming: a room opened on a conversation, a person invited to it or
	// joined it, a message said in it, the room closed. Data: ids only
	// (rooms.Notice), never what was said; the realtime feed passes them to
	// the room's members alone.
	SwarmRoomOpened = "swarm.room_opened"
	SwarmInvited    = "swarm.invited"
	SwarmJoined     = "swarm.joined"
	SwarmMessage    = "swarm.message"
	SwarmClosed     = "swarm.room_closed"

	// AuthChanged is ephemeral and internal: a user's access changed (signed out,
	// disabled, role changed, password reset), so every node's realtime hub
	// closes that user's sockets. It is never sent to a client nor a webhook.
	AuthChanged = "auth.changed"
)

// AuthChange is the data of an AuthChanged event.
type AuthChange struct {
	UserID string `json:"user_id"`
	// SessionID, when set, limits the change to the sockets of one session (a
	// logout); empty means every session of the user.
	SessionID string `json:"session_id,omitempty"`
	// Reason is what the closed sockets are told.
	Reason string `json:"reason"`
}

// Types lists every event type a webhook may subscribe to.
var Types = []string{
	UserCreated, UserUpdated, AgentPresenceChanged, APIKeyCreated, APIKeyRevoked,
	WebhookEndpointChange, WebhookPing, ConversationCreated, ConversationUpdated, MessageCreated, MessageUpdated, PersonaMerged,
	PersonaUpdated, APIChannelMessage,
	RoutingOffered, RoutingAssigned, RoutingOfferExpired, RoutingOfferWithdrawn, RoutingOverflowed, RoutingExpired,
	RoutingSetAway,
	SLAWarning, SLABreached, SLAEscalated, CallbackUpdated, ConversationJoined,
	PlanLimitWarning,
	KnowledgeArticleChanged, KnowledgeFlagChanged,
	SwarmRoomOpened, SwarmInvited, SwarmJoined, SwarmMessage, SwarmClosed,
	CSATAnswered,
}

// Subject is the bus subject a tenant's events travel on.
func Subject(tenantID string) string { return "switchboard.events." + tenantID }

// SubjectAll matches every tenant's events.
const SubjectAll = "switchboard.events.*"
