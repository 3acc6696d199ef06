// Package jobs runs Switchboard's durable background work — webhook deliveries,
// outbound messages, timers — on River (github.com/riverqueue/river), in the same
// database as everything else. A job enqueued with InsertTx commits or rolls back
// with the transaction that asked for it, so work is never lost and never invented;
// a job whose process died is put back by River's rescuer and runs again.
//
// The engine decides the driver: riversqlite for SQLite, riverdatabasesql (over
// the pgx database/sql driver) for PostgreSQL; both use the store's write pool.
// See docs/adr/0002-durable-jobs-river.md for why River and what to watch for.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// ErrDuplicate is returned by Insert and InsertTx when the job carries UniqueOpts
// and an equal job is already queued or running, so nothing was inserted.
var ErrDuplicate = errors.New("an equal unique job already exists")

// Defaults for a zero Config.
const (
	DefaultJobTimeout           = 30 * time.Second
	DefaultRescueStuckJobsAfter = time.Minute
	DefaultPollInterval         = time.Second
)

// handBackTimeout bounds how long Stop waits, after its own deadline, for
// cancelled jobs to return and be recorded as interrupted.
const handBackTimeout = 5 * time.Second

// Config tunes a Queue. Zero fields take the defaults above.
type Config struct {
	// Workers holds every worker this process runs; required to Start.
	Workers *river.Workers
	// Logger receives River's own logs; nil discards them.
	Logger *slog.Logger
	// MaxWorkers bounds the jobs run at once by this process (default 10 on
	// SQLite, where writes queue for one connection anyway, 50 on PostgreSQL).
	MaxWorkers int
	// JobTimeout cancels a job's context when it runs longer.
	JobTimeout time.Duration
	// RescueStuckJobsAfter is how long a job may stay "running" before River's
	// rescuer decides its process died and schedules it again. It must not be
	// below JobTimeout, or live jobs would be run twice.
	RescueStuckJobsAfter time.Duration
	// PollInterval is how often to look for jobs when no notification came
	// (always, on PostgreSQL through database/sql, which cannot LISTEN).
	PollInterval time.Duration
	// Retry spaces out retries; the zero value means DefaultRetryPolicy.
	Retry RetryPolicy
}

// Queue is a River client bound to the store's database.
type Queue struct {
	client *river.Client[*sql.Tx]
	retry  RetryPolicy
}

// New builds a queue on db. It does not start working jobs; call Start.
// River's tables must exist: run Migrate first.
func New(db *store.DB, cfg Config) (*Queue, error) {
	driver, err := driverFor(db)
	if err != nil {
		return nil, err
	}
	retry := cfg.Retry
	if retry.Base <= 0 || retry.Max <= 0 {
		retry = DefaultRetryPolicy()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	maxWorkers := cfg.MaxWorkers
	if maxWorkers <= 0 {
		maxWorkers = 50
		if db.Engine() == store.SQLite {
			maxWorkers = 10
		}
	}
	poll := cmp.Or(cfg.PollInterval, DefaultPollInterval)
	jobTimeout := cmp.Or(cfg.JobTimeout, DefaultJobTimeout)
	rescueAfter := cmp.Or(cfg.RescueStuckJobsAfter, max(DefaultRescueStuckJobsAfter, 2*jobTimeout))
	if rescueAfter < jobTimeout {
		return nil, fmt.Errorf("jobs: RescueStuckJobsAfter (%s) must not be below JobTimeout (%s)", rescueAfter, jobTimeout)
	}
	rc := &river.Config{
		Logger:               logger,
		Workers:              cfg.Workers,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueAfter,
		FetchPollInterval:    poll,
		FetchCooldown:        min(river.FetchCooldownDefault, poll),
		RetryPolicy:          retry,
	}
	if cfg.Workers != nil {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}}
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return &Queue{client: client, retry: retry}, nil
}

// driverFor picks River's driver for the store's engine. Both take the write
// pool; on SQLite it has one connection, as River's SQLite driver asks.
func driverFor(db *store.DB) (riverdriver.Driver[*sql.Tx], error) {
	switch db.Engine() {
	case store.SQLite:
		return riversqlite.New(db.SQL()), nil
	case store.Postgres:
		return riverdatabasesql.New(db.SQL()), nil
	}
	return nil, fmt.Errorf("jobs: unsupported engine %q", db.Engine())
}

// Start begins working jobs in the background. Cancelling ctx stops abruptly
// (running jobs are cancelled and handed back); prefer Stop.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones to finish. If ctx ends
// first, it cancels the jobs still running: River records them as interrupted and
// makes them available again, without spending an attempt, so this node or
// another picks them up. Stop then returns nil once they are handed back.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		if err != nil {
			return fmt.Errorf("jobs: stop: %w", err)
		}
		return nil
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handBackTimeout)
	defer cancel()
	if err := q.client.StopAndCancel(hctx); err != nil {
		return fmt.Errorf("jobs: stop: hand back running jobs: %w", err)
	}
	return nil
}

// InsertTx enqueues a job inside tx: it runs only if tx commits. Do not use the
// store's pools while tx is open (on SQLite the single write connection is tx's).
func (q *Queue) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	res, err := q.client.InsertTx(ctx, tx, args, opts)
	return insertResult(args, res, err)
}

// Insert enqueues a job in a transaction of its own.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	res, err := q.client.Insert(ctx, args, opts)
	return insertResult(args, res, err)
}

func insertResult(args river.JobArgs, res *rivertype.JobInsertResult, err error) error {
	if err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	if res.UniqueSkippedAsDuplicate {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), ErrDuplicate)
	}
	return nil
}

// Subscribe returns a channel of River's events of the given kinds (job
// completed, failed, cancelled…) and a function to unsubscribe. Sends never
// block: a consumer that falls behind loses events. Tests use it to wait for a
// job instead of sleeping.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

// RetryPolicy returns the policy the queue schedules retries with.
func (q *Queue) RetryPolicy() RetryPolicy { return q.retry }
