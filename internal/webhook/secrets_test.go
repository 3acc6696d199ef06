package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// rawSecret reads the endpoint's secret column as it is on disk.
func (e *env) rawSecret(t *testing.T, id string) string {
	t.Helper()
	var s string
	if err := e.db.SQL().QueryRowContext(context.Background(), `SELECT secret FROM webhook_endpoints WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Signing secrets are sealed at rest: the row holds no secret to forge a
// delivery with, a rotation is sealed too, and a row from before sealing
// keeps signing until SealStored seals it, after which it still signs.
func TestSecretsAreSealedAtRest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		r := newReceiver(t, always(200))
		ep := e.endpoint(t, e.a, r, event.UserCreated)
		raw := e.rawSecret(t, ep.ID)
		if !strings.HasPrefix(ep.Secret, webhook.SecretPrefix) || !strings.HasPrefix(raw, "sealed:") || strings.Contains(raw, ep.Secret) ||
			strings.Contains(raw, strings.TrimPrefix(ep.Secret, webhook.SecretPrefix)) {
			t.Fatalf("stored secret %q for %q: want it sealed", raw, ep.Secret)
		}
		if got, _ := e.svc.Get(ctx, e.a, ep.ID); got.Secret != "" {
			t.Errorf("a read endpoint carries its plain secret")
		}
		rot, err := e.svc.Update(ctx, e.a, ep.ID, adminGrant, webhook.EndpointPatch{RotateSecret: true})
		if err != nil || rot.Secret == ep.Secret || !strings.HasPrefix(rot.Secret, webhook.SecretPrefix) {
			t.Fatalf("rotate: %v", err)
		}
		if raw2 := e.rawSecret(t, ep.ID); raw2 == raw || !strings.HasPrefix(raw2, "sealed:") || strings.Contains(raw2, rot.Secret) {
			t.Fatalf("rotated secret stored as %q", raw2)
		}
		r.setSecret(rot.Secret)

		// An endpoint stored by a binary from before sealing: in the clear.
		old := newReceiver(t, always(200))
		plain := webhook.NewSecret()
		legacy := store.WebhookEndpoint{ID: ids.New(), TenantID: e.a, URL: old.srv.URL + "/hook", SealedSecret: plain,
			EventTypes: []string{event.UserCreated}, Active: true, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := e.db.CreateWebhookEndpoint(ctx, e.a, legacy); err != nil {
			t.Fatal(err)
		}
		old.setSecret(plain)
		e.start(t)
		deliver := func(step string) {
			t.Helper()
			e.fanout(t, e.a, event.UserCreated, map[string]string{"user_id": "u1"})
			for range 2 {
				if job := e.finished(t); job.State != rivertype.JobStateCompleted {
					t.Fatalf("%s: a delivery ended %s", step, job.State)
				}
			}
		}
		deliver("before sealing")
		n, err := e.svc.SealStored(ctx)
		if err != nil || n != 1 {
			t.Fatalf("seal stored: %d, %v; want 1", n, err)
		}
		if raw := e.rawSecret(t, legacy.ID); !strings.HasPrefix(raw, "sealed:") || strings.Contains(raw, plain) {
			t.Fatalf("the old row after sealing holds %q", raw)
		}
		if n, err := e.svc.SealStored(ctx); err != nil || n != 0 {
			t.Fatalf("sealing again: %d, %v; want 0", n, err)
		}
		deliver("after sealing")
		for _, rc := range []*receiver{r, old} {
			if reqs := rc.requests(); len(reqs) != 2 {
				t.Fatalf("a receiver got %d requests, want 2", len(reqs))
			} else {
				checkSigned(t, reqs)
			}
		}
		// A sealed secret copied onto another row opens for nobody.
		if _, err := e.db.SQL().ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $1 WHERE id = $2`, e.rawSecret(t, ep.ID), legacy.ID); err != nil {
			t.Fatal(err)
		}
		e.fanout(t, e.a, event.UserCreated, map[string]string{"user_id": "u2"})
		for range 2 {
			e.finished(t)
		}
		if reqs := old.requests(); len(reqs) != 2 {
			t.Errorf("a moved secret signed a request: %d requests", len(reqs))
		}
	})
}

// What the service logs while it makes, rotates and seals secrets holds
// none of them.
func TestSecretsAreNeverLogged(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		svc := webhook.New(e.db, e.queue, clock.System{}, log, webhook.Config{Guard: loopbackAllowed(t), Secrets: testBox(t)})
		ep, err := svc.Create(ctx, e.a, adminGrant, webhook.EndpointInput{URL: "https://hooks.example.com/in", EventTypes: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		rot, err := svc.Update(ctx, e.a, ep.ID, adminGrant, webhook.EndpointPatch{RotateSecret: true})
		if err != nil {
			t.Fatal(err)
		}
		plain := webhook.NewSecret()
		if err := e.db.CreateWebhookEndpoint(ctx, e.a, store.WebhookEndpoint{ID: ids.New(), TenantID: e.a, URL: "https://hooks.example.com/old",
			SealedSecret: plain, EventTypes: []string{"*"}, Active: true, CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.SealStored(ctx); err != nil || n != 1 {
			t.Fatalf("seal stored: %d %v", n, err)
		}
		logged := buf.String()
		if !strings.Contains(logged, "sealed") {
			t.Fatalf("nothing logged: %q", logged)
		}
		for _, s := range []string{ep.Secret, rot.Secret, plain, webhook.SecretPrefix} {
			if strings.Contains(logged, s) {
				t.Errorf("the log holds a secret: %s", logged)
			}
		}
	})
}
