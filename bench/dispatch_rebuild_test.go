package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// rebuildScenario is one tenant's routing state as a center has it.
type rebuildScenario struct {
	tenants                 int // that many tenants of this size (0 means 1)
	agents, queues, waiting int
	queuesPerUser           int  // queues each agent serves
	criteria                bool // a quarter of the work brings its own routing criteria
}

// BenchmarkDispatchRebuild times how long a node that takes the routing lead
// needs to rebuild its engines from SQL before it routes: SQLite filled with
// 10,000 agents, 500 queues and 100,000 waiting items (straight store inserts
// in large transactions). The agents are offline, so the time is the rebuild
// alone, not the routing of what it restored.
func BenchmarkDispatchRebuild(b *testing.B) {
	// each agent serves 10 queues: 200 agents a queue
	dispatchRebuild(b, rebuildScenario{agents: 10_000, queues: 500, waiting: 100_000, queuesPerUser: 10}, "")
}

// BenchmarkDispatchRebuild500k is the rebuild at the published limits:
// 15,000 agents, 5,000 queues (each agent serving 10: 30 a queue) and
// 500,000 waiting items, a quarter of them with routing criteria of their
// own (three steps, or a personal queue) stored in the item.
func BenchmarkDispatchRebuild500k(b *testing.B) {
	dispatchRebuild(b, rebuildScenario{agents: 15_000, queues: 5_000, waiting: 500_000, queuesPerUser: 10, criteria: true}, "_500k")
}

// BenchmarkDispatchRebuildTenants is many tenants on one node: 1,000
// tenants of 10 agents, 5 queues and 100 waiting items each — the agents,
// items and ten times the queues of BenchmarkDispatchRebuild, spread out.
// Its figures carry the suffix _1000t.
func BenchmarkDispatchRebuildTenants(b *testing.B) {
	dispatchRebuild(b, rebuildScenario{tenants: 1_000, agents: 10, queues: 5, waiting: 100, queuesPerUser: 2, criteria: true}, "_1000t")
}

