package rooms_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// center is the rooms service on a real database, bus, job queue and SMTP
// peer.
type center struct {
	db     *store.DB
	svc    *rooms.Service
	teller *rooms.Teller
	sink   *smtpsink.Sink
}

const base = "https://center.example"

func newCenter(t *testing.T, db *store.DB, channels rooms.Channels) *center {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clock.System{}
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	sink := smtpsink.Start(t)
	teller := rooms.NewTeller(db, mailer.New(sink.Addr, "center@switchboard.test", "", "", clk), channels, clk, log, base+"/")
	workers := river.NewWorkers()
	river.AddWorker(workers, teller)
	q, err := jobs.New(db, jobs.Config{Workers: workers, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
	out := outbox.New(db, b, clk, log)
	svc := rooms.New(rooms.Deps{DB: db, Out: out, Clock: clk, Log: log, Jobs: q, MaxFileBytes: 1 << 10})
	return &center{db: db, svc: svc, teller: teller, sink: sink}
}

func (c *center) user(t *testing.T, tn tenant.Tenant, email string, p tenant.Presence) tenant.User {
	t.Helper()
	u := storetest.NewUser(t, c.db, tn.ID, email, tenant.RoleAgent)
	u.Presence = p
	if err := c.db.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (c *center) conversation(t *testing.T, tn tenant.Tenant) string {
	t.Helper()
	ctx, now := context.Background(), time.Now()
	p := persona.Persona{ID: ids.New(), TenantID: tn.ID, Name: "Lena", CreatedAt: now, UpdatedAt: now}
	if err := c.db.CreatePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	cv := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusOpen, Priority: conversation.PriorityNormal,
		Channel: "api", Modalities: []string{"api"}, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
	if err := c.db.CreateConversation(ctx, cv); err != nil {
		t.Fatal(err)
	}
	return cv.ID
}

// TestTellAwayInvitees: an invitee who is away or offline gets one mail
// through a real SMTP peer, with who asks, the question and the deep link
// to the room; an available one gets none (the desktop tells them); a job
// run again sends nothing more. On both engines.
func TestTellAwayInvitees(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newCenter(t, e.Open(t), nil)
			ctx := context.Background()
			tn := storetest.NewTenant(t, c.db, "tell-"+e.Name)
			ann := c.user(t, tn, "ann@tell.example", tenant.PresenceAvailable)
			ben := c.user(t, tn, "ben@tell.example", tenant.PresenceAway)
			cat := c.user(t, tn, "cat@tell.example", tenant.PresenceAvailable)
			dan := c.user(t, tn, "dan@tell.example", tenant.PresenceOffline)
			conv := c.conversation(t, tn)
			me := rooms.Actor{TenantID: tn.ID, UserID: ann.ID}
			v, err := c.svc.Open(ctx, me, conv, "Card declined abroad with the travel flag on?")
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []tenant.User{ben, cat, dan} {
				if _, err := c.svc.Invite(ctx, me, v.Room.ID, u.ID); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string]string{}
			for len(got) < 2 {
				select {
				case m := <-c.sink.Messages:
					if len(m.To) != 1 || got[m.To[0]] != "" {
						t.Fatalf("a second mail, or to several: %v", m.To)
					}
					got[m.To[0]] = string(m.Data)
				case <-time.After(20 * time.Second):
					t.Fatalf("mails so far: %v", got)
				}
			}
			mail := got[ben.Email]
			link := base + "/desktop/c/" + conv + "?room=" + v.Room.ID
			for _, want := range []string{"Subject: User ann@tell.example asks for your help in Tenant tell-", "Card declined abroad with the travel flag on?", link} {
				if !strings.Contains(mail, want) {
					t.Fatalf("ben's mail lacks %q:\n%s", want, mail)
				}
			}
			if got[dan.Email] == "" || got[cat.Email] != "" {
				t.Fatalf("offline dan is told, available cat is not: %v", got)
			}
			// The mark follows the send: wait for it.
			var ms []swarm.Member
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				ms, err = c.db.SwarmMembers(ctx, tn.ID, v.Room.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !ms[1].ToldAt.IsZero() && !ms[3].ToldAt.IsZero() || time.Now().After(deadline) {
					break
				}
			}
			for _, m := range ms {
				if told := !m.ToldAt.IsZero(); told != (m.UserID == ben.ID || m.UserID == dan.ID) {
					t.Fatalf("member %s told %v", m.UserID, told)
				}
			}
			// The same job again (a retry after the send) tells nobody twice.
			if err := c.teller.Work(ctx, &river.Job[rooms.TellArgs]{Args: rooms.TellArgs{TenantID: tn.ID, RoomID: v.Room.ID, UserID: ben.ID}}); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-c.sink.Messages:
				t.Fatalf("told again: %v", m.To)
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
}
