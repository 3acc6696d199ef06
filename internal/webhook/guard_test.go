package webhook_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// TestDeliveryToLoopbackIsRefused: an endpoint on this machine — saved while
// the operator allowed it, or by a name that resolves here — is not posted
// to once the guard has no exception for it; the attempt says why and holds
// no answer.
func TestDeliveryToLoopbackIsRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{Guard: netguard.New(netguard.Options{}), MaxAttempts: 1})
		ctx := context.Background()
		r := newReceiver(t, always(200))
		_, port, _ := net.SplitHostPort(r.srv.Listener.Addr().String())
		var eps []string
		for _, u := range []string{r.srv.URL + "/hook", "http://localhost:" + port + "/hook", "http://[::ffff:127.0.0.1]:" + port + "/hook"} {
			id := ids.New()
			now := time.Now().UTC()
			err := e.db.CreateWebhookEndpoint(ctx, e.a, store.WebhookEndpoint{ID: id, TenantID: e.a, URL: u, SealedSecret: webhook.NewSecret(),
				EventTypes: []string{event.UserCreated}, Active: true, CreatedAt: now, UpdatedAt: now})
			if err != nil {
				t.Fatalf("store endpoint %s: %v", u, err)
			}
			eps = append(eps, id)
		}
		e.start(t)
		e.fanout(t, e.a, event.UserCreated, map[string]string{"user_id": "u1"})
		for range eps {
			if job := e.finished(t); job.State != rivertype.JobStateDiscarded {
				t.Errorf("delivery job ended %s, want discarded after its one attempt", job.State)
			}
		}
		if n := len(r.requests()); n != 0 {
			t.Fatalf("the loopback receiver got %d requests, want 0", n)
		}
		for _, id := range eps {
			ds := e.deliveries(t, e.a, id)
			if len(ds) != 1 {
				t.Fatalf("endpoint %s has %d deliveries, want 1", id, len(ds))
			}
			d, attempts, err := e.svc.GetDelivery(ctx, e.a, ds[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != webhook.StatusFailed || len(attempts) != 1 || attempts[0].StatusCode != 0 || attempts[0].ResponseBody != "" ||
				!strings.Contains(attempts[0].Error, "which this center does not call") {
				t.Errorf("delivery %+v, attempts %+v: want failed, refused by the guard, no answer", d, attempts)
			}
		}
	})
}

// TestSavingAnInwardURL: creating or changing an endpoint to an address the
// guard refuses is a validation error on "url"; the operator's allow-list
// lets it through.
func TestSavingAnInwardURL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{Guard: netguard.New(netguard.Options{})})
		ctx := context.Background()
		good, err := e.svc.Create(ctx, e.a, adminGrant, webhook.EndpointInput{URL: "https://8.8.8.8/hook", EventTypes: []string{"*"}})
		if err != nil {
			t.Fatalf("public endpoint: %v", err)
		}
		for _, u := range []string{"http://127.0.0.1/", "http://localhost:8080/", "http://[::1]/", "http://0.0.0.0/", "http://10.1.2.3/",
			"http://169.254.169.254/latest/meta-data/", "http://127.1/", "http://2130706433/", "http://0x7f000001/",
			"http://017700000001/", "http://[fd00::1]/", "http://100.64.0.1/", "http://[::ffff:10.0.0.1]/"} {
			_, err := e.svc.Create(ctx, e.a, adminGrant, webhook.EndpointInput{URL: u, EventTypes: []string{"*"}})
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != "url" || !strings.Contains(fe.Reason, "public address") {
				t.Errorf("create %s: %v, want a url field error", u, err)
			}
			_, err = e.svc.Update(ctx, e.a, good.ID, adminGrant, webhook.EndpointPatch{URL: &u})
			if !errors.As(err, &fe) || fe.Field != "url" {
				t.Errorf("update to %s: %v, want a url field error", u, err)
			}
		}
		if got, _ := e.svc.Get(ctx, e.a, good.ID); got.URL != "https://8.8.8.8/hook" {
			t.Errorf("a refused update changed the URL to %s", got.URL)
		}
		allowed := newEnv(t, open, webhook.Config{Guard: loopbackAllowed(t)})
		if _, err := allowed.svc.Create(ctx, allowed.a, adminGrant, webhook.EndpointInput{URL: "http://127.0.0.1:9/hook", EventTypes: []string{"*"}}); err != nil {
			t.Errorf("allow-listed loopback endpoint: %v", err)
		}
	})
}
