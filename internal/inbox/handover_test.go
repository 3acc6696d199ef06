package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/channel"
	mailch "github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestRescuedEmailReplyIsNotMailedAgain: a node runs an email reply's
// delivery job, the relay takes the data, and the node dies before it hears
// so (here: the relay holds its answer). The job is rescued and run again,
// as River does with a job whose node died: the next attempt finds the mark
// the first wrote after RCPT and records the reply sent instead of mailing
// the customer a second time.
func TestRescuedEmailReplyIsNotMailedAgain(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			clk := clock.System{}
			// The node's own queue sends nothing (its gate refuses every
			// send for good): the reply's job fails there, and the test runs
			// the job's tries itself, on a deliverer without the gate.
			core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk, Gate: refuseAll{}})
			relay := smtpsink.Start(t)
			mailer, err := mailch.New(mailch.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: core.Log},
				mailch.Config{Hostname: "mx.bank.test", Relay: relay.Addr})
			if err != nil {
				t.Fatal(err)
			}
			if err := core.Channels.Register(mailer); err != nil {
				t.Fatal(err)
			}
			reg, err := channel.NewRegistry(mailer)
			if err != nil {
				t.Fatal(err)
			}
			deliverer := inbox.NewDeliverer(db, core.Out, reg, clk, core.Log)

			tn := storetest.NewTenant(t, db, "bank")
			ctx := context.Background()
			if err := db.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: tn.ID, Channel: "email",
				Address: "help@bank.example", Name: "Bank"}, time.Now()); err != nil {
				t.Fatal(err)
			}
			in, err := core.Inbox.Ingest(ctx, inbox.Inbound{TenantID: tn.ID, Channel: "email", From: email("ana@example.com"),
				Subject: "My card", Body: "is blocked"})
			if err != nil {
				t.Fatal(err)
			}
			agent := storetest.NewUser(t, db, tn.ID, "ben@bank.example", tenant.RoleAgent)
			m, err := core.Inbox.Reply(ctx, inbox.Actor{TenantID: tn.ID, UserID: agent.ID}, in.Conversation.ID,
				inbox.ReplyInput{Channel: "email", Body: "We unblocked it."})
			if err != nil {
				t.Fatal(err)
			}
			waitStatus(t, db, tn.ID, m.ID, conversation.DeliveryFailed) // the node's gate refused it

			job := func(attempt int) *river.Job[inbox.DeliverArgs] {
				return &river.Job[inbox.DeliverArgs]{JobRow: &rivertype.JobRow{ID: 4242, Attempt: attempt, MaxAttempts: 5},
					Args: inbox.DeliverArgs{TenantID: tn.ID, MessageID: m.ID}}
			}
			took, release := relay.HoldNext()
			defer release()
			first := make(chan error, 1)
			go func() { first <- deliverer.Work(ctx, job(1)) }()
			select {
			case <-took:
			case <-time.After(30 * time.Second):
				t.Fatal("the first try's mail never reached the relay")
			}
			<-relay.Messages
			// The first try's node is gone; River runs the job again.
			if err := deliverer.Work(ctx, job(2)); err != nil {
				t.Fatalf("second try: %v", err)
			}
			select {
			case got := <-relay.Messages:
				t.Fatalf("the reply was mailed again to %v", got.To)
			default:
			}
			waitStatus(t, db, tn.ID, m.ID, conversation.DeliverySent)
			release()
			if err := <-first; err != nil {
				t.Fatalf("first try, finishing late: %v", err)
			}

			// A try that marked but was then refused by the relay leaves no
			// mark: an agent's Retry, or the job's next try, sends it.
			m2, err := core.Inbox.Reply(ctx, inbox.Actor{TenantID: tn.ID, UserID: agent.ID}, in.Conversation.ID,
				inbox.ReplyInput{Channel: "email", Body: "And the other card too."})
			if err != nil {
				t.Fatal(err)
			}
			waitStatus(t, db, tn.ID, m2.ID, conversation.DeliveryFailed)
			relay.RejectData(1)
			j := job(1)
			j.Args.MessageID = m2.ID
			if err := deliverer.Work(ctx, j); err == nil || errors.Is(err, channel.ErrPermanent) {
				t.Fatalf("refused data: %v, want a retryable error", err)
			}
			j = job(2)
			j.Args.MessageID = m2.ID
			if err := deliverer.Work(ctx, j); err != nil {
				t.Fatal(err)
			}
			select {
			case <-relay.Messages:
			case <-time.After(10 * time.Second):
				t.Fatal("the retry after a refusal was not mailed")
			}
			waitStatus(t, db, tn.ID, m2.ID, conversation.DeliverySent)
		})
	}
}

func waitStatus(t *testing.T, db *store.DB, tenantID, id, status string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := db.Message(context.Background(), tenantID, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s is %s, want %s", id, m.Status, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// refuseAll is a gate that lets nothing leave, for good.
type refuseAll struct{}

func (refuseAll) MaySend(context.Context, string) (bool, error) {
	return false, fmt.Errorf("this node sends nothing: %w", channel.ErrPermanent)
}
