package dispatch

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Routing is split into shards (ADR 0063): a tenant belongs to one shard, a
// stable hash of its id, and each shard is led by one node at a time, the
// holder of the shard's lease (a PostgreSQL advisory lock on the node's
// lease session, store.Leases). Every LeadEvery each node looks at the
// leases: it counts the live nodes (the members of the lease group), aims
// at an equal share of the shards, takes free shards while it has fewer
// and hands over its extras while it has more. A node that dies frees all
// its leases at once, and the others take its shards at their next look.

// ShardOf is the routing shard of a tenant among shards: FNV-1a of its id.
// Every node of a center must count the same number of shards.
func ShardOf(tenantID string, shards int) int {
	if shards <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(tenantID))
	return int(h.Sum32() % uint32(shards))
}

// shardKey is the lease key of shard i: the keys after the group's own.
func shardKey(group int64, i int) int64 { return int64(int32(group) + 1 + int32(i)) }

// plan is what one look at the leases decides: shards to try to take and
// shards to hand over.
type plan struct {
	take, release []int
}

// balance decides a node's plan, given the number of shards, the live
// members (this node included), the shards this node holds and which are
// held by anyone. Each member aims at ceil(shards/members): the targets add
// up to at least every shard, so a free shard always has a taker. Free
// shards are tried from from on (each node starts elsewhere, so nodes
// looking at once do not all race for the same shard); the extras handed
// over are the highest-numbered.
func balance(shards, members int, mine []int, taken func(int) bool, from int) plan {
	members = max(members, 1)
	target := (shards + members - 1) / members
	var p plan
	if len(mine) > target {
		held := slices.Sorted(slices.Values(mine))
		p.release = held[target:]
		return p
	}
	want := target - len(mine)
	for k := 0; k < shards && len(p.take) < want; k++ {
		i := (from + k) % shards
		if !taken(i) && !slices.Contains(mine, i) {
			p.take = append(p.take, i)
		}
	}
	return p
}

// shardRun is one shard this node holds: its leader, from the rebuild on.
type shardRun struct {
	l     *leader
	ready bool          // rebuilt and routing (under Service.mu)
	quit  chan struct{} // closed to hand the shard over
	done  chan struct{} // closed once the leader stopped and the lease is released
}

// Run leads shards of routing until ctx ends: every LeadEvery it looks at
// the leases (balance) and starts or stops shard leaders, each of which
// rebuilds its tenants' engines from SQL and routes them. It returns nil
// when ctx ends, after every shard it held was handed over.
func (s *Service) Run(ctx context.Context) error {
	unsub, err := s.subscribeEvents(ctx)
	if err != nil {
		return err
	}
	defer unsub()
	from := rand.IntN(s.cfg.Shards)
	var leases *store.Leases
	t := time.NewTicker(s.cfg.LeadEvery)
	defer t.Stop()
	for {
		leases = s.look(ctx, leases, from)
		select {
		case <-ctx.Done():
			s.stopShards(s.ledShards())
			if leases != nil {
				leases.Close()
			}
			return nil
		case <-t.C:
		}
	}
}

// subscribeEvents feeds the bus's events to the leaders of their tenants'
// shards, trying until the bus takes the subscription or ctx ends.
func (s *Service) subscribeEvents(ctx context.Context) (func(), error) {
	for {
		unsub, err := s.bus.SubscribeEvents(s.route)
		if err == nil {
			return func() { _ = unsub() }, nil
		}
		s.log.Warn("subscribe routing to events", "err", err)
		select {
		case <-ctx.Done():
			return func() {}, nil
		case <-time.After(s.cfg.LeadEvery):
		}
	}
}

// route hands an event to the leader of its tenant's shard, if this node
// holds it (from before its rebuild, so nothing between is missed).
func (s *Service) route(ev event.Event) {
	if !relevant(ev.Type) {
		return
	}
	s.mu.Lock()
	r := s.shards[ShardOf(ev.TenantID, s.cfg.Shards)]
	s.mu.Unlock()
	if r != nil {
		r.l.push(ev)
	}
}

