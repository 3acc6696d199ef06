// Package rolluptest writes event streams for rollup and report tests and
// benchmarks: the events a running center emits, in the shapes it emits
// them (conversation, message, routing, SLA, presence, CSAT, notice and
// knowledge link payloads).
package rolluptest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/notify"
)

// Script accumulates a tenant's events in the order they are written.
type Script struct {
	TenantID string
	Events   []event.Event
	n        int
	convs    map[string]*conv
}

type conv struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant_id"`
	Status     string    `json:"status"`
	AssigneeID string    `json:"assignee_id"`
	Team       string    `json:"team"`
	Channel    string    `json:"channel"`
	Tags       []string  `json:"tags"`
	CreatedAt  time.Time `json:"created_at"`
}

// New starts a script for a tenant.
func New(tenantID string) *Script {
	return &Script{TenantID: tenantID, convs: map[string]*conv{}}
}

func (s *Script) emit(typ string, at time.Time, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	s.n++
	s.Events = append(s.Events, event.Event{ID: fmt.Sprintf("%s-ev-%d", s.TenantID, s.n), TenantID: s.TenantID, Type: typ, Data: b, At: at.UTC()})
}

// Created opens a conversation on a channel.
func (s *Script) Created(id, channel string, at time.Time, team string, tags ...string) {
	c := &conv{ID: id, TenantID: s.TenantID, Status: "open", Channel: channel, Team: team, Tags: tags, CreatedAt: at.UTC()}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	s.convs[id] = c
	s.emit(event.ConversationCreated, at, c)
	s.message(id, "in", "persona", "p-"+id, at)
}

func (s *Script) message(id, dir, authorType, author string, at time.Time) {
	c := s.convs[id]
	m := map[string]any{"id": fmt.Sprintf("m-%d", s.n), "conversation_id": id, "kind": "message", "direction": dir,
		"channel": c.Channel, "author_type": authorType, "author_id": author, "body": "…", "created_at": at.UTC()}
	s.emit(event.MessageCreated, at, map[string]any{"message": m, "conversation": c})
}

// Routed is a routing event (event.RoutingOffered, Assigned, Expired…) for a
// conversation in a queue; agentID may be empty.
func (s *Script) Routed(typ, id, queueID, agentID string, at time.Time) {
	c := s.convs[id]
	s.emit(typ, at, map[string]any{"work_id": "w-" + id, "conversation_id": id, "kind": "conversation", "modality": "message",
		"queue_id": queueID, "queue_name": queueID, "agent_id": agentID, "reason": "test", "channel": c.Channel})
	if typ == event.RoutingAssigned {
		c.AssigneeID = agentID
	}
}

// Replied is an agent's reply to the customer.
func (s *Script) Replied(id, agentID string, at time.Time) { s.message(id, "out", "user", agentID, at) }

// Wrote is the customer writing again.
func (s *Script) Wrote(id string, at time.Time) { s.message(id, "in", "persona", "p-"+id, at) }

// Status changes a conversation's status (resolved, open, pending…).
func (s *Script) Status(id, status string, at time.Time) {
	c := s.convs[id]
	c.Status = status
	s.emit(event.ConversationUpdated, at, c)
}

// Breached is an SLA breach on a conversation.
func (s *Script) Breached(id string, at time.Time) {
	s.emit(event.SLABreached, at, map[string]any{"conversation_id": id, "target": "first_response", "at": at.UTC()})
}

// Presence is an agent's presence change.
func (s *Script) Presence(userID, presence string, at time.Time) {
	s.emit(event.AgentPresenceChanged, at, map[string]any{"user_id": userID, "presence": presence})
}

// CSAT is a customer's satisfaction answer.
func (s *Script) CSAT(id string, rating int, queueID, agentID string, at time.Time) {
	c := s.convs[id]
	s.emit(event.CSATAnswered, at, map[string]any{"conversation_id": id, "rating": rating, "comment": "", "channel": c.Channel,
		"queue_id": queueID, "agent_id": agentID})
}

// NoticeStatus is a notice delivery reaching a status (sent, delivered,
// read, replied, failed) on a channel, as the store writes it.
func (s *Script) NoticeStatus(deliveryID, typ, channel, status string, at time.Time) {
	s.emit(event.NoticeStatus, at, map[string]any{"delivery_id": deliveryID, "type": typ, "channel": channel, "status": status})
}

// NoticeResponded is a customer reading or answering a notice in a local hour.
func (s *Script) NoticeResponded(deliveryID, typ, channel, how, segment string, localHour int, at time.Time) {
	s.emit(event.NoticeResponded, at, notify.Responded{DeliveryID: deliveryID, Type: typ, Channel: channel, How: how,
		Segment: segment, LocalHour: localHour})
}

// OptedOut is a revocation of scope in a consent ledger.
func (s *Script) OptedOut(scope, source string, at time.Time) {
	s.emit(event.NoticeOptedOut, at, notify.OptOutOf(scope, source))
}

// Linked is an agent linking an article to a conversation (kind reused or created).
func (s *Script) Linked(convID, articleID, kind string, at time.Time) {
	s.emit(event.KnowledgeLinked, at, reuse.LinkEvent{ConversationID: convID, ArticleID: articleID, Kind: kind, AgentID: "ana"})
}

// Unlinked is an agent taking an article's link away.
func (s *Script) Unlinked(convID, articleID string, at time.Time) {
	s.emit(event.KnowledgeUnlinked, at, reuse.LinkEvent{ConversationID: convID, ArticleID: articleID, AgentID: "ana"})
}
