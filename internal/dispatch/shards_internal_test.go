package dispatch

import (
	"fmt"
	"slices"
	"testing"
)

// A tenant's shard is stable (the same on every node and every run), in
// range, and tenants spread over the shards.
func TestShardOf(t *testing.T) {
	// Pinned: a change of the hash would move every tenant at an upgrade
	// while nodes of both versions run.
	if got := ShardOf("tenant-a", 32); got != ShardOf("tenant-a", 32) || got != 27 {
		t.Fatalf("ShardOf(tenant-a, 32) = %d, want 27", got)
	}
	if got := ShardOf("anything", 1); got != 0 {
		t.Fatalf("one shard: %d", got)
	}
	counts := make([]int, 32)
	for i := range 3200 {
		s := ShardOf(fmt.Sprintf("01JTENANT%05d", i), 32)
		if s < 0 || s >= 32 {
			t.Fatalf("shard %d out of range", s)
		}
		counts[s]++
	}
	for s, n := range counts {
		if n < 50 || n > 150 { // 100 expected
			t.Fatalf("shard %d has %d of 3200 tenants: %v", s, n, counts)
		}
	}
}

// The shard leases' keys follow the group's and never meet it.
func TestShardKey(t *testing.T) {
	if shardKey(leaderKey, 0) != leaderKey+1 || shardKey(leaderKey, 31) != leaderKey+32 {
		t.Fatal("shard keys are not the group's successors")
	}
	// 32 bits are used: the key wraps as PostgreSQL's INTEGER does.
	if got := shardKey(0x7fffffff, 0); got != -0x80000000 {
		t.Fatalf("wrapped key %d", got)
	}
}

// TestBalance drives the balancing decision through a cluster's life: a
// first node takes all, a second joins and they split, a third joins, one
// dies and the survivors take its shards; every shard is held by exactly
// one node at every settled step.
func TestBalance(t *testing.T) {
	const n = 32
	held := map[string][]int{} // node → shards
	owner := func(i int) string {
		for node, ss := range held {
			if slices.Contains(ss, i) {
				return node
			}
		}
		return ""
	}
	// settle lets the nodes look in turn until nothing changes, as their
	// tickers would; releases happen before the takes of the same look.
	settle := func(nodes ...string) {
		t.Helper()
		for round := 0; round < 10; round++ {
			changed := false
			for k, node := range nodes {
				p := balance(n, len(nodes), held[node], func(i int) bool { return owner(i) != "" }, k*7)
				for _, i := range p.release {
					held[node] = slices.DeleteFunc(held[node], func(x int) bool { return x == i })
					changed = true
				}
				for _, i := range p.take {
					if owner(i) != "" {
						t.Fatalf("%s was told to take shard %d held by %s", node, i, owner(i))
					}
					held[node] = append(held[node], i)
					changed = true
				}
			}
			if !changed {
				break
			}
		}
		for i := range n {
			if owner(i) == "" {
				t.Fatalf("shard %d is held by nobody after settling %v: %v", i, nodes, held)
			}
		}
		for _, node := range nodes {
			if want := (n + len(nodes) - 1) / len(nodes); len(held[node]) > want || len(held[node]) < n/len(nodes)-1 {
				t.Fatalf("%s holds %d shards of %d among %d nodes: %v", node, len(held[node]), n, len(nodes), held)
			}
		}
	}
	settle("a")
	if len(held["a"]) != n {
		t.Fatalf("the only node holds %d shards", len(held["a"]))
	}
	settle("a", "b")
	if len(held["a"]) != 16 || len(held["b"]) != 16 {
		t.Fatalf("two nodes: %d and %d", len(held["a"]), len(held["b"]))
	}
	settle("a", "b", "c")
	delete(held, "b") // b dies: its leases are freed
	settle("a", "c")
	if len(held["a"])+len(held["c"]) != n {
		t.Fatalf("after b died: %v", held)
	}
}

// A node over its share hands over its highest shards and takes nothing; a
// node at its share does nothing.
func TestBalanceDecision(t *testing.T) {
	none := func(int) bool { return false }
	all := func(int) bool { return true }
	p := balance(8, 2, []int{0, 1, 2, 3, 4, 5, 6, 7}, all, 0)
	if !slices.Equal(p.release, []int{4, 5, 6, 7}) || len(p.take) != 0 {
		t.Fatalf("over its share: %+v", p)
	}
	if p := balance(8, 2, []int{0, 1, 2, 3}, none, 0); len(p.release) != 0 || len(p.take) != 0 {
		t.Fatalf("at its share: %+v", p)
	}
	if p := balance(8, 2, nil, func(i int) bool { return i < 4 }, 6); !slices.Equal(p.take, []int{6, 7, 4, 5}) {
		t.Fatalf("free shards from 6: %+v", p)
	}
	if p := balance(8, 0, nil, none, 0); len(p.take) != 8 {
		t.Fatalf("a node that counts no members counts itself: %+v", p)
	}
}