// look is one look at the leases: it opens the lease session if there is
// none, surveys the group, hands over extras and takes free shards. It
// returns the session to use next time (nil when it is gone).
func (s *Service) look(ctx context.Context, leases *store.Leases, from int) *store.Leases {
	if ctx.Err() != nil {
		return leases
	}
	if leases == nil {
		l, ok, err := s.db.OpenLeases(ctx, s.cfg.LeaderKey)
		switch {
		case err != nil:
			s.log.Warn("open the routing lease session", "err", err)
			return nil
		case !ok:
			s.log.Warn("another node leads all routing under the old single lock; waiting for it to stop")
			return nil
		}
		leases = l
	}
	sv, err := leases.Survey(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("routing lease session lost; handing over every shard", "err", err)
		}
		s.stopShards(s.ledShards())
		leases.Close()
		s.mu.Lock()
		s.settled = false
		s.mu.Unlock()
		return nil
	}
	mine := s.ledShards()
	p := balance(s.cfg.Shards, sv.Members, mine, func(i int) bool { return sv.Taken[shardKey(s.cfg.LeaderKey, i)] }, from)
	s.mu.Lock()
	s.settled = len(p.take) == 0 && len(p.release) == 0
	s.mu.Unlock()
	if len(p.release) > 0 {
		s.log.Info("handing routing shards over", "shards", p.release, "members", sv.Members)
		s.stopShards(p.release)
	}
	var took []int
	for _, i := range p.take {
		if s.holds(i) {
			continue // still handing it over to itself: taken again next look
		}
		ok, err := leases.TryTake(ctx, shardKey(s.cfg.LeaderKey, i))
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("take a routing shard", "shard", i, "err", err)
			}
			break
		}
		if ok {
			took = append(took, i)
			s.startShard(ctx, leases, i)
		}
	}
	if len(took) > 0 {
		s.log.Info("took routing shards", "shards", took, "members", sv.Members)
	}
	return leases
}

// startShard registers shard i (so its events are buffered from now) and
// starts its leader.
func (s *Service) startShard(ctx context.Context, leases *store.Leases, i int) {
	r := &shardRun{l: newLeader(s, i), quit: make(chan struct{}), done: make(chan struct{})}
	r.l.quit = r.quit
	r.l.held = leases.Alive
	floor, err := s.db.LatestSeq(ctx)
	if err != nil {
		s.log.Warn("read the last event seq; the shard's events are read from its rebuild on", "shard", i, "err", err)
		floor = -1 // rebuild then takes each tenant's latest
	}
	r.l.floor = floor
	s.mu.Lock()
	s.shards[i] = r
	s.mu.Unlock()
	go func() {
		defer close(r.done)
		err := s.lead(ctx, r)
		s.mu.Lock()
		delete(s.shards, i)
		s.mu.Unlock()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		if rerr := leases.Release(rctx, shardKey(s.cfg.LeaderKey, i)); rerr != nil {
			s.log.Warn("release a routing shard", "shard", i, "err", rerr)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("routing shard leader stopped", "shard", i, "err", err)
		case ctx.Err() == nil:
			s.log.Debug("routing shard handed over", "shard", i)
		}
	}()
}

// stopShards hands the shards over: each leader finishes what it is doing,
// writes its SLA clocks, stops taking commands and gives its lease up.
func (s *Service) stopShards(shards []int) {
	var runs []*shardRun
	s.mu.Lock()
	for _, i := range shards {
		if r := s.shards[i]; r != nil {
			runs = append(runs, r)
		}
	}
	s.mu.Unlock()
	for _, r := range runs {
		select {
		case <-r.quit:
		default:
			close(r.quit)
		}
	}
	for _, r := range runs {
		<-r.done
	}
}

// holds tells whether shard i is registered here (leading or stopping).
func (s *Service) holds(i int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shards[i] != nil
}

// ledShards lists the shards this node holds, rebuilt or not, in order.
func (s *Service) ledShards() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, 0, len(s.shards))
	for i := range s.shards {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// Shards lists the routing shards this node leads and has rebuilt, in
// order.
func (s *Service) Shards() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for i, r := range s.shards {
		if r.ready {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// Leading tells whether this node routes its share right now: it holds at
// least one shard, has rebuilt every shard it holds, and its last look at
// the leases found nothing to take or hand over. A single node (SQLite, or
// the only node on PostgreSQL) leads once it routes every shard.
func (s *Service) Leading() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.shards) == 0 || !s.settled {
		return false
	}
	for _, r := range s.shards {
		if !r.ready {
			return false
		}
	}
	return true
}

// Leads tells whether this node routes the tenant right now: it leads the
// tenant's shard and has rebuilt it.
func (s *Service) Leads(tenantID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.shards[ShardOf(tenantID, s.cfg.Shards)]
	return r != nil && r.ready
}

func (s *Service) setReady(r *shardRun) {
	s.mu.Lock()
	r.ready = true
	s.mu.Unlock()
}
