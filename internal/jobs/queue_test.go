package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// echoArgs is a test job: it fails its first FailTimes attempts, then succeeds.
type echoArgs struct {
	N         int `json:"n"`
	FailTimes int `json:"fail_times"`
}

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	runs chan *river.Job[echoArgs]
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	w.runs <- job
	if job.Attempt <= job.Args.FailTimes {
		return errors.New("planned failure")
	}
	return nil
}

// blockArgs is a test job that runs until released or cancelled.
type blockArgs struct{}

func (blockArgs) Kind() string { return "test_block" }

type blockWorker struct {
	river.WorkerDefaults[blockArgs]
	started chan struct{}
	release chan struct{}
}

func (w *blockWorker) Work(ctx context.Context, job *river.Job[blockArgs]) error {
	w.started <- struct{}{}
	select {
	case <-w.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type harness struct {
	db     *store.DB
	q      *jobs.Queue
	runs   chan *river.Job[echoArgs]
	block  *blockWorker
	events <-chan *river.Event
}

// newHarness opens a migrated database, builds a queue with the test workers and
// subscribes to job outcomes. It does not start the queue.
func newHarness(t *testing.T, open func(testing.TB) *store.DB, cfg jobs.Config) *harness {
	t.Helper()
	db := open(t)
	if err := jobs.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate river: %v", err)
	}
	h := &harness{db: db, runs: make(chan *river.Job[echoArgs], 100),
		block: &blockWorker{started: make(chan struct{}, 10), release: make(chan struct{})}}
	workers := river.NewWorkers()
	river.AddWorker(workers, &echoWorker{runs: h.runs})
	river.AddWorker(workers, h.block)
	cfg.Workers = workers
	cfg.PollInterval = 50 * time.Millisecond
	if cfg.Retry.Base == 0 {
		cfg.Retry = jobs.RetryPolicy{Base: 20 * time.Millisecond, Max: time.Second}
	}
	q, err := jobs.New(db, cfg)
	if err != nil {
		t.Fatalf("new queue: %v", err)
	}
	h.q = q
	events, cancel := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	t.Cleanup(cancel)
	h.events = events
	return h
}

func (h *harness) start(t *testing.T) {
	t.Helper()
	if err := h.q.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
}

// finished waits for the next job to reach a final state (completed, discarded,
// cancelled) and returns it; retries in between are skipped.
func (h *harness) finished(t *testing.T) *rivertype.JobRow {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-h.events:
			if ev.Job.State == rivertype.JobStateRetryable || ev.Job.State == rivertype.JobStateAvailable {
				continue
			}
			return ev.Job
		case <-timeout:
			t.Fatal("no job finished within 30s")
		}
	}
}

func (h *harness) count(t *testing.T, kind string) int {
	t.Helper()
	var n int
	if err := h.db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	return n
}

func forEachEngine(t *testing.T, fn func(t *testing.T, open func(testing.TB) *store.DB)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.Open)
		})
	}
}

var errRollback = errors.New("roll back on purpose")

func TestInsertTxCommitsWithTheTransaction(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		h := newHarness(t, open, jobs.Config{})
		h.start(t)
		ctx := context.Background()
		err := h.db.InTx(ctx, func(s *store.Store, tx *sql.Tx) error {
			if err := h.q.InsertTx(ctx, tx, echoArgs{N: 1}, nil); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InTx = %v, want the rollback error", err)
		}
		err = h.db.InTx(ctx, func(s *store.Store, tx *sql.Tx) error {
			return h.q.InsertTx(ctx, tx, echoArgs{N: 2}, nil)
		})
		if err != nil {
			t.Fatalf("committed insert: %v", err)
		}
		if job := h.finished(t); job.State != rivertype.JobStateCompleted {
			t.Fatalf("committed job ended %s, want completed", job.State)
		}
		if got := (<-h.runs).Args.N; got != 2 {
			t.Fatalf("first job run was n=%d, want the committed n=2", got)
		}
		select {
		case job := <-h.runs:
			t.Fatalf("a second job ran: n=%d", job.Args.N)
		default:
		}
		if n := h.count(t, "test_echo"); n != 1 {
			t.Fatalf("river_job holds %d echo jobs, want 1 (the rolled-back one must not exist)", n)
		}
	})
}

