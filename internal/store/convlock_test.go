package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Two transactions that each read a conversation, change a field and write
// it back, at once on PostgreSQL: the second must not write over the first's
// change. It did — an inbound message (which continues the customer's latest
// open conversation) written over the dispatcher's assignment left a
// conversation unassigned under work assigned to an agent, and routing
// offered it to a second agent. Both ways of finding the conversation in a
// transaction are tried.
func TestConversationWritersDoNotLoseUpdates(t *testing.T) {
	db := storetest.OpenPostgres(t)
	ctx := t.Context()
	tn := storetest.NewTenant(t, db, "convlock")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, how := range []string{"by id", "latest unresolved"} {
		p := persona.Persona{ID: ids.New(), TenantID: tn.ID, Name: "P", CreatedAt: now, UpdatedAt: now}
		if err := db.CreatePersona(ctx, p); err != nil {
			t.Fatal(err)
		}
		c := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusOpen,
			Priority: conversation.PriorityNormal, Channel: "webchat", Modalities: []string{"webchat"}, LastMessageAt: now,
			CreatedAt: now, UpdatedAt: now}
		if err := db.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}

		// The assigner: reads, sets the assignee, writes, in a transaction of
		// its own that starts once the message's transaction has read.
		read := make(chan struct{})
		pid := make(chan int, 1)
		assigned := make(chan error, 1)
		go func() {
			<-read
			assigned <- db.InTx(ctx, func(s *store.Store, tx *sql.Tx) error {
				var id int
				if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&id); err != nil {
					return err
				}
				pid <- id
				cur, err := s.Conversation(ctx, tn.ID, c.ID)
				if err != nil {
					return err
				}
				cur.AssigneeID = "agent-a"
				return s.UpdateConversation(ctx, cur)
			})
		}()

		// The message: reads the conversation, lets the assigner run until it
		// either commits or waits for this transaction, then writes.
		err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
			var cur conversation.Conversation
			var err error
			if how == "by id" {
				cur, err = s.Conversation(ctx, tn.ID, c.ID)
			} else {
				cur, err = s.LatestUnresolvedConversation(ctx, tn.ID, p.ID)
			}
			if err != nil {
				return err
			}
			close(read)
			id := <-pid
			for waiting := false; !waiting; {
				select {
				case err := <-assigned:
					assigned <- err // committed already: the write below is the lost update
					waiting = true
				case <-time.After(20 * time.Millisecond):
					var ev sql.NullString
					if err := db.SQL().QueryRowContext(ctx, `SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, id).Scan(&ev); err != nil {
						return err
					}
					waiting = ev.String == "Lock"
				}
			}
			cur.LastMessageAt, cur.UpdatedAt = now.Add(time.Minute), now.Add(time.Minute)
			return s.UpdateConversation(ctx, cur)
		})
		if err != nil {
			t.Fatalf("%s: message: %v", how, err)
		}
		if err := <-assigned; err != nil {
			t.Fatalf("%s: assign: %v", how, err)
		}
		got, err := db.Conversation(ctx, tn.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AssigneeID != "agent-a" || !got.LastMessageAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("%s: a writer's change was lost: assignee %q, last message at %s", how, got.AssigneeID, got.LastMessageAt)
		}
	}
}

// A read-only snapshot (an export) still reads conversations: the lock is
// for write transactions only.
func TestConversationInSnapshot(t *testing.T) {
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	tn := storetest.NewTenant(t, db, "convsnap")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := persona.Persona{ID: ids.New(), TenantID: tn.ID, Name: "P", CreatedAt: now, UpdatedAt: now}
	if err := db.CreatePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusOpen,
		Priority: conversation.PriorityNormal, Channel: "webchat", Modalities: []string{"webchat"}, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.Snapshot(ctx, func(s *store.Store) error {
		_, err := s.Conversation(ctx, tn.ID, c.ID)
		return err
	}); err != nil {
		t.Fatalf("conversation in a snapshot: %v", err)
	}
}
