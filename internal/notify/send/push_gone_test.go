package send_test

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestWebPushGoneOncePerBatch sends two notices to one persona in one
// batch: the subscription the push service reports gone is tried once and
// deleted, and both notices reach the browser that still works.
func TestWebPushGoneOncePerBatch(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Concurrency: 1})
		typ := shipped
		typ.Channels = []string{"webpush", "email"}
		f.setType(t, typ)
		ana := f.persona(t, "Ana", "ana@example.com", "")
		ctx := context.Background()
		for _, sub := range []struct {
			id    string
			known bool
		}{{"old-phone", false}, {"laptop", true}} {
			if err := f.db.AddPushSubscription(ctx, f.push.subscription(t, f.tenant, ana, sub.id, sub.known)); err != nil {
				t.Fatal(err)
			}
		}
		first := f.raise(t, typ, order, []string{"webpush", "email"}, ana)[0]
		second := f.raise(t, typ, map[string]any{"order": "A-1002"}, []string{"webpush", "email"}, ana)[0]
		if n := f.once(t); n != 2 {
			t.Fatalf("one batch handled %d", n)
		}
		f.wantStatus(t, first, notice.StatusSent, "webpush")
		f.wantStatus(t, second, notice.StatusSent, "webpush")
		if got := f.push.received("laptop"); len(got) != 2 {
			t.Fatalf("laptop got %d pushes", len(got))
		}
		f.push.mu.Lock()
		calls := f.push.calls
		f.push.mu.Unlock()
		if calls != 3 {
			t.Errorf("push service called %d times, want 3 (the gone subscription once)", calls)
		}
		subs, err := f.db.PushSubscriptions(ctx, f.tenant, ana)
		if err != nil || len(subs) != 1 || subs[0].ID != "laptop" {
			t.Errorf("subscriptions after a 410: %+v, %v", subs, err)
		}
		f.noMail(t)
	})
}
