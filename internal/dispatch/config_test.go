package dispatch_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestConfigValidation(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	ctx := t.Context()
	def := f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	for _, tc := range []struct {
		q     dispatch.QueueConfig
		field string
	}{
		{dispatch.QueueConfig{}, "name"},
		{dispatch.QueueConfig{Name: "x", Strategy: "random"}, "strategy"},
		{dispatch.QueueConfig{Name: "x", Skills: []string{"Billing Team"}}, "skills[0]"},
		{dispatch.QueueConfig{Name: "x", Widening: []dispatch.WideningConfig{{AfterSeconds: 30, MinLevel: 4}, {AfterSeconds: 10}}}, "widening[1].after_seconds"},
		{dispatch.QueueConfig{Name: "x", Overflow: []dispatch.OverflowConfig{{AfterSeconds: 60, To: "nowhere"}}}, "overflow[0].to"},
		{dispatch.QueueConfig{Name: "x", CalendarID: "nowhere"}, "calendar_id"},
		{dispatch.QueueConfig{Name: "x", SLAPolicyID: "nowhere"}, "sla_policy_id"},
		{dispatch.QueueConfig{Name: "x", Default: true}, "default"},
		{dispatch.QueueConfig{Name: strings.Repeat("é", 81)}, "name"},
		{dispatch.QueueConfig{Name: "Billing\x1b[2J"}, "name"},
	} {
		_, err := f.n.svc.SaveQueue(ctx, f.admin, tc.q)
		var fe *tenant.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("SaveQueue(%+v) = %v, want a field error on %s", tc.q, err, tc.field)
		}
	}
	// Names are measured in characters: 80 accented letters are 160 bytes.
	if _, err := f.n.svc.SaveQueue(ctx, f.admin, dispatch.QueueConfig{Name: strings.Repeat("é", 80)}); err != nil {
		t.Errorf("a queue named with 80 accented letters: %v", err)
	}
	if _, err := f.n.svc.SaveQueue(ctx, f.admin, dispatch.QueueConfig{Name: "Support"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second queue named Support: %v", err)
	}
	other := storetest.NewTenant(t, f.db, "other")
	if _, err := f.n.svc.Queue(ctx, other.ID, def.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another tenant's queue: %v", err)
	}
	if _, err := f.n.svc.SaveCalendar(ctx, f.admin, dispatch.CalendarConfig{Name: "Lisbon", Calendar: sla.Calendar{TimeZone: "Mars/Olympus"}}); err == nil {
		t.Error("a calendar in an unknown zone was saved")
	}
	cal, err := f.n.svc.SaveCalendar(ctx, f.admin, dispatch.CalendarConfig{Name: "Lisbon", Calendar: sla.Calendar{TimeZone: "Europe/Lisbon",
		Hours: map[string][]sla.Span{"mon": {{From: "09:00", To: "17:00"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(cal)
	var back map[string]any
	json.Unmarshal(raw, &back)
	if back["time_zone"] != "Europe/Lisbon" || back["name"] != "Lisbon" {
		t.Errorf("calendar JSON is not inline: %s", raw)
	}
	pol, err := f.n.svc.SaveSLAPolicy(ctx, f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: sla.Policy{FirstResponse: 600e9}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(pol)
	var pback dispatch.PolicyConfig
	if err := json.Unmarshal(raw, &pback); err != nil || pback.ID != pol.ID || pback.FirstResponse != pol.FirstResponse {
		t.Errorf("policy JSON round trip: %s → %+v %v", raw, pback, err)
	}
	def.CalendarID, def.SLAPolicyID = cal.ID, pol.ID
	if _, err := f.n.svc.SaveQueue(ctx, f.admin, def); err != nil {
		t.Fatal(err)
	}
	if err := f.n.svc.DeleteCalendar(ctx, f.admin, cal.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("deleting a calendar in use: %v", err)
	}

	ana := storetest.NewUser(t, f.db, f.tenant, "ana@bank.test", tenant.RoleAgent).ID
	p, err := f.n.svc.AgentProfile(ctx, f.tenant, ana)
	if err != nil || !p.Default || p.Capacity["voice"] != 1 {
		t.Fatalf("default profile: %+v %v", p, err)
	}
	for _, bad := range []dispatch.AgentProfile{
		{Skills: map[string]int{"billing": 6}},
		{Capacity: map[string]int{"fax": 1}},
		{Capacity: map[string]int{"chat": 51}},
		{Queues: []string{"nowhere"}},
	} {
		var fe *tenant.FieldError
		if _, err := f.n.svc.SaveAgentProfile(ctx, f.admin, ana, bad); !errors.As(err, &fe) {
			t.Errorf("SaveAgentProfile(%+v) = %v, want a field error", bad, err)
		}
	}
	if _, err := f.n.svc.AgentProfile(ctx, other.ID, ana); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another tenant's agent: %v", err)
	}
}

func TestTenantPresenceStates(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	ctx := t.Context()
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	if err := f.n.svc.SavePresenceState(ctx, f.admin, "away", true); err == nil {
		t.Fatal("a built-in state was redefined")
	}
	if _, err := f.n.acc.SetPresence(ctx, f.tenant, ana, "training"); err == nil {
		t.Fatal("an undefined state was accepted")
	}
	if err := f.n.svc.SavePresenceState(ctx, f.admin, "lunch", false); err != nil {
		t.Fatal(err)
	}
	if err := f.n.svc.SavePresenceState(ctx, f.admin, "backoffice", true); err != nil {
		t.Fatal(err)
	}
	f.presence(t, ana, tenant.Presence("lunch"))
	c := f.chat(t, "v1", "hello")
	st, err := f.n.svc.Stats(ctx, f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "ana at lunch is counted and not offered", func() bool {
		st, err = f.n.svc.Stats(ctx, f.tenant)
		return err == nil && len(st) == 1 && st[0].Agents["lunch"] == 1 && st[0].Waiting == 1
	})
	// A routable state of the tenant's gets work.
	f.presence(t, ana, tenant.Presence("backoffice"))
	if o := f.offerFor(t, f.n, ana); o.ConversationID != c.ID {
		t.Fatalf("offer for %s", o.ConversationID)
	}
	states, err := f.n.svc.PresenceStates(ctx, f.tenant)
	if err != nil || len(states) != 2 {
		t.Fatalf("states: %+v %v", states, err)
	}
}

func TestQueueStatsOnTheFeed(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	b := embeddedBus(t)
	got := make(chan event.Event, 100)
	unsub, err := b.SubscribeEvents(func(ev event.Event) {
		if ev.Type == event.QueueStats {
			got <- ev
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	f.start(t, b, true)
	q := f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, Strategy: routing.SkillsBased})
	f.chat(t, "v1", "hello")
	timeout := time.After(15 * time.Second)
	for {
		var ev event.Event
		select {
		case ev = <-got:
		case <-timeout:
			t.Fatal("no queue.stats with the waiting chat")
		}
		if ev.Seq != 0 || ev.TenantID != f.tenant {
			t.Fatalf("stats event stored or for another tenant: %+v", ev)
		}
		var st []dispatch.QueueStatsView
		if err := json.Unmarshal(ev.Data, &st); err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(st, func(s dispatch.QueueStatsView) bool { return s.QueueID == q.ID }); i >= 0 && st[i].Waiting == 1 {
			if st[i].Name != "Support" {
				t.Fatalf("stats: %+v", st[i])
			}
			return
		}
	}
}

// A tenant with thousands of queues: its queue.stats once went as one event
// larger than NATS's max_payload (1 MiB), which the bus refused, so the
// wall and the wait estimates heard nothing of any queue. Every queue's
// state reaches the feed, in events of their own size.
func TestQueueStatsOfThousandsOfQueuesReachTheFeed(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	const queues = 3000
	now := f.clock.Now()
	for i := range queues {
		name := fmt.Sprintf("Queue %04d %s", i, strings.Repeat("x", 400)) // ~1.5 MB of stats in all
		raw, _ := json.Marshal(dispatch.QueueConfig{Name: name})
		if err := f.db.PutConfig(t.Context(), store.ConfigQueues, store.ConfigRecord{ID: fmt.Sprintf("q%04d", i),
			TenantID: f.tenant, Name: name, Config: raw, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	b := embeddedBus(t)
	var mu sync.Mutex
	seen := map[string]bool{}
	biggest := 0
	unsub, err := b.SubscribeEvents(func(ev event.Event) {
		if ev.Type != event.QueueStats || ev.TenantID != f.tenant {
			return
		}
		var st []dispatch.QueueStatsView
		if json.Unmarshal(ev.Data, &st) != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		biggest = max(biggest, len(ev.Data))
		for _, s := range st {
			seen[s.QueueID] = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	f.start(t, b, true)
	eventually(t, "every queue's state is on the feed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == queues
	})
	t.Logf("%d queues' states heard; the largest queue.stats event carried %d bytes", queues, biggest)
}
