package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
)

const (
	// maxResponseBody is how much of a receiver's answer an attempt keeps.
	maxResponseBody = 2 << 10
	// maxDrain is how much more of it is read, so the connection can be reused.
	maxDrain = 64 << 10
	// recordTimeout bounds writing an attempt down, even while shutting down.
	recordTimeout = 10 * time.Second
	// jobMargin is the job's time beyond the POST's, for loading the delivery.
	jobMargin = 5 * time.Second
)

// Retrier says when River will run a failed job again; jobs.RetryPolicy is one.
// The worker uses it to show next_attempt_at, so give it the queue's policy.
type Retrier interface {
	NextRetry(job *rivertype.JobRow) time.Time
}

// Worker is the River worker that POSTs deliveries. Register it with
// river.AddWorker on the Workers given to the job queue.
type Worker struct {
	river.WorkerDefaults[DeliverArgs]
	store  Store
	retry  Retrier
	clock  clock.Clock
	log    *slog.Logger
	client *http.Client
	cfg    Config
}

// NewWorker returns the delivery worker. It posts through cfg.Guard, so an
// endpoint reaches no address the operator did not allow, whatever its name
// resolves to when posted. Redirects are not followed (a 3xx is a failed
// attempt), so a receiver cannot bounce signed requests elsewhere.
func NewWorker(st Store, retry Retrier, clk clock.Clock, logger *slog.Logger, cfg Config) *Worker {
	cfg = cfg.withDefaults()
	c := cfg.Guard.Client(0)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Worker{store: st, retry: retry, clock: clk, log: logger, client: c, cfg: cfg}
}

// Timeout gives delivery jobs their own limit, the POST's plus a margin, whatever
// the queue's JobTimeout: a slow receiver is cut by Config.Timeout, never by the
// queue. River's rescuer also waits this long before it calls such a job stuck.
func (w *Worker) Timeout(*river.Job[DeliverArgs]) time.Duration { return w.cfg.Timeout + jobMargin }

// Work sends the delivery once and records the attempt. A 2xx succeeds; anything
// else returns an error so River retries with backoff, until the job's last
// attempt marks the delivery failed. A deleted endpoint (its deliveries go with
// it) or a disabled one cancels the job without retrying.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	tenantID, id := job.Args.TenantID, job.Args.DeliveryID
	log := w.log.With("tenant_id", tenantID, "delivery_id", id, "job_id", job.ID)
	d, err := w.store.WebhookDelivery(ctx, tenantID, id)
	if err != nil {
		return w.unavailable(ctx, log, id, err)
	}
	if d.Status != StatusPending {
		// An earlier run of this job settled it and the process stopped before
		// River heard; do not send again.
		return nil
	}
	e, err := w.store.WebhookEndpoint(ctx, tenantID, d.EndpointID)
	if err != nil {
		return w.unavailable(ctx, log, id, err)
	}
	log = log.With("endpoint_id", e.ID)
	if !e.Active {
		if err := w.store.FailWebhookDelivery(ctx, tenantID, id, ErrEndpointDisabled.Error(), w.clock.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deliver %s: %w", id, err)
		}
		log.InfoContext(ctx, "webhook delivery failed: endpoint disabled")
		return river.JobCancel(fmt.Errorf("deliver %s: %w", id, ErrEndpointDisabled))
	}

	a, err := w.send(ctx, job, endpointOf(e), Delivery(d))
	if errors.Is(err, channel.ErrHeld) {
		// The tenant is suspended: nothing was sent and no attempt is
		// spent; the job waits and asks again, so the delivery leaves once
		// the tenant is resumed.
		log.InfoContext(ctx, "webhook delivery held", "retry_in", HeldRetry)
		return river.JobSnooze(HeldRetry)
	}
	if err != nil {
		return fmt.Errorf("deliver %s: %w", id, err)
	}
	ok := a.Error == ""
	if !ok && errors.Is(ctx.Err(), context.Canceled) {
		// The queue is stopping: River hands the job back without spending an
		// attempt, so none is recorded. The receiver may have got it; it dedupes.
		return fmt.Errorf("deliver %s: %w", id, ctx.Err())
	}
	status, next := StatusPending, time.Time{}
	switch {
	case ok:
		status = StatusSucceeded
	case job.Attempt >= job.MaxAttempts:
		status = StatusFailed
	default:
		next = w.retry.NextRetry(job.JobRow)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var n int
	err = w.store.InTx(rctx, func(s *store.Store, _ *sql.Tx) error {
		n, err = s.RecordWebhookAttempt(rctx, tenantID, id, store.WebhookAttempt(a), status, next)
		return err
	})
	if err != nil {
		// Returning the error retries the POST: at least once, never lost.
		return w.unavailable(ctx, log, id, fmt.Errorf("record attempt: %w", err))
	}
	log = log.With("attempt", n, "status_code", a.StatusCode, "duration", a.Duration)
	switch status {
	case StatusSucceeded:
		log.DebugContext(ctx, "webhook delivered")
		return nil
	case StatusFailed:
		log.WarnContext(ctx, "webhook delivery failed: attempts exhausted", "error", a.Error)
	default:
		log.DebugContext(ctx, "webhook attempt failed; will retry", "error", a.Error, "next_attempt_at", next)
	}
	return fmt.Errorf("deliver %s: attempt %d: %s", id, n, a.Error)
}

