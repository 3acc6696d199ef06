package webhook_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

func TestDeliverySucceeds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		r := newReceiver(t, func(int) (int, string) { return 200, `{"ok":true}` })
		ep := e.endpoint(t, e.a, r, event.UserCreated)
		other := e.endpoint(t, e.a, newReceiver(t, always(200)), event.UserUpdated)
		off := e.endpoint(t, e.a, newReceiver(t, always(200)), "*")
		if _, err := e.svc.Update(ctx, e.a, off.ID, adminGrant, webhook.EndpointPatch{Active: new(false)}); err != nil {
			t.Fatalf("disable: %v", err)
		}
		e.start(t)

		ev := e.fanout(t, e.a, event.UserCreated, map[string]string{"user_id": "u1"})
		if job := e.finished(t); job.State != rivertype.JobStateCompleted {
			t.Fatalf("delivery job ended %s, want completed", job.State)
		}
		reqs := r.requests()
		if len(reqs) != 1 {
			t.Fatalf("receiver got %d requests, want 1", len(reqs))
		}
		checkSigned(t, reqs)
		ds := e.deliveries(t, e.a, ep.ID)
		if len(ds) != 1 {
			t.Fatalf("endpoint has %d deliveries, want 1", len(ds))
		}
		d, attempts, err := e.svc.GetDelivery(ctx, e.a, ds[0].ID)
		if err != nil {
			t.Fatalf("get delivery: %v", err)
		}
		if reqs[0].deliveryID != d.ID || reqs[0].eventType != event.UserCreated {
			t.Errorf("headers: delivery %q event %q, want %q %q", reqs[0].deliveryID, reqs[0].eventType, d.ID, event.UserCreated)
		}
		var body struct {
			ID        string            `json:"id"`
			Type      string            `json:"type"`
			CreatedAt time.Time         `json:"created_at"`
			Data      map[string]string `json:"data"`
		}
		if err := json.Unmarshal(reqs[0].body, &body); err != nil {
			t.Fatalf("body %s: %v", reqs[0].body, err)
		}
		if body.ID != ev.ID || body.Type != ev.Type || !body.CreatedAt.Equal(ev.At) || body.Data["user_id"] != "u1" {
			t.Errorf("body = %s, want the event %s", reqs[0].body, ev.ID)
		}
		if d.Status != webhook.StatusSucceeded || d.Attempts != 1 || d.LastStatusCode != 200 || d.LastError != "" || !d.NextAttemptAt.IsZero() {
			t.Errorf("delivery = %+v, want succeeded after 1 attempt", d)
		}
		if len(attempts) != 1 || attempts[0].Attempt != 1 || attempts[0].StatusCode != 200 || attempts[0].ResponseBody != `{"ok":true}` {
			t.Errorf("attempts = %+v, want one 200 with the receiver's body", attempts)
		}
		if n := len(e.deliveries(t, e.a, other.ID)) + len(e.deliveries(t, e.a, off.ID)); n != 0 {
			t.Errorf("unsubscribed and disabled endpoints got %d deliveries, want 0", n)
		}
	})
}

