package rollup

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// BatchSize is how many events one transaction folds.
const BatchSize = 500

// sweepEvery is how often the runner looks for tenants behind, in case it
// missed a bus message (every node folds; the cursor keeps them apart).
const sweepEvery = 10 * time.Second

// Events is where the runner hears that a tenant has new events (the bus).
type Events interface {
	SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error)
}

// Runner keeps the rollups in step with the events table.
type Runner struct {
	// Batch is how many events one transaction folds (BatchSize unless set).
	Batch int
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
}

// NewRunner returns a runner over db.
func NewRunner(db *store.DB, clk clock.Clock, log *slog.Logger) *Runner {
	return &Runner{Batch: BatchSize, db: db, clock: clk, log: log}
}

// Run folds every tenant's new events as they are published, until ctx ends.
func (r *Runner) Run(ctx context.Context, events Events) error {
	var mu sync.Mutex
	pending := map[string]bool{}
	wake := make(chan struct{}, 1)
	unsubscribe, err := events.SubscribeEvents(func(ev event.Event) {
		if ev.Seq == 0 || ev.TenantID == "" {
			return // ephemeral: never stored
		}
		mu.Lock()
		pending[ev.TenantID] = true
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return fmt.Errorf("rollups: subscribe: %w", err)
	}
	defer unsubscribe()
	sweep := time.NewTicker(sweepEvery)
	defer sweep.Stop()
	tenants, err := r.db.RollupTenantsBehind(ctx)
	if err != nil {
		r.log.Warn("rollups: find tenants behind", "err", err)
	}
	for {
		mu.Lock()
		for t := range pending {
			tenants = append(tenants, t)
		}
		clear(pending)
		mu.Unlock()
		for _, t := range slices.Compact(slices.Sorted(slices.Values(tenants))) {
			if _, err := r.CatchUp(ctx, t, nil); err != nil && ctx.Err() == nil {
				r.log.Warn("rollups: fold events", "tenant_id", t, "err", err)
			}
		}
		tenants = nil
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-sweep.C:
			if tenants, err = r.db.RollupTenantsBehind(ctx); err != nil {
				r.log.Warn("rollups: find tenants behind", "err", err)
			}
		}
	}
}

// Progress is told, after each batch, how many events were folded so far
// and how many there were to fold when the work began (more may arrive).
type Progress func(done, total int64)

// CatchUp folds the tenant's events after its cursor, a batch per
// transaction, until none is left, and returns how many it folded. A batch
// another node folded first is not folded again. progress may be nil.
func (r *Runner) CatchUp(ctx context.Context, tenantID string, progress Progress) (int, error) {
	var total int64
	if progress != nil {
		cursor, err := r.db.RollupCursor(ctx, tenantID)
		if err != nil {
			return 0, err
		}
		if total, err = r.db.CountEventsAfter(ctx, tenantID, cursor); err != nil {
			return 0, err
		}
	}
	folded := 0
	for {
		n, err := r.batch(ctx, tenantID)
		if errors.Is(err, store.ErrConflict) {
			continue // another node moved the cursor: carry on from where it is
		}
		if err != nil {
			return folded, err
		}
		folded += n
		if progress != nil && n > 0 {
			progress(int64(folded), max(total, int64(folded)))
		}
		if n < r.Batch {
			return folded, nil
		}
	}
}

// batch folds up to r.Batch events after the cursor in one transaction.
func (r *Runner) batch(ctx context.Context, tenantID string) (int, error) {
	cursor, err := r.db.RollupCursor(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	evs, err := r.db.EventsSince(ctx, tenantID, cursor, r.Batch)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	last := evs[len(evs)-1].Seq
	err = r.db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		if err := s.AdvanceRollupCursor(ctx, tenantID, cursor, last, r.clock.Now()); err != nil {
			return err
		}
		return Fold(ctx, s, tenantID, evs)
	})
	if err != nil {
		return 0, fmt.Errorf("fold events %d–%d: %w", cursor+1, last, err)
	}
	return len(evs), nil
}