func dispatchRebuild(b *testing.B, sc rebuildScenario, suffix string) {
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	if err := jobs.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	tenants := make([]string, max(sc.tenants, 1))
	for i := range tenants {
		tenants[i] = fillRouting(b, db, sc, fmt.Sprintf("rebuild-%d", i))
	}
	log := slog.New(slog.DiscardHandler)
	nats, err := bus.Open(ctx, bus.Options{DataDir: b.TempDir(), Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	defer nats.Close()
	clk := clock.System{}
	out := outbox.New(db, nats, clk, log)
	reg, err := channel.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	q, err := jobs.New(db, jobs.Config{Workers: river.NewWorkers(), Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	in := inbox.New(db, out, q, reg, clk, log, inbox.DefaultLimits)
	acc := accounts.New(db, out, clk, nil, log, accounts.Config{SecretKey: []byte("bench-secret-key-bench-secret-key")})

	var total, cpu, answered time.Duration
	for b.Loop() {
		svc, err := dispatch.New(dispatch.Deps{DB: db, Out: out, Bus: nats, Inbox: in, Accounts: acc, Clock: clk, Log: log},
			dispatch.Config{LeadEvery: 10 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		cpu0 := processCPU(b)
		start := time.Now()
		go func() { defer close(done); svc.Run(runCtx) }()
		for !svc.Leading() {
			time.Sleep(time.Millisecond)
		}
		took := time.Since(start)
		total += took
		cpu += processCPU(b) - cpu0
		for i, tn := range tenants {
			// The leader answers over NATS with a deadline; a tenant of
			// 500,000 items on a loaded machine can miss it: asked again.
			st, err := svc.Stats(ctx, tn)
			for try := 0; errors.Is(err, dispatch.ErrNoLeader) && try < 10; try++ {
				st, err = svc.Stats(ctx, tn)
			}
			if err != nil {
				b.Fatal(err)
			}
			if i == 0 {
				answered += time.Since(start)
			}
			waiting := 0
			for _, s := range st {
				waiting += s.Waiting
			}
			if waiting != sc.waiting || len(st) != sc.queues {
				b.Fatalf("rebuilt %d queues with %d waiting, want %d with %d", len(st), waiting, sc.queues, sc.waiting)
			}
		}
		cancel()
		<-done
	}
	secs := total.Seconds() / float64(b.N)
	b.ReportMetric(secs, "s/rebuild")
	Report("routing_rebuild_s"+suffix, secs, "s")
	// The CPU the process spent meanwhile (every goroutine, the collector's
	// included) moves far less than the wall time when other work shares
	// the machine.
	Report("routing_rebuild_cpu_s"+suffix, cpu.Seconds()/float64(b.N), "s")
	// Until the new leader has answered its first Stats request: the
	// rebuild and the leader's first pass over what it restored.
	Report("routing_rebuild_answered_s"+suffix, answered.Seconds()/float64(b.N), "s")
	// The rebuild's one read of the conversations out of step with their
	// work (every active item looked up against its conversation), timed
	// on its own: its share of the rebuild above. The scenario's items
	// name conversations it does not store, so each look-up misses — an
	// index probe as a hit is, without reading the row.
	start := time.Now()
	if _, err := db.ConversationsOutOfStepAmong(ctx, tenants); err != nil {
		b.Fatal(err)
	}
	catchUp := time.Since(start).Seconds()
	Report("routing_rebuild_catchup_read_s"+suffix, catchUp, "s")
	Report("routing_rebuild_catchup_read_share"+suffix, catchUp/secs, "x")
}

// processCPU is the user and system CPU time the process has used so far.
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fillRouting writes the scenario into db and returns the tenant's id.
func fillRouting(b *testing.B, db *store.DB, sc rebuildScenario, slug string) string {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	tn := tenant.Tenant{ID: ids.New(), Slug: slug, Name: slug, CreatedAt: now}
	if err := db.CreateTenant(ctx, tn); err != nil {
		b.Fatal(err)
	}
	queueIDs := make([]string, sc.queues)
	userIDs := make([]string, sc.agents)
	err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		for i := range queueIDs {
			queueIDs[i] = ids.New()
			cfg, _ := json.Marshal(dispatch.QueueConfig{Strategy: routing.LongestIdle, Skills: []string{fmt.Sprintf("skill%d", i%20)}})
			if err := s.PutConfig(ctx, store.ConfigQueues, store.ConfigRecord{ID: queueIDs[i], TenantID: tn.ID,
				Name: fmt.Sprintf("Queue %03d", i), Config: cfg, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		for i := range sc.agents {
			userIDs[i] = ids.New()
			u := tenant.User{ID: userIDs[i], TenantID: tn.ID, Email: fmt.Sprintf("agent%05d@bench.test", i), Name: fmt.Sprintf("Agent %d", i),
				Role: tenant.RoleAgent, Presence: tenant.PresenceOffline, CreatedAt: now, UpdatedAt: now}
			if err := s.CreateUser(ctx, u); err != nil {
				return err
			}
			p := dispatch.AgentProfile{Skills: map[string]int{fmt.Sprintf("skill%d", i%20): 3},
				Capacity: map[string]int{"chat": 3, "email": 5}}
			for k := range sc.queuesPerUser {
				p.Queues = append(p.Queues, queueIDs[(i*sc.queuesPerUser+k)%sc.queues])
			}
			cfg, _ := json.Marshal(p)
			if err := s.PutAgentRouting(ctx, tn.ID, u.ID, cfg, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 10_000
	for from := 0; from < sc.waiting; from += batch {
		err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
			for i := from; i < min(from+batch, sc.waiting); i++ {
				w := routing.Work{ID: ids.New(), ConversationID: ids.New(), Kind: routing.Conversation,
					QueueID: queueIDs[i%sc.queues], Modality: routing.Chat, Priority: i % 4,
					Arrived: now.Add(-time.Duration(sc.waiting-i) * time.Millisecond)}
				if sc.criteria {
					switch i % 20 {
					case 0, 1, 2, 3:
						w.Criteria = &routing.Criteria{Steps: []routing.CriteriaStep{
							{Skills: map[string]int{fmt.Sprintf("skill%d", i%20): 4}, Expiry: 20 * time.Second},
							{Agents: []string{userIDs[i%sc.agents], userIDs[(i*7)%sc.agents]}, Expiry: 30 * time.Second},
							{Skills: map[string]int{fmt.Sprintf("skill%d", i%20): 1}}}}
					case 4:
						w.Criteria = &routing.Criteria{Steps: []routing.CriteriaStep{{Agents: []string{userIDs[i%sc.agents]}, Expiry: time.Hour}}}
					}
				}
				data, _ := json.Marshal(w)
				if err := s.InsertWork(ctx, store.WorkRecord{ID: w.ID, TenantID: tn.ID, ConversationID: w.ConversationID,
					Kind: string(w.Kind), QueueID: w.QueueID, Modality: string(w.Modality), Priority: w.Priority,
					State: "waiting", Data: data, ArrivedAt: w.Arrived, UpdatedAt: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return tn.ID
}