func TestFailingReceiverIsRetriedWithTheSameDeliveryID(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		long := strings.Repeat("x", 5000)
		r := newReceiver(t, func(n int) (int, string) {
			if n <= 2 {
				return 500, long
			}
			return 204, ""
		})
		ep := e.endpoint(t, e.a, r, "*")
		e.start(t)
		e.fanout(t, e.a, event.UserUpdated, map[string]string{"user_id": "u1"})
		if job := e.finished(t); job.State != rivertype.JobStateCompleted || job.Attempt != 3 {
			t.Fatalf("delivery job ended %s after %d attempts, want completed after 3", job.State, job.Attempt)
		}
		reqs := r.requests()
		checkSigned(t, reqs)
		if len(reqs) != 3 {
			t.Fatalf("receiver got %d requests, want 3", len(reqs))
		}
		ds := e.deliveries(t, e.a, ep.ID)
		d, attempts, err := e.svc.GetDelivery(context.Background(), e.a, ds[0].ID)
		if err != nil {
			t.Fatalf("get delivery: %v", err)
		}
		for i, q := range reqs {
			if q.deliveryID != d.ID || string(q.body) != string(reqs[0].body) {
				t.Errorf("request %d: delivery %s, want %s with the same body", i+1, q.deliveryID, d.ID)
			}
		}
		if d.Status != webhook.StatusSucceeded || d.Attempts != 3 || d.LastStatusCode != 204 {
			t.Errorf("delivery = %+v, want succeeded after 3 attempts", d)
		}
		if len(attempts) != 3 {
			t.Fatalf("%d attempts recorded, want 3", len(attempts))
		}
		for i, a := range attempts {
			wantCode := []int{500, 500, 204}[i]
			if a.Attempt != i+1 || a.StatusCode != wantCode {
				t.Errorf("attempt %d = #%d %d, want #%d %d", i, a.Attempt, a.StatusCode, i+1, wantCode)
			}
		}
		if a := attempts[0]; a.Error != "receiver answered 500 Internal Server Error" || len(a.ResponseBody) != 2048 {
			t.Errorf("first attempt: error %q, %d bytes of body; want the 500 and 2 KiB", a.Error, len(a.ResponseBody))
		}
	})
}

func TestDeliveryFailsWhenAttemptsRunOut(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{MaxAttempts: 2})
		r := newReceiver(t, always(503))
		ep := e.endpoint(t, e.a, r, "*")
		e.start(t)
		e.fanout(t, e.a, event.UserCreated, nil)
		if job := e.finished(t); job.State != rivertype.JobStateDiscarded {
			t.Fatalf("delivery job ended %s, want discarded", job.State)
		}
		d := e.deliveries(t, e.a, ep.ID)[0]
		if d.Status != webhook.StatusFailed || d.Attempts != 2 || d.LastStatusCode != 503 || !d.NextAttemptAt.IsZero() {
			t.Errorf("delivery = %+v, want failed after 2 attempts, nothing due", d)
		}
	})
}

func TestReplaySendsTheSameDeliveryAgain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		release := make(chan struct{})
		r := newReceiver(t, always(200))
		r.hold = func(n int) <-chan struct{} {
			if n == 1 {
				return release
			}
			return nil
		}
		ep := e.endpoint(t, e.a, r, "*")
		e.start(t)
		e.fanout(t, e.a, event.UserCreated, map[string]int{"n": 1})
		<-r.seen // the first POST is in flight
		d := e.deliveries(t, e.a, ep.ID)[0]
		if _, err := e.svc.Replay(ctx, e.a, d.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("replay while in flight = %v, want ErrConflict", err)
		}
		close(release)
		if job := e.finished(t); job.State != rivertype.JobStateCompleted {
			t.Fatalf("first job ended %s", job.State)
		}

		got, err := e.svc.Replay(ctx, e.a, d.ID)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if got.ID != d.ID || got.Status != webhook.StatusPending {
			t.Errorf("replay returned %+v, want the same delivery, pending", got)
		}
		if job := e.finished(t); job.State != rivertype.JobStateCompleted {
			t.Fatalf("replay job ended %s", job.State)
		}
		reqs := r.requests()
		checkSigned(t, reqs)
		if len(reqs) != 2 || reqs[1].deliveryID != d.ID || string(reqs[1].body) != string(reqs[0].body) {
			t.Fatalf("receiver got %d requests; want the replay with delivery id %s and the same body", len(reqs), d.ID)
		}
		d, attempts, err := e.svc.GetDelivery(ctx, e.a, d.ID)
		if err != nil || d.Status != webhook.StatusSucceeded || d.Attempts != 2 || len(attempts) != 2 {
			t.Fatalf("after replay: %+v, %d attempts, %v; want succeeded with 2 attempts", d, len(attempts), err)
		}
	})
}

