package send_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// A type created a moment after the sender read the tenant (within its
// cache's life) is sent, not failed as a type that "no longer exists" — the
// demo's first notices and an admin's new type raised at once hit this.
func TestTypeCreatedAfterTheCacheIsSent(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		ana := f.persona(t, "Ana Lima", "ana@example.com", "")
		f.raise(t, shipped, order, []string{"email"}, ana)
		if n := f.once(t); n != 1 { // reads and caches the tenant, with one type
			t.Fatalf("handled %d deliveries, want 1", n)
		}
		f.mail(t)

		delayed := shipped
		delayed.Key, delayed.Name = "order.delayed", "Order delayed"
		f.setType(t, delayed) // the clock has not moved: the cache is young
		id := f.raise(t, delayed, order, []string{"email"}, ana)[0]
		if n := f.once(t); n != 1 {
			t.Fatalf("handled %d deliveries, want 1", n)
		}
		f.wantStatus(t, id, notice.StatusSent, "email")
		f.mail(t)
	})
}
