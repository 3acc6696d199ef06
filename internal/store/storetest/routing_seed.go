package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// RebuildSize is how much routing state SeedRouting writes, spread evenly over
// Tenants tenants.
type RebuildSize struct {
	Tenants int
	Work    int // active items (waiting, offered, assigned in turn)
	Agents  int // agents, each with a routing profile
	Queues  int
}

// RebuildScale is the size the routing rebuild is measured at.
var RebuildScale = RebuildSize{Tenants: 100, Work: 100_000, Agents: 10_000, Queues: 500}

// RoutingSeed is what SeedRouting wrote: the ids, per tenant.
type RoutingSeed struct {
	Tenants []string
	Agents  map[string][]string // tenant id → user ids
	Queues  map[string][]string // tenant id → queue ids
}

// SeedRouting fills db with routing state of the given size in one
// transaction, shaped as the dispatcher writes it, for rebuild measurements:
// tenants, agents with profiles, queues, and active work spread over the
// queues and assigned or offered to the agents.
func SeedRouting(tb testing.TB, db *store.DB, size RebuildSize) RoutingSeed {
	tb.Helper()
	ctx := context.Background()
	seed := RoutingSeed{Agents: map[string][]string{}, Queues: map[string][]string{}}
	states := []string{"waiting", "offered", "assigned"}
	err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		for i := range size.Tenants {
			tn := tenant.Tenant{ID: ids.New(), Slug: fmt.Sprintf("seed-%d-%s", i, ids.New()[:8]), Name: "Seed", CreatedAt: t0}
			if err := s.CreateTenant(ctx, tn); err != nil {
				return err
			}
			seed.Tenants = append(seed.Tenants, tn.ID)
		}
		for i := range size.Queues {
			tid := seed.Tenants[i%size.Tenants]
			q := store.ConfigRecord{ID: ids.New(), TenantID: tid, Name: fmt.Sprintf("queue-%d", i), CreatedAt: t0, UpdatedAt: t0,
				Config: json.RawMessage(fmt.Sprintf(`{"name":"queue-%d","skills":["billing","french"],"priority":1,"strategy":"skills",`+
					`"widening":[{"after":0,"min_level":4},{"after":30000000000,"min_level":2}],"offer_timeout":30000000000,`+
					`"auto_assign":false,"overflow":[{"after":300000000000,"to":""}]}`, i))}
			if err := s.PutConfig(ctx, store.ConfigQueues, q); err != nil {
				return err
			}
			seed.Queues[tid] = append(seed.Queues[tid], q.ID)
		}
		for i := range size.Agents {
			tid := seed.Tenants[i%size.Tenants]
			u := tenant.User{ID: ids.New(), TenantID: tid, Email: fmt.Sprintf("agent%d@seed.example", i), Name: fmt.Sprintf("Agent %d", i),
				Role: tenant.RoleAgent, Presence: tenant.PresenceAvailable, PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
			if err := s.CreateUser(ctx, u); err != nil {
				return err
			}
			profile := fmt.Sprintf(`{"skills":{"billing":%d,"french":%d},"capacity":{"chat":3,"email":5,"voice":1},"queues":[%q]}`,
				i%5+1, (i+2)%5+1, seed.Queues[tid][i%len(seed.Queues[tid])])
			if err := s.PutAgentRouting(ctx, tid, u.ID, json.RawMessage(profile), t0); err != nil {
				return err
			}
			seed.Agents[tid] = append(seed.Agents[tid], u.ID)
		}
		for i := range size.Work {
			tid := seed.Tenants[i%size.Tenants]
			w := store.WorkRecord{ID: ids.New(), TenantID: tid, ConversationID: ids.New(), Kind: "conversation",
				QueueID: seed.Queues[tid][i%len(seed.Queues[tid])], Modality: "chat", Priority: i % 4, State: states[i%len(states)],
				ArrivedAt: t0.Add(time.Duration(i) * time.Millisecond), UpdatedAt: t0}
			if w.State != "waiting" {
				w.AgentID = seed.Agents[tid][i%len(seed.Agents[tid])]
			}
			w.Data = json.RawMessage(fmt.Sprintf(`{"id":%q,"kind":"conversation","conversation_id":%q,"queue_id":%q,"modality":"chat",`+
				`"priority":%d,"skills":["billing"],"arrived":%q,"state":%q,"agent_id":%q}`,
				w.ID, w.ConversationID, w.QueueID, w.Priority, w.ArrivedAt.Format(time.RFC3339Nano), w.State, w.AgentID))
			if err := s.InsertWork(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed routing: %v", err)
	}
	return seed
}