func TestPingReachesAnyActiveEndpoint(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		r := newReceiver(t, always(200))
		ep := e.endpoint(t, e.a, r, event.APIKeyRevoked)
		e.start(t)
		d, err := e.svc.Ping(context.Background(), e.a, ep.ID)
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
		if job := e.finished(t); job.State != rivertype.JobStateCompleted {
			t.Fatalf("ping job ended %s", job.State)
		}
		reqs := r.requests()
		checkSigned(t, reqs)
		if len(reqs) != 1 || reqs[0].eventType != event.WebhookPing || reqs[0].deliveryID != d.ID {
			t.Fatalf("receiver got %+v, want one %s with delivery %s", reqs, event.WebhookPing, d.ID)
		}
	})
}

func TestFanoutRolledBackSendsNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		r := newReceiver(t, always(200))
		ep := e.endpoint(t, e.a, r, "*")
		e.start(t)
		errRollback := errors.New("the change failed")
		lost := event.Event{ID: ids.New(), TenantID: e.a, Type: event.UserCreated, Data: []byte(`{}`), At: time.Now()}
		err := e.db.InTx(ctx, func(s *store.Store, tx *sql.Tx) error {
			if err := e.svc.FanoutTx(ctx, s, tx, lost); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InTx = %v", err)
		}
		if n := len(e.deliveries(t, e.a, ep.ID)); n != 0 {
			t.Fatalf("%d deliveries after rollback, want 0", n)
		}
		kept := e.fanout(t, e.a, event.UserCreated, nil)
		if job := e.finished(t); job.State != rivertype.JobStateCompleted {
			t.Fatalf("job ended %s", job.State)
		}
		reqs := r.requests()
		if len(reqs) != 1 || !strings.Contains(string(reqs[0].body), kept.ID) {
			t.Fatalf("receiver got %d requests, want only the committed event %s", len(reqs), kept.ID)
		}
		var jobs int
		e.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'webhook_delivery'`).Scan(&jobs)
		if jobs != 1 {
			t.Fatalf("%d delivery jobs in river_job, want 1", jobs)
		}
	})
}

func TestDisabledEndpointFailsDeliveryWithoutRetry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		r := newReceiver(t, always(200))
		ep := e.endpoint(t, e.a, r, "*")
		d, err := e.svc.Ping(ctx, e.a, ep.ID) // queued before the queue runs
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
		if _, err := e.svc.Update(ctx, e.a, ep.ID, adminGrant, webhook.EndpointPatch{Active: new(false)}); err != nil {
			t.Fatalf("disable: %v", err)
		}
		e.start(t)
		if job := e.finished(t); job.State != rivertype.JobStateCancelled || job.Attempt != 1 {
			t.Fatalf("job ended %s after %d attempts, want cancelled after 1", job.State, job.Attempt)
		}
		got, _, err := e.svc.GetDelivery(ctx, e.a, d.ID)
		if err != nil || got.Status != webhook.StatusFailed || got.LastError != webhook.ErrEndpointDisabled.Error() {
			t.Fatalf("delivery = %+v, %v; want failed: endpoint disabled", got, err)
		}
		if len(r.requests()) != 0 {
			t.Fatal("a disabled endpoint received a request")
		}
		if _, err := e.svc.Replay(ctx, e.a, d.ID); err == nil {
			t.Fatal("replay to a disabled endpoint accepted")
		}
	})
}

func TestDeletedEndpointCancelsItsDeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		r := newReceiver(t, always(200))
		ep := e.endpoint(t, e.a, r, "*")
		d, err := e.svc.Ping(ctx, e.a, ep.ID)
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
		if err := e.svc.Delete(ctx, e.a, ep.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		e.start(t)
		if job := e.finished(t); job.State != rivertype.JobStateCancelled {
			t.Fatalf("job ended %s, want cancelled", job.State)
		}
		if _, _, err := e.svc.GetDelivery(ctx, e.a, d.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delivery of a deleted endpoint: %v, want ErrNotFound", err)
		}
		if len(r.requests()) != 0 {
			t.Fatal("a deleted endpoint received a request")
		}
	})
}
