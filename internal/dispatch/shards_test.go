package dispatch_test

import (
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// shardLeader is the node that leads the tenant's shard, nil while none
// does.
func shardLeader(tenantID string, nodes ...*node) *node {
	for _, n := range nodes {
		if n.svc.Leads(tenantID) {
			return n
		}
	}
	return nil
}

// spread waits until the live nodes hold every shard between them, each
// once, each node its share.
func spread(t *testing.T, nodes ...*node) {
	t.Helper()
	eventually(t, "the shards spread over the nodes", func() bool {
		seen := map[int]bool{}
		for _, n := range nodes {
			ss := n.svc.Shards()
			if len(ss) < 32/len(nodes)-1 || len(ss) > (32+len(nodes)-1)/len(nodes) {
				return false
			}
			for _, i := range ss {
				if seen[i] {
					return false
				}
				seen[i] = true
			}
		}
		return len(seen) == 32
	})
}

// killLeaseSession ends the database session that holds the shard's lease,
// as a node's lost connection would.
func killLeaseSession(t *testing.T, f *fixture, tenantID string) {
	t.Helper()
	key := int32(0x726f7574 + 1 + dispatch.ShardOf(tenantID, 32))
	var n int
	if err := f.db.SQL().QueryRowContext(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 2 AND mode = 'ExclusiveLock'
		AND objid = CAST(hashtext(current_schema()) AS oid) AND classid = CAST(CAST($1 AS INTEGER) AS oid)`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d sessions held the shard's lease, want 1", n)
	}
}

// Three nodes on PostgreSQL and NATS spread the shards; commands sent to
// any node reach the leader of their tenant's shard; when that leader stops
// (its context ends) or loses its database session, the shard is taken
// over, and an offer outstanding across the hand-over stays answerable —
// accepted once, never offered twice.
func TestShardsSpreadAndHandOver(t *testing.T) {
	for _, how := range []string{"stopped", "session killed"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t, storetest.OpenPostgres)
			a := f.start(t, externalBus(t), true)
			b := f.start(t, externalBus(t), false)
			c := f.start(t, externalBus(t), false)
			nodes := []*node{a, b, c}
			spread(t, nodes...)
			ctx := t.Context()

			// A second tenant led by another node than the first's.
			lead := shardLeader(f.tenant, nodes...)
			if lead == nil {
				t.Fatal("nobody leads the tenant's shard after the spread")
			}
			var other tenant.Tenant
			for i := 0; ; i++ {
				other = storetest.NewTenant(t, f.db, "other"+string(rune('a'+i)))
				if l := shardLeader(other.ID, nodes...); l != nil && l != lead {
					break
				}
				if i > 20 {
					t.Fatal("no tenant of another node's shard among 20")
				}
			}
			// Commands through every node reach both leaders.
			for _, n := range nodes {
				for _, tn := range []string{f.tenant, other.ID} {
					if _, err := n.svc.Stats(ctx, tn); err != nil {
						t.Fatalf("stats of %s through a node: %v", tn, err)
					}
				}
			}
			follower := b
			if lead == b {
				follower = c
			}
			if _, err := follower.svc.SaveQueue(ctx, f.admin, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 600}); err != nil {
				t.Fatal(err)
			}
			f.n = follower
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			conv := f.chat(t, "v1", "one")
			o := f.offerFor(t, follower, ana)
			if o.ConversationID != conv.ID {
				t.Fatalf("offer for %s", o.ConversationID)
			}

			// The leader goes; the others take its shards.
			live := slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == lead })
			if how == "stopped" {
				lead.kill()
				spread(t, live...)
			} else {
				killLeaseSession(t, f, f.tenant)
				spread(t, nodes...)
			}
			if shardLeader(f.tenant, nodes...) == nil {
				t.Fatal("nobody leads the tenant's shard after the hand-over")
			}
			// The offer stands, once, and is accepted through any node.
			if got := f.offers(t, ana); len(got) != 1 || got[0].ID != o.ID {
				t.Fatalf("offers after the hand-over: %+v, want the one offer %s", got, o.ID)
			}
			if err := live[1].svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatal(err)
			}
			if got := f.conversation(t, conv.ID).AssigneeID; got != ana {
				t.Fatalf("assignee %q", got)
			}
			if got, want := f.decisions(t, conv.ID), []string{"offer:" + ana, "assign:" + ana}; !slices.Equal(got, want) {
				t.Fatalf("decisions %v, want %v", got, want)
			}
			// And the new leader routes what comes next.
			conv2 := f.chat(t, "v2", "two")
			o2 := f.offerFor(t, live[0], ana)
			if o2.ConversationID != conv2.ID {
				t.Fatalf("offer after the hand-over is for %s", o2.ConversationID)
			}
		})
	}
}
