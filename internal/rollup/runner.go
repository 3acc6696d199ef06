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

// MaxBatchSize is how many a transaction folds when the runner is behind: a
// batch's figures land in fewer cells per event the more events it holds,
// and a rebuild commits less often.
const MaxBatchSize = 4000

// WriterShare is the largest share of the time the runner takes while
// ingest is busy (events were written during a batch): after such a batch
// took d, the next waits until d×(1−share)/share has passed. On SQLite every
// inbound message commits through the one writer, and on a small machine the
// fold's reading and folding compete with ingest for the processor as much
// as for the writer; ingest comes first, and the rollups catch up after a
// burst (ADR 0051, 2026-12-07).
const WriterShare = 0.1

// sweepEvery is how often the runner looks for tenants behind, in case it
// missed a bus message (every node folds; the cursor keeps them apart).
const sweepEvery = 10 * time.Second

// Events is where the runner hears that a tenant has new events (the bus).
type Events interface {
	SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error)
}

// Runner keeps the rollups in step with the events table.
type Runner struct {
	// Batch is how many events one transaction folds (BatchSize unless
	// set); while every batch comes back full the next one doubles, up to
	// MaxBatch (MaxBatchSize unless set; never below Batch).
	Batch, MaxBatch int
	// Share is the largest share of the time it takes while ingest is
	// busy (WriterShare unless set; 0 or 1: no limit).
	Share float64
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	pace  pacer
}

// NewRunner returns a runner over db.
func NewRunner(db *store.DB, clk clock.Clock, log *slog.Logger) *Runner {
	return &Runner{Batch: BatchSize, MaxBatch: MaxBatchSize, Share: WriterShare, db: db, clock: clk, log: log}
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
	folded, size := 0, r.Batch
	for {
		n, err := r.batch(ctx, tenantID, size)
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
		if n < size {
			return folded, nil
		}
		size = max(r.Batch, min(2*size, r.MaxBatch))
	}
}

// batch folds up to size events after the cursor in one transaction. The
// fold runs before the transaction, on the state read at the cursor; the
// transaction only moves the cursor from there (a compare-and-set: if
// another node folded first, that is ErrConflict and nothing is written)
// and writes what changed. So the writer — on SQLite the only one, shared
// with every inbound message — is held for the writes alone.
func (r *Runner) batch(ctx context.Context, tenantID string, size int) (int, error) {
	if err := r.pace.wait(ctx); err != nil {
		return 0, err
	}
	began := time.Now()
	written, err := r.db.EventsWritten(ctx)
	if err != nil {
		return 0, err
	}
	n, err := r.fold(ctx, tenantID, size)
	if n > 0 {
		// Ingest is busy if events were written meanwhile (by any tenant):
		// then the next batch waits its turn. Alone, the runner goes at
		// full speed.
		if now, _ := r.db.EventsWritten(ctx); now > written {
			r.pace.held(time.Since(began), r.Share)
		}
	}
	return n, err
}

func (r *Runner) fold(ctx context.Context, tenantID string, size int) (int, error) {
	from, err := r.db.RollupCursorAt(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	cursor := from.Seq
	evs, err := r.db.EventsSince(ctx, tenantID, cursor, size)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	last := evs[len(evs)-1].Seq
	ch, err := Fold(ctx, &r.db.Store, tenantID, evs)
	if err != nil {
		return 0, fmt.Errorf("fold events %d–%d: %w", cursor+1, last, err)
	}
	err = r.db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		if err := s.AdvanceRollupCursor(ctx, tenantID, from, last, r.clock.Now()); err != nil {
			return err
		}
		if err := s.RollupCommitLazily(ctx); err != nil {
			return err
		}
		return ch.Write(ctx, s, tenantID)
	})
	if err != nil {
		return 0, fmt.Errorf("fold events %d–%d: %w", cursor+1, last, err)
	}
	return len(evs), nil
}

// pacer keeps the runner to its share of the time while ingest is busy. It
// measures real time, not the injected clock: it meters resources (the
// writer, the processor) and decides no figure.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// held notes a batch that took d while ingest was busy.
func (p *pacer) held(d time.Duration, share float64) {
	if share <= 0 || share >= 1 {
		return
	}
	p.mu.Lock()
	p.next = time.Now().Add(time.Duration(float64(d) * (1 - share) / share))
	p.mu.Unlock()
}

