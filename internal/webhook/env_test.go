package webhook_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// adminGrant is what the tests' endpoints are made and changed with: an admin's,
// who may read every event type.
var adminGrant = access.ForRole(tenant.RoleAdmin)

// env is a webhook service over a real database and job queue.
type env struct {
	db      *store.DB
	queue   *jobs.Queue
	svc     *webhook.Service
	outcome <-chan *river.Event
	a, b    string // two tenants
}

func forEachEngine(t *testing.T, fn func(t *testing.T, open func(testing.TB) *store.DB)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.Open)
		})
	}
}

// newEnv builds the service and its worker on a fresh database. The queue is not
// started, so a test can arrange things before any delivery is worked.
func newEnv(t *testing.T, open func(testing.TB) *store.DB, cfg webhook.Config) *env {
	t.Helper()
	db := open(t)
	if err := jobs.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate river: %v", err)
	}
	logger := slog.New(slog.DiscardHandler)
	clk := clock.System{}
	retry := jobs.RetryPolicy{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Guard == nil {
		// The receivers are httptest servers on loopback: allowed the way an
		// operator allows an on-premises receiver.
		cfg.Guard = loopbackAllowed(t)
	}
	if cfg.Secrets == nil {
		cfg.Secrets = testBox(t)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, webhook.NewWorker(db, retry, clk, logger, cfg))
	q, err := jobs.New(db, jobs.Config{Workers: workers, Retry: retry, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("new queue: %v", err)
	}
	outcome, cancel := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	t.Cleanup(cancel)
	return &env{db: db, queue: q, svc: webhook.New(db, q, clk, logger, cfg), outcome: outcome,
		a: storetest.NewTenant(t, db, "alpha").ID, b: storetest.NewTenant(t, db, "bravo").ID}
}

// loopbackAllowed is a guard whose operator allowed 127.0.0.0/8.
func loopbackAllowed(t *testing.T) *netguard.Guard {
	t.Helper()
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(netguard.Options{Allow: allow})
}

func (e *env) start(t *testing.T) {
	t.Helper()
	if err := e.queue.Start(context.Background()); err != nil {
		t.Fatalf("start queue: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.queue.Stop(ctx); err != nil {
			t.Errorf("stop queue: %v", err)
		}
	})
}

// finished waits for the next delivery job to end for good (completed, failed
// for the last time, or cancelled); retries in between are skipped.
func (e *env) finished(t *testing.T) *rivertype.JobRow {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-e.outcome:
			if ev.Job.State == rivertype.JobStateRetryable || ev.Job.State == rivertype.JobStateAvailable {
				continue
			}
			return ev.Job
		case <-timeout:
			t.Fatal("no delivery job finished within 30s")
		}
	}
}

// endpoint registers an endpoint of tenant at r, subscribed to types, and tells r
// its secret.
func (e *env) endpoint(t *testing.T, tenantID string, r *receiver, types ...string) webhook.Endpoint {
	t.Helper()
	ep, err := e.svc.Create(context.Background(), tenantID, adminGrant, webhook.EndpointInput{URL: r.srv.URL + "/hook", EventTypes: types})
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	r.setSecret(ep.Secret)
	return ep
}

// fanout records an event of tenant in a committed transaction, as the outbox does.
func (e *env) fanout(t *testing.T, tenantID, typ string, data any) event.Event {
	t.Helper()
	raw, _ := json.Marshal(data)
	ev := event.Event{ID: ids.New(), TenantID: tenantID, Type: typ, Data: raw, At: time.Now().UTC()}
	err := e.db.InTx(context.Background(), func(s *store.Store, tx *sql.Tx) error {
		return e.svc.FanoutTx(context.Background(), s, tx, ev)
	})
	if err != nil {
		t.Fatalf("fanout %s: %v", typ, err)
	}
	return ev
}

func (e *env) deliveries(t *testing.T, tenantID, endpointID string) []webhook.Delivery {
	t.Helper()
	ds, err := e.svc.ListDeliveries(context.Background(), tenantID, endpointID, store.Page{})
	if err != nil {
		t.Fatalf("list deliveries: %v", err)
	}
	return ds
}

// request is what a receiver saw.
type request struct {
	deliveryID, eventType, contentType, userAgent string
	body                                          []byte
	sigErr                                        error
}

// receiver is a webhook consumer: it verifies every signature with
// webhook.Verify and answers with the status its plan gives for the n-th request.
type receiver struct {
	srv  *httptest.Server
	plan func(n int) (status int, body string)
	// hold, when set, keeps the n-th request waiting until it is closed.
	hold func(n int) <-chan struct{}

	mu     sync.Mutex
	secret string
	got    []request
	seen   chan request
}

func newReceiver(t *testing.T, plan func(n int) (int, string)) *receiver {
	t.Helper()
	r := &receiver{plan: plan, seen: make(chan request, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func always(status int) func(int) (int, string) {
	return func(int) (int, string) { return status, "" }
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	got := request{deliveryID: req.Header.Get(webhook.HeaderDelivery), eventType: req.Header.Get(webhook.HeaderEvent),
		contentType: req.Header.Get("Content-Type"), userAgent: req.Header.Get("User-Agent"), body: body,
		sigErr: webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), body, time.Now(), 0)}
	r.got = append(r.got, got)
	n := len(r.got)
	r.mu.Unlock()
	r.seen <- got
	if r.hold != nil {
		if ch := r.hold(n); ch != nil {
			<-ch
		}
	}
	if got.sigErr != nil {
		http.Error(w, got.sigErr.Error(), http.StatusBadRequest)
		return
	}
	status, answer := r.plan(n)
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

// checkSigned fails the test unless every request was validly signed and framed.
func checkSigned(t *testing.T, reqs []request) {
	t.Helper()
	for i, q := range reqs {
		if q.sigErr != nil {
			t.Errorf("request %d: signature rejected: %v", i+1, q.sigErr)
		}
		if q.contentType != "application/json" || !strings.HasPrefix(q.userAgent, "Switchboard-Webhooks/") {
			t.Errorf("request %d: Content-Type %q, User-Agent %q", i+1, q.contentType, q.userAgent)
		}
	}
}

// testBox seals signing secrets as a node does, under a test server key.
func testBox(t testing.TB) *secretbox.Box {
	t.Helper()
	b, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"), "webhook-secret")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
