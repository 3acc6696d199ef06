package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// A transaction that read a conversation, then wrote it back after another
// transaction had assigned it, used to undo the assignment (PostgreSQL, read
// committed: a customer's message and routing's accept at the same moment,
// and the conversation was offered to a second agent). Now its write is
// refused and Do runs it again on the row as it then is: both changes stand.
// PostgreSQL only: SQLite's one writer runs the two one after the other.
func TestATransactionThatLostARaceForAConversationRunsAgain(t *testing.T) {
	db, o := postgresOutbox(t)
	ctx := context.Background()
	tenant := storetest.NewTenant(t, db, "bank").ID
	now := time.Now().UTC()
	p := persona.Persona{ID: ids.New(), TenantID: tenant, Name: "Customer", CreatedAt: now, UpdatedAt: now}
	if err := db.CreatePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := conversation.Conversation{ID: ids.New(), TenantID: tenant, PersonaID: p.ID, Status: conversation.StatusOpen,
		Channel: "webchat", Modalities: []string{"webchat"}, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}

	runs := 0
	err := o.Do(ctx, func(tx *Tx) error {
		runs++
		read, err := tx.Conversation(ctx, tenant, c.ID)
		if err != nil {
			return err
		}
		if runs == 1 { // routing assigns it meanwhile, in a transaction of its own
			other, err := db.Conversation(ctx, tenant, c.ID)
			if err != nil {
				return err
			}
			other.AssigneeID = "agent-1"
			if err := db.UpdateConversation(ctx, &other); err != nil {
				return err
			}
		}
		read.Priority, read.UpdatedAt = conversation.PriorityUrgent, time.Now().UTC()
		return tx.UpdateConversation(ctx, &read)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Conversation(ctx, tenant, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 || got.AssigneeID != "agent-1" || got.Priority != conversation.PriorityUrgent {
		t.Fatalf("after %d runs: assignee %q, priority %d; want 2 runs, agent-1 and urgent", runs, got.AssigneeID, got.Priority)
	}
}
