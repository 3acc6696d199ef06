package inbox_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestIngestFilesNewConversations: a channel may file the conversation a
// message creates (a listening rule's priority and queue); a later message
// raises the priority but never lowers it, and leaves the team alone.
func TestIngestFilesNewConversations(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	prio := func(p conversation.Priority) *conversation.Priority { return &p }
	first := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+15550100001"), Body: "my card is broken", Priority: prio(conversation.PriorityHigh), Team: "Social care"})
	if c := first.Conversation; c.Priority != conversation.PriorityHigh || c.Team != "Social care" {
		t.Fatalf("new conversation filed as priority %d, team %q", c.Priority, c.Team)
	}
	lower := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+15550100001"), Body: "any news?", Priority: prio(conversation.PriorityLow), Team: "Brand"})
	if c := lower.Conversation; c.ID != first.Conversation.ID || c.Priority != conversation.PriorityHigh || c.Team != "Social care" {
		t.Fatalf("joined conversation now priority %d, team %q; want it unchanged", c.Priority, c.Team)
	}
	urgent := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+15550100001"), Body: "still broken!", Priority: prio(conversation.PriorityUrgent)})
	if c := urgent.Conversation; c.Priority != conversation.PriorityUrgent {
		t.Fatalf("joined conversation priority %d; want raised to urgent", c.Priority)
	}
	plain := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+15550100002"), Body: "hello"})
	if c := plain.Conversation; c.Priority != conversation.PriorityNormal || c.Team != "" {
		t.Fatalf("unfiled conversation as priority %d, team %q", c.Priority, c.Team)
	}
}