// Fold applies events to the tenant's rollups through s (a transaction):
// it loads the state they touch, folds them and writes what changed.
func Fold(ctx context.Context, s *store.Store, tenantID string, evs []event.Event) error {
	f := NewFolder()
	var convIDs, agentIDs []string
	for _, ev := range evs {
		c, a := Refs(ev)
		if c != "" {
			convIDs = append(convIDs, c)
		}
		if a != "" {
			agentIDs = append(agentIDs, a)
		}
	}
	convIDs = slices.Compact(slices.Sorted(slices.Values(convIDs)))
	agentIDs = slices.Compact(slices.Sorted(slices.Values(agentIDs)))
	convs, err := s.RollupConvStates(ctx, tenantID, convIDs)
	if err != nil {
		return err
	}
	for id, st := range convs {
		var c Conv
		if err := json.Unmarshal([]byte(st), &c); err != nil {
			return fmt.Errorf("rollup state of conversation %s: %w", id, err)
		}
		f.Convs[id] = &c
	}
	agents, err := s.RollupAgentStates(ctx, tenantID, agentIDs)
	if err != nil {
		return err
	}
	for id, st := range agents {
		var a Agent
		if err := json.Unmarshal([]byte(st), &a); err != nil {
			return fmt.Errorf("rollup state of agent %s: %w", id, err)
		}
		f.Agents[id] = &a
	}
	for _, ev := range evs {
		f.Apply(ev)
	}
	return Write(ctx, s, tenantID, f)
}

// Write persists a folder's deltas and changed state through s (a
// transaction): the counters added, the histograms merged, the states put.
func Write(ctx context.Context, s *store.Store, tenantID string, f *Folder) error {
	counters := make([]store.RollupCounter, 0, len(f.Counters))
	for _, k := range slices.SortedFunc(maps.Keys(f.Counters), compareKeys) {
		v := f.Counters[k]
		if v.N == 0 && v.Total == 0 {
			continue
		}
		counters = append(counters, store.RollupCounter{RollupCell: cell(k), N: v.N, Total: v.Total})
	}
	if err := s.AddRollupCounters(ctx, tenantID, counters); err != nil {
		return err
	}
	hists := make([]store.RollupHist, 0, len(f.Hists))
	for _, k := range slices.SortedFunc(maps.Keys(f.Hists), compareKeys) {
		hists = append(hists, store.RollupHist{RollupCell: cell(k), Buckets: f.Hists[k].String()})
	}
	if err := s.MergeRollupHists(ctx, tenantID, hists, MergeText); err != nil {
		return err
	}
	convs := make([]store.RollupConv, 0, len(f.DirtyConvs))
	for _, id := range slices.Sorted(maps.Keys(f.DirtyConvs)) {
		c := f.Convs[id]
		st, err := json.Marshal(c)
		if err != nil {
			return err
		}
		convs = append(convs, store.RollupConv{ConversationID: id, CreatedAt: c.Created, Channel: c.Channel, QueueID: c.QueueID,
			AgentID: c.AgentID, Team: c.Team, Tags: c.Tags, State: string(st)})
	}
	if err := s.PutRollupConvs(ctx, tenantID, convs); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(f.DirtyAgents)) {
		st, err := json.Marshal(f.Agents[id])
		if err != nil {
			return err
		}
		if err := s.PutRollupAgent(ctx, tenantID, id, string(st)); err != nil {
			return err
		}
	}
	return nil
}

func cell(k Key) store.RollupCell {
	return store.RollupCell{Grain: k.Grain, Hour: k.Hour, Dim: k.Dim, Val: k.Val, Metric: k.Metric, Sub: k.Sub}
}

// compareKeys orders cells so that concurrent writers lock rows in one order.
func compareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Val, b.Val), cmp.Compare(a.Grain, b.Grain), cmp.Compare(a.Hour, b.Hour),
		cmp.Compare(a.Metric, b.Metric), cmp.Compare(a.Sub, b.Sub))
}

// Rebuild recomputes the tenant's rollups from its events: it deletes them,
// then folds every event still kept (the retention job may have pruned older
// ones: see EventHorizon), telling progress as it goes.
func (r *Runner) Rebuild(ctx context.Context, tenantID string, progress Progress) (int, error) {
	if err := r.db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ResetRollups(ctx, tenantID) }); err != nil {
		return 0, err
	}
	return r.CatchUp(ctx, tenantID, progress)
}
