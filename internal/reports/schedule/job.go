package schedule

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TickEvery is how often the tick job looks for due schedules: a run goes
// out at most this late.
const TickEvery = 30 * time.Second

// TickArgs is the tick job: one in the cluster, scheduled again after every
// run (ScheduleTick).
type TickArgs struct{}

// Kind names the job for River.
func (TickArgs) Kind() string { return "report_schedules_tick" }

// SendArgs is the sending of one run.
type SendArgs struct {
	TenantID string `json:"tenant_id"`
	RunID    string `json:"run_id"`
}

// Kind names the job for River.
func (SendArgs) Kind() string { return "report_schedule_send" }

// Ticker works TickArgs: it claims the due runs and snoozes for TickEvery.
type Ticker struct {
	river.WorkerDefaults[TickArgs]
	svc *Service
}

// NewTicker returns the tick worker; register it with river.AddWorker.
func NewTicker(svc *Service) *Ticker { return &Ticker{svc: svc} }

// Work ticks, enqueuing through the River client the job runs under. A
// failed tick is logged, not retried: the next one comes in TickEvery.
func (t *Ticker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return err
	}
	if _, err := t.svc.Tick(ctx, clientInserter{client}); err != nil {
		t.svc.log.ErrorContext(ctx, "report schedules tick failed", "err", err)
	}
	return river.JobSnooze(TickEvery)
}

// Sender works SendArgs: it sends a run; a failure returns to the queue,
// which retries with its backoff.
type Sender struct {
	river.WorkerDefaults[SendArgs]
	svc *Service
}

// NewSender returns the send worker; register it with river.AddWorker.
func NewSender(svc *Service) *Sender { return &Sender{svc: svc} }

// Work sends the run; a run or schedule deleted meanwhile is done, a run
// with nobody left to send to is cancelled.
func (s *Sender) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	err := s.svc.Deliver(ctx, job.Args.TenantID, job.Args.RunID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case errors.Is(err, ErrNoRecipients):
		return river.JobCancel(err)
	}
	return err
}

type clientInserter struct{ c *river.Client[*sql.Tx] }

func (i clientInserter) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := i.c.InsertTx(ctx, tx, args, opts)
	return err
}

// Plain enqueues a job outside a transaction: *jobs.Queue.
type Plain interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// ScheduleTick makes sure the tick job exists: the first node to start
// inserts it, the others find it there.
func ScheduleTick(ctx context.Context, q Plain) error {
	err := q.Insert(ctx, TickArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if errors.Is(err, jobs.ErrDuplicate) {
		return nil
	}
	return err
}
