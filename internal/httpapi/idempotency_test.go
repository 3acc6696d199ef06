package httpapi

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// keyNames counts the tenant's API keys by name, as the admin lists them.
func keyNames(t *testing.T, admin *client) map[string]int {
	t.Helper()
	var keys struct{ Items []struct{ Name string } }
	admin.in(t).do("GET", "/api/v1/api-keys?limit=199", nil).want(http.StatusOK).decode(&keys)
	n := map[string]int{}
	for _, k := range keys.Items {
		n[k.Name]++
	}
	return n
}

func TestIdempotency(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			body := map[string]any{"name": "once", "scopes": []string{"read"}}
			key := header("Idempotency-Key", "create-once")

			first := admin.do("POST", "/api/v1/api-keys", body, key).want(http.StatusCreated)
			again := admin.do("POST", "/api/v1/api-keys", body, key).want(http.StatusCreated)
			if !bytes.Equal(first.body, again.body) {
				t.Errorf("the retry got another answer:\nfirst: %s\nretry: %s", first.body, again.body)
			}
			if first.Header.Get("Idempotent-Replayed") != "" || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("Idempotent-Replayed: first %q, retry %q; want none, then true",
					first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
			}

			other := map[string]any{"name": "twice", "scopes": []string{"read"}}
			admin.do("POST", "/api/v1/api-keys", other, key).wantProblem(http.StatusUnprocessableEntity, "idempotency-key-reused")

			// Keys belong to their caller: another one may use the same key.
			otherCaller := keyClient(t, w.A.admin, "admin")
			r := otherCaller.do("POST", "/api/v1/api-keys", body, key).want(http.StatusCreated)
			if r.Header.Get("Idempotent-Replayed") != "" || bytes.Equal(r.body, first.body) {
				t.Errorf("another caller with the same Idempotency-Key got the first caller's answer: %s", r.body)
			}

			admin.do("POST", "/api/v1/api-keys", body, header("Idempotency-Key", strings.Repeat("k", 256)), outsideSpec).
				wantProblem(http.StatusBadRequest, "bad-parameter")

			if got := keyNames(t, admin); got["once"] != 2 || got["twice"] != 0 {
				t.Errorf("keys by name %v: want once×2 (one per caller) and no twice", got)
			}
		})
	}
}

// TestIdempotencyStoresNoSecrets checks the answers kept for retries do not
// hold secrets in the clear: API keys are stored hashed, and a remembered
// answer to POST /api/v1/api-keys must not undo that.
func TestIdempotencyStoresNoSecrets(t *testing.T) {
	w := newWorld(t)
	var k struct{ Key string }
	w.A.admin.do("POST", "/api/v1/api-keys", map[string]any{"name": "secret", "scopes": []string{"admin"}},
		header("Idempotency-Key", "k1")).want(http.StatusCreated).decode(&k)
	secret := k.Key[len(k.Key)-43:] // the 256-bit secret ends the key
	rows, err := w.db.SQL().Query(`SELECT response_body FROM idempotency_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body, secret) {
			t.Errorf("idempotency_keys.response_body holds a live API key in the clear: %s", body)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestIdempotencyConcurrent sends the same request with the same key at once:
// exactly one runs, the others wait their turn (409) or get its answer.
func TestIdempotencyConcurrent(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			body := map[string]any{"name": "raced", "scopes": []string{"read"}}
			const n = 8
			var wg sync.WaitGroup
			results := make([]*response, n)
			for i := range n {
				wg.Go(func() {
					results[i] = admin.do("POST", "/api/v1/api-keys", body, header("Idempotency-Key", "race"))
				})
			}
			wg.Wait()
			fresh := 0
			for _, r := range results {
				switch {
				case r.StatusCode == http.StatusCreated && r.Header.Get("Idempotent-Replayed") == "":
					fresh++
				case r.StatusCode == http.StatusCreated:
				case r.StatusCode == http.StatusConflict:
					if r.Header.Get("Retry-After") == "" {
						t.Errorf("409 while in progress without Retry-After")
					}
				default:
					t.Errorf("status %d: %s", r.StatusCode, r.body)
				}
			}
			if fresh != 1 {
				t.Errorf("%d requests ran, want 1", fresh)
			}
			if got := keyNames(t, admin)["raced"]; got != 1 {
				t.Errorf("%d keys made, want 1", got)
			}
		})
	}
}