// HeldRetry is how long a held delivery (its tenant is suspended) waits
// before it asks again.
const HeldRetry = 10 * time.Second

// send posts the delivery, unless the gate keeps it: then the attempt is a
// success that says where the payload went, and nothing leaves.
func (w *Worker) send(ctx context.Context, job *river.Job[DeliverArgs], e Endpoint, d Delivery) (Attempt, error) {
	if w.cfg.Gate != nil {
		kept, err := w.cfg.Gate.Pass(ctx, store.SandboxMessage{TenantID: d.TenantID, Kind: "webhook", To: e.URL,
			Subject: d.EventType, Body: string(d.Payload), Ref: fmt.Sprintf("%s.%d", d.ID, job.ID),
			Detail: map[string]any{"endpoint_id": e.ID, "delivery_id": d.ID, "event_type": d.EventType}})
		if err != nil {
			return Attempt{}, err
		}
		if kept != "" {
			return Attempt{StartedAt: w.clock.Now(), ResponseBody: "sandbox: kept in the sandbox outbox as " + kept + ", not sent"}, nil
		}
	}
	return w.post(ctx, e, d), nil
}

// unavailable turns a failure to load or record a delivery into the job's
// outcome: gone (endpoint or tenant deleted) cancels, anything else retries.
func (w *Worker) unavailable(ctx context.Context, log *slog.Logger, id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		log.InfoContext(ctx, "webhook delivery dropped: its endpoint was deleted")
		return river.JobCancel(fmt.Errorf("deliver %s: endpoint deleted: %w", id, err))
	}
	return fmt.Errorf("deliver %s: %w", id, err)
}

// post makes one signed request and describes how it went. Error is empty only
// for a 2xx answer.
func (w *Worker) post(ctx context.Context, e Endpoint, d Delivery) (a Attempt) {
	a.StartedAt = w.clock.Now()
	begin := time.Now()
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	defer func() { a.Duration = time.Since(begin) }()

	secret, err := w.cfg.open(e.record())
	if err != nil {
		a.Error = "signing secret: " + err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(d.Payload))
	if err != nil {
		a.Error = "build request: " + err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderEvent, d.EventType)
	req.Header.Set(HeaderSignature, Sign(secret, a.StartedAt, d.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		a.Error = w.describe(ctx, err)
		return a
	}
	defer resp.Body.Close()
	// The status decides; a body cut short by the timeout is kept as far as it came.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	a.StatusCode, a.ResponseBody = resp.StatusCode, cleanText(body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.Error = fmt.Sprintf("receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return a
}

// describe says why no answer came, without repeating the URL.
func (w *Worker) describe(ctx context.Context, err error) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", w.cfg.Timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err.Error()
}

// cleanText makes a receiver's bytes storable as text on both engines: valid
// UTF-8 (PostgreSQL refuses anything else) without NUL bytes. Invalid bytes are
// dropped, which also drops a character cut in two by the 2 KiB limit.
func cleanText(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), ""), "\x00", "")
}
