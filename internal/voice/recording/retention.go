package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// PurgeEvery is how often the retention job looks for recordings past
// their tenant's retention.
const PurgeEvery = time.Hour

// purgeBatch bounds the recordings one run deletes; the rest wait an hour.
const purgeBatch = 500

// PurgeArgs is the retention job: one, scheduled again after every run.
type PurgeArgs struct{}

// Kind names the job for River.
func (PurgeArgs) Kind() string { return "call_recording_purge" }

// Purger is the retention job's worker: it deletes the audio of
// recordings older than their tenant's retention (the policy of now; the
// default when the tenant has none) and says so on the timeline. Its clock
// decides what is old, so tests move it instead of waiting days.
type Purger struct {
	river.WorkerDefaults[PurgeArgs]
	db    *store.DB
	out   *outbox.Outbox
	clock clock.Clock
	log   *slog.Logger
}

// NewPurger returns the worker; register it with river.AddWorker.
func NewPurger(db *store.DB, out *outbox.Outbox, clk clock.Clock, log *slog.Logger) *Purger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Purger{db: db, out: out, clock: clk, log: log.With("component", "recording")}
}

// Work deletes what is due, then snoozes the job for PurgeEvery: it runs
// for as long as the center does, one job however many nodes there are.
func (p *Purger) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	n, err := p.Purge(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		p.log.Info("call recordings deleted after their retention", "count", n)
	}
	return river.JobSnooze(PurgeEvery)
}

// Purge deletes the audio of every recording past its tenant's retention
// at the clock's now, and returns how many it deleted.
func (p *Purger) Purge(ctx context.Context) (int, error) {
	now := p.clock.Now()
	// Nothing younger than the shortest retention (a day) can be due.
	kept, err := p.db.KeptRecordings(ctx, now.Add(-24*time.Hour), purgeBatch)
	if err != nil {
		return 0, err
	}
	deleted := 0
	for _, k := range kept {
		days := k.PolicyDays
		if days == 0 {
			days = DefaultRetentionDays
		}
		if !Expired(days, k.CreatedAt, now) {
			continue
		}
		meta, _ := json.Marshal(map[string]Meta{"recording": {CallID: k.CallID, AgentID: k.AgentID, Seconds: k.Seconds, Deleted: true}})
		err := p.out.Do(ctx, func(tx *outbox.Tx) error {
			gone, err := tx.DeleteCallRecordingAudio(ctx, k.TenantID, k.CallID, days, now)
			if err != nil || !gone {
				return err
			}
			deleted++
			return inbox.RecordMeta(ctx, tx, p.clock, inbox.Actor{TenantID: k.TenantID}, k.ConversationID, DeletedNote(days), meta)
		})
		if err != nil {
			return deleted, fmt.Errorf("recording: delete call %s's recording: %w", k.CallID, err)
		}
	}
	return deleted, nil
}

// Inserter enqueues jobs: *jobs.Queue.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// SchedulePurge makes sure the retention job exists: the first node to
// start inserts it, the others find it there.
func SchedulePurge(ctx context.Context, q Inserter) error {
	err := q.Insert(ctx, PurgeArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if errors.Is(err, jobs.ErrDuplicate) {
		return nil
	}
	return err
}
