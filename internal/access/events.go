package access

import "github.com/switchboard-cx/switchboard/internal/event"

// eventPerms is the one table of which permission reading an event type takes,
// through the realtime feed or a webhook. It follows the REST API: what a role
// reads with GET there, it sees here. A type missing from it is read by nobody,
// so a new event type stays private until it is given a row (a test holds every
// type in event.Types to having one).
var eventPerms = map[string]Perm{
	event.UserCreated:           ManageUsers,
	event.UserUpdated:           ManageUsers,
	event.AgentPresenceChanged:  Read,
	event.APIKeyCreated:         ManageKeys,
	event.APIKeyRevoked:         ManageKeys,
	event.WebhookEndpointChange: ManageWebhooks,
	event.WebhookPing:           ManageWebhooks,
	event.ConversationCreated:   Read,
	event.ConversationUpdated:   Read,
	event.MessageCreated:        Read,
	event.MessageUpdated:        Read,
	event.PersonaMerged:         Read,
	event.PersonaUpdated:        Read,
	event.APIChannelMessage:     Read,
	event.Typing:                Read,
	event.ConversationJoined:    Read,
	event.RoutingOffered:        Read,
	event.RoutingAssigned:       Read,
	event.RoutingOfferExpired:   Read,
	event.RoutingOfferWithdrawn: Read,
	event.RoutingOverflowed:     Read,
	event.RoutingExpired:        Read,
	event.RoutingSetAway:        Read,
	event.SLAWarning:            Read,
	event.SLABreached:           Read,
	event.SLAEscalated:          Read,
	event.CallbackUpdated:       Read,
	event.QueueStats:            Read,
	event.PlanLimitWarning:      ManageUsers, // the admins, who can ask the operator for more
	event.CSATAnswered:          Read,        // a survey's answer, as GET of the conversation's survey shows it

	// Knowledge: what GET of articles and flags shows.
	event.KnowledgeArticleChanged: Read,
	event.KnowledgeFlagChanged:    Read,

	// Swarming: ids only (no words of the room); the realtime feed also
	// holds each to the room's members (httpapi's feedFilter).
	event.SwarmRoomOpened: Swarm,
	event.SwarmInvited:    Swarm,
	event.SwarmJoined:     Swarm,
	event.SwarmMessage:    Swarm,
	event.SwarmClosed:     Swarm,
}

// EventPerm is the permission reading events of type t takes; false means the
// type is unknown and nobody reads it.
func EventPerm(t string) (Perm, bool) {
	p, ok := eventPerms[t]
	return p, ok
}

// CanRead reports whether the grant may read events of type t.
func (g Grant) CanRead(t string) bool {
	p, ok := eventPerms[t]
	return ok && g.Can(p)
}

// Readable lists the types of event.Types the grant may read, in that order:
// what a webhook subscription to "*" stands for when its creator holds this.
func (g Grant) Readable() []string {
	var out []string
	for _, t := range event.Types {
		if g.CanRead(t) {
			out = append(out, t)
		}
	}
	return out
}

// ReadsAll reports whether the grant may read every event type there is.
func (g Grant) ReadsAll() bool {
	for t := range eventPerms {
		if !g.CanRead(t) {
			return false
		}
	}
	return true
}
