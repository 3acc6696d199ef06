package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestAPIInboundCommitsPerMessage: on a node as it runs, with routing led by
// it, a queue for the API channel under an SLA policy and an available agent,
// messages posted by 8 clients into existing conversations cost at most 1.5
// committed write transactions each — counted by the database (SQLite's
// commit hook; on PostgreSQL, read off the wire) until the node is quiet
// again, so what routing and the SLA clocks do after the answer counts too.
// The clocks still move in SQL: an agent's reply meets the first response.
func TestAPIInboundCommitsPerMessage(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.DataDir, cfg.SMTPListen = t.TempDir(), ""
			cfg.RatePerSecond, cfg.RateBurst = 1e6, 1<<20
			var counts func() int64
			if engine == "postgres" {
				dsn, wire := storetest.CountingProxy(t, storetest.PostgresDSN(t))
				cfg.DB, counts = dsn, wire.Commits.Load
			}
			if err := cfg.Finish(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
			if err != nil {
				cancel()
				t.Fatalf("open node: %v", err)
			}
			if counts == nil {
				counts = func() int64 { n, _ := a.DB.Commits(); return n }
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			served := make(chan struct{})
			go func() { defer close(served); a.Serve(ctx, ln) }()
			t.Cleanup(func() { cancel(); <-served; a.Close() })
			base := "http://" + ln.Addr().String()
			waitServing(t, base)

			tn, admin, err := a.Accounts.CreateTenant(ctx, "northwind", "Northwind", false,
				accounts.NewUser{Email: "admin@northwind.example", Name: "Ada Admin", Password: "inbound-test-password-1"})
			if err != nil {
				t.Fatal(err)
			}
			actor := accounts.Actor{TenantID: tn.ID, Type: "user", ID: admin.ID}
			_, key, err := a.Accounts.CreateAPIKey(ctx, actor, "crm", []string{"admin"})
			if err != nil {
				t.Fatal(err)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
			do := func(method, path string, body, out any, want int) {
				raw, _ := json.Marshal(body)
				req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				got, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != want {
					t.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, got)
					return
				}
				if out != nil {
					if err := json.Unmarshal(got, out); err != nil {
						t.Errorf("%s %s: %v", method, path, err)
					}
				}
			}
			var policy, queue struct{ ID string }
			do("POST", "/api/v1/sla-policies", map[string]any{"name": "Standard", "first_response": "1h", "next_response": "1h", "resolution": "8h"}, &policy, http.StatusCreated)
			do("POST", "/api/v1/queues", map[string]any{"name": "API", "default": true, "channels": []string{"api"},
				"sla_policy_id": policy.ID, "offer_timeout_seconds": 3600}, &queue, http.StatusCreated)
			agent, err := a.Accounts.CreateUser(ctx, actor, accounts.NewUser{Email: "ana@northwind.example", Name: "Ana Agent",
				Role: tenant.RoleAgent, Password: "inbound-test-password-1"})
			if err != nil {
				t.Fatal(err)
			}
			do("PUT", "/api/v1/users/"+agent.ID+"/routing", map[string]any{"queues": []string{queue.ID}, "capacity": map[string]int{"message": 2}}, nil, http.StatusOK)
			if _, err := a.Accounts.SetPresence(ctx, tn.ID, agent.ID, tenant.PresenceAvailable); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(30 * time.Second); !a.Dispatch.Leading(); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no routing leader after 30 s")
				}
			}
			if t.Failed() {
				t.FailNow()
			}

			const customers, messages, clients = 16, 240, 8
			convs := make([]string, customers)
			for i := range convs {
				var in struct{ Conversation struct{ ID string } }
				do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "external", "value": fmt.Sprintf("crm-%d", i)},
					"external_id": fmt.Sprintf("first-%d", i), "body": "Where is my card?"}, &in, http.StatusCreated)
				convs[i] = in.Conversation.ID
			}
			quiet(t, counts)

			before := counts()
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := c; i < messages; i += clients {
						k := i % customers
						do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "external", "value": fmt.Sprintf("crm-%d", k)},
							"conversation_id": convs[k], "external_id": fmt.Sprintf("more-%d", i), "body": fmt.Sprintf("One more thing, %d.", i)}, nil, http.StatusCreated)
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			per := float64(quiet(t, counts)-before) / messages
			t.Logf("%s: %.2f committed write transactions per message into an existing conversation", engine, per)
			if per > 1.5 {
				t.Errorf("%.2f committed write transactions per message into an existing conversation, want at most 1.5", per)
			}

			// The clocks are in SQL, and move: a reply meets the first response.
			clocks := func(conv string) map[string]string {
				var out struct {
					Items []struct{ Target, State string }
				}
				do("GET", "/api/v1/conversations/"+conv+"/sla", nil, &out, http.StatusOK)
				m := map[string]string{}
				for _, c := range out.Items {
					m[c.Target] = c.State
				}
				return m
			}
			if got := clocks(convs[0]); got["first_response"] != "running" || got["resolution"] != "running" {
				t.Fatalf("clocks of a waiting conversation: %v", got)
			}
			// An agent's reply (a reply under an API key is no agent's and
			// meets no clock).
			if _, err := a.Inbox.Reply(ctx, inbox.Actor{TenantID: tn.ID, UserID: agent.ID}, convs[0], inbox.ReplyInput{Body: "It is on its way."}); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(10 * time.Second); clocks(convs[0])["first_response"] != "met"; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the first response is not met in SQL after a reply: %v", clocks(convs[0]))
				}
			}
		})
	}
}

// quiet waits until the node's database is (nearly) still — fewer than 2
// commits in 300 ms, background work included — and returns the count then.
func quiet(t *testing.T, counts func() int64) int64 {
	t.Helper()
	n := counts()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		m := counts()
		if m-n < 2 {
			return m
		}
		n = m
	}
	t.Fatal("the node's database did not go quiet within 20 s")
	return 0
}