func TestRetriesBackOff(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		policy := jobs.RetryPolicy{Base: 200 * time.Millisecond, Max: time.Second}
		h := newHarness(t, open, jobs.Config{Retry: policy})
		h.start(t)
		if err := h.q.Insert(context.Background(), echoArgs{FailTimes: 2}, nil); err != nil {
			t.Fatalf("insert: %v", err)
		}
		if job := h.finished(t); job.State != rivertype.JobStateCompleted || job.Attempt != 3 {
			t.Fatalf("job ended %s after %d attempts, want completed after 3", job.State, job.Attempt)
		}
		var runs []*river.Job[echoArgs]
		for range 3 {
			runs = append(runs, <-h.runs)
		}
		// SQLite keeps River's times to the millisecond.
		const slack = 2 * time.Millisecond
		for i := 1; i < len(runs); i++ {
			job := runs[i]
			prev := job.Errors[i-1] // At is when the failed attempt started
			wait := policy.Delay(job.ID, i)
			if job.ScheduledAt.Before(prev.At.Add(wait - slack)) {
				t.Errorf("retry %d scheduled %s after the failed attempt, want at least %s",
					i, job.ScheduledAt.Sub(prev.At), wait)
			}
			if job.AttemptedAt.Before(job.ScheduledAt.Add(-slack)) {
				t.Errorf("retry %d ran at %s, before its scheduled %s", i, job.AttemptedAt, job.ScheduledAt)
			}
		}
	})
}

func TestScheduledJobWaits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		h := newHarness(t, open, jobs.Config{})
		h.start(t)
		at := time.Now().Add(time.Second)
		if err := h.q.Insert(context.Background(), echoArgs{N: 7}, &river.InsertOpts{ScheduledAt: at}); err != nil {
			t.Fatalf("insert: %v", err)
		}
		job := <-h.runs
		if now := time.Now(); now.Before(at) {
			t.Fatalf("scheduled job ran %s early", at.Sub(now))
		}
		if job.Args.N != 7 {
			t.Fatalf("ran n=%d, want 7", job.Args.N)
		}
	})
}

func TestUniqueInsertSkipsDuplicates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		h := newHarness(t, open, jobs.Config{})
		ctx := context.Background()
		opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
		if err := h.q.Insert(ctx, echoArgs{N: 1}, opts); err != nil {
			t.Fatalf("first insert: %v", err)
		}
		if err := h.q.Insert(ctx, echoArgs{N: 1}, opts); !errors.Is(err, jobs.ErrDuplicate) {
			t.Fatalf("second insert = %v, want ErrDuplicate", err)
		}
		if err := h.q.Insert(ctx, echoArgs{N: 2}, opts); err != nil {
			t.Fatalf("insert with other args: %v", err)
		}
		if n := h.count(t, "test_echo"); n != 2 {
			t.Fatalf("river_job holds %d echo jobs, want 2", n)
		}
	})
}

func TestStopLetsRunningJobsFinish(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		h := newHarness(t, open, jobs.Config{})
		if err := h.q.Start(context.Background()); err != nil {
			t.Fatalf("start: %v", err)
		}
		if err := h.q.Insert(context.Background(), blockArgs{}, nil); err != nil {
			t.Fatalf("insert: %v", err)
		}
		<-h.block.started
		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			stopped <- h.q.Stop(ctx)
		}()
		close(h.block.release)
		if err := <-stopped; err != nil {
			t.Fatalf("stop: %v", err)
		}
		if state := jobState(t, h.db, "test_block"); state != "completed" {
			t.Fatalf("job state after graceful stop = %s, want completed", state)
		}
	})
}

func TestStopHandsBackJobsAtDeadline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		h := newHarness(t, open, jobs.Config{})
		if err := h.q.Start(context.Background()); err != nil {
			t.Fatalf("start: %v", err)
		}
		if err := h.q.Insert(context.Background(), blockArgs{}, nil); err != nil {
			t.Fatalf("insert: %v", err)
		}
		<-h.block.started
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if err := h.q.Stop(ctx); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if state := jobState(t, h.db, "test_block"); state != "available" {
			t.Fatalf("job state after stop at deadline = %s, want available (handed back)", state)
		}
	})
}

func jobState(t *testing.T, db *store.DB, kind string) string {
	t.Helper()
	var state string
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT state FROM river_job WHERE kind = $1`, kind).Scan(&state); err != nil {
		t.Fatalf("job state: %v", err)
	}
	return state
}