// wait returns when the next batch may begin.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	d := time.Until(p.next)
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// State is where a fold reads the rollups it adds to: the states of the
// conversations and agents its events name, and the histograms they touch.
// *store.Store is one; the runner reads through the pool, before its
// transaction.
type State interface {
	RollupConvStates(ctx context.Context, tenantID string, ids []string) (map[string]string, error)
	RollupAgentStates(ctx context.Context, tenantID string, ids []string) (map[string]string, error)
	RollupHistCells(ctx context.Context, tenantID string, cells []store.RollupCell) (map[store.RollupCell]string, error)
}

// Changes is a folded batch ready to write: the counters to add, the
// histograms already merged with the stored ones, and the states to put.
type Changes struct {
	Counters []store.RollupCounter
	Hists    []store.RollupHist
	Convs    []store.RollupConv
	Agents   []store.RollupAgent
}

// Fold applies events to the tenant's rollups as st holds them: it loads
// the state they touch, folds them and returns what changed.
func Fold(ctx context.Context, st State, tenantID string, evs []event.Event) (*Changes, error) {
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
	convs, err := st.RollupConvStates(ctx, tenantID, convIDs)
	if err != nil {
		return nil, err
	}
	for id, st := range convs {
		var c Conv
		if err := json.Unmarshal([]byte(st), &c); err != nil {
			return nil, fmt.Errorf("rollup state of conversation %s: %w", id, err)
		}
		f.Convs[id] = &c
	}
	agents, err := st.RollupAgentStates(ctx, tenantID, agentIDs)
	if err != nil {
		return nil, err
	}
	for id, st := range agents {
		var a Agent
		if err := json.Unmarshal([]byte(st), &a); err != nil {
			return nil, fmt.Errorf("rollup state of agent %s: %w", id, err)
		}
		f.Agents[id] = &a
	}
	for _, ev := range evs {
		f.Apply(ev)
	}
	return Diff(ctx, st, tenantID, f)
}

// Diff turns a folder's deltas and changed state into Changes, merging its
// histograms with those st holds.
func Diff(ctx context.Context, st State, tenantID string, f *Folder) (*Changes, error) {
	ch := &Changes{Counters: make([]store.RollupCounter, 0, len(f.Counters))}
	for _, k := range slices.SortedFunc(maps.Keys(f.Counters), compareKeys) {
		v := f.Counters[k]
		if v.N == 0 && v.Total == 0 {
			continue
		}
		ch.Counters = append(ch.Counters, store.RollupCounter{RollupCell: cell(k), N: v.N, Total: v.Total})
	}
	keys := slices.SortedFunc(maps.Keys(f.Hists), compareKeys)
	cells := make([]store.RollupCell, len(keys))
	for i, k := range keys {
		cells[i] = cell(k)
	}
	old, err := st.RollupHistCells(ctx, tenantID, cells)
	if err != nil {
		return nil, err
	}
	ch.Hists = make([]store.RollupHist, len(keys))
	for i, k := range keys {
		h := f.Hists[k]
		if b, ok := old[cells[i]]; ok {
			h = Hist{}
			if err := ParseHist(b, h); err != nil {
				return nil, fmt.Errorf("rollup histogram %s: %w", k.Metric, err)
			}
			h.Merge(f.Hists[k])
		}
		ch.Hists[i] = store.RollupHist{RollupCell: cells[i], Buckets: h.String()}
	}
	for _, id := range slices.Sorted(maps.Keys(f.DirtyConvs)) {
		c := f.Convs[id]
		st, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		ch.Convs = append(ch.Convs, store.RollupConv{ConversationID: id, CreatedAt: c.Created, Channel: c.Channel, QueueID: c.QueueID,
			AgentID: c.AgentID, Team: c.Team, Tags: c.Tags, State: string(st)})
	}
	for _, id := range slices.Sorted(maps.Keys(f.DirtyAgents)) {
		st, err := json.Marshal(f.Agents[id])
		if err != nil {
			return nil, err
		}
		ch.Agents = append(ch.Agents, store.RollupAgent{UserID: id, State: string(st)})
	}
	return ch, nil
}

// Write persists the changes through s (a transaction whose cursor
// compare-and-set vouches that the state they were folded from is current).
func (ch *Changes) Write(ctx context.Context, s *store.Store, tenantID string) error {
	if err := s.AddRollupCounters(ctx, tenantID, ch.Counters); err != nil {
		return err
	}
	if err := s.PutRollupHists(ctx, tenantID, ch.Hists); err != nil {
		return err
	}
	if err := s.PutRollupConvs(ctx, tenantID, ch.Convs); err != nil {
		return err
	}
	return s.PutRollupAgents(ctx, tenantID, ch.Agents)
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
