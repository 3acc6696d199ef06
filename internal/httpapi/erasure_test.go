package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestPersonaErasureReachesEveryCopy makes a customer through the API the
// way a business system would — a message on the API channel and an added
// email, each with an Idempotency-Key, delivered to a webhook receiver that
// echoes what it got in its error — then erases the persona and scans every
// table of the database: its phone, email and words are nowhere, its id only
// where the erasure is proven (the consent ledger, the audit entry's target).
func TestPersonaErasureReachesEveryCopy(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			recv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				rw.WriteHeader(http.StatusBadRequest)
				rw.Write(append([]byte("cannot take "), b...))
			}))
			t.Cleanup(recv.Close)
			admin := w.A.admin.in(t)
			admin.do("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL, "description": "crm", "event_types": []string{"*"}}).
				want(http.StatusCreated)
			const phone, email, words = "+15557654321", "erase.me@example.org", "zqerasureword"
			system := keyClient(t, w.A.admin, "admin")
			var in struct {
				Persona      struct{ ID string }
				Conversation struct{ ID string }
			}
			system.do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "phone", "value": phone},
				"name": "Erin Rase", "body": "my card " + words}, header("Idempotency-Key", "msg-1")).want(http.StatusCreated).decode(&in)
			system.do("POST", "/api/v1/personas/"+in.Persona.ID+"/identifiers", map[string]any{"kind": "email", "value": email},
				header("Idempotency-Key", "email-1")).want(http.StatusOK)
			// Another customer, who must keep everything.
			const keepPhone = "+15550001111"
			system.do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "phone", "value": keepPhone},
				"body": "hello"}, header("Idempotency-Key", "msg-2")).want(http.StatusCreated)

			ctx := context.Background()
			// Wait until the receiver's answers were recorded: they hold the data too.
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				var n int
				if err := w.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_attempts WHERE tenant_id = $1`, w.A.Tenant.ID).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n >= 3 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d webhook attempts recorded, want 3 or more", n)
				}
			}
			marks := []string{phone, email, words}
			found := map[string]bool{}
			for _, f := range storetest.Scan(t, w.db, marks...) {
				found[f.Table] = true
			}
			for _, table := range []string{"events", "webhook_deliveries", "webhook_attempts"} {
				if !found[table] {
					t.Fatalf("before the erasure the scan finds nothing in %s: the test would prove nothing there (found in %v)", table, found)
				}
			}
			// The stored responses are sealed; they name the persona in refs.
			named := false
			for _, f := range storetest.Scan(t, w.db, in.Persona.ID) {
				named = named || f.Table == "idempotency_keys" && f.Column == "refs"
			}
			if !named {
				t.Fatal("no stored response names the persona in refs before the erasure")
			}
			keepBefore := storetest.WithoutIndexes(storetest.Scan(t, w.db, keepPhone))

			admin.do("DELETE", "/api/v1/personas/"+in.Persona.ID, nil).want(http.StatusNoContent)
			if err := w.db.CompactSearchIndex(ctx); err != nil {
				t.Fatal(err)
			}
			for _, f := range storetest.Scan(t, w.db, marks...) {
				t.Errorf("after the erasure, %s", f)
			}
			for _, f := range storetest.Scan(t, w.db, in.Persona.ID, in.Conversation.ID) {
				if f.Table != "consent_records" && !(f.Table == "audit_log" && f.Column == "target_id") {
					t.Errorf("after the erasure, %s", f)
				}
			}
			if after := storetest.WithoutIndexes(storetest.Scan(t, w.db, keepPhone)); len(after) < len(keepBefore) {
				t.Errorf("the other customer lost data:\n before %v\n after  %v", keepBefore, after)
			}
		})
	}
}
