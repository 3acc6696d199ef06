package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The API inbound scenario: a business system's clients post messages on the
// API channel with an API key, over keep-alive HTTP.
const (
	apiInboundClients   = 8
	apiInboundCustomers = 1600 // new customers, each a first message and a conversation
	apiInboundExisting  = 8000 // messages into those conversations, 8 clients
	apiInboundSingle    = 1500 // the same, one client
)

var (
	apiInboundOnce    sync.Once
	apiInboundEngines = flag.String("api_inbound.engines", "sqlite,postgres", "BenchmarkAPIInbound: the engines to run on")
)

// BenchmarkAPIInbound measures POST /api/v1/channels/api/messages on a whole
// node serving on a loopback port, routing led by that node, with a queue for
// the channel under an SLA policy and two available agents: what each message
// costs the database with everything it sets off (routing, SLA clocks,
// events), not only the request.
//
// Phase "new": 8 clients post the first message of new customers (a persona,
// a conversation, its routing). Phase "c8": 8 clients post into those
// customers' conversations; phase "c1": one client does. Each phase reports
// messages per second, the p50 round trip, and the write transactions the
// database committed per message — counted by the database (SQLite's commit
// hook; on PostgreSQL, read off the wire protocol by a proxy in front of the
// server, which also counts statements) from the phase's start until the
// node is quiet again, so work the node does after answering is counted too.
// It runs on SQLite, then PostgreSQL (SWITCHBOARD_TEST_POSTGRES, else the
// local test server). The scenario is fixed and runs once per process.
func BenchmarkAPIInbound(b *testing.B) {
	apiInboundOnce.Do(func() {
		for _, engine := range []string{"sqlite", "postgres"} {
			if strings.Contains(*apiInboundEngines, engine) {
				apiInboundRun(b, engine)
			}
		}
	})
	for range b.N {
	}
}

// inboundNode is a node with what the scenario needs: an API key, and the
// database's counts.
type inboundNode struct {
	base, key string
	app       *app.App
	// counts reads the write transactions committed so far and the
	// statements completed (-1 where the engine does not say).
	counts func() (commits, statements int64)
}

func startInboundNode(b *testing.B, engine string) *inboundNode {
	b.Helper()
	n := &inboundNode{}
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen = b.TempDir(), ""
	cfg.RatePerSecond, cfg.RateBurst = 1e9, 1<<30
	if engine == "postgres" {
		dsn, wire := storetest.CountingProxy(b, storetest.PostgresDSN(b))
		cfg.DB = dsn
		n.counts = func() (int64, int64) { return wire.Commits.Load(), wire.Statements.Load() }
	}
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		b.Fatal(err)
	}
	n.app = a
	if n.counts == nil {
		n.counts = func() (int64, int64) {
			c, _ := a.DB.Commits()
			return c, -1
		}
	}
	t, admin, err := a.Accounts.CreateTenant(ctx, "bench", "Bench Bank", true, accounts.NewUser{Email: "admin@bench.example", Name: "Admin", Password: "bench-password-1"})
	if err != nil {
		b.Fatal(err)
	}
	actor := accounts.Actor{TenantID: t.ID, Type: "user", ID: admin.ID}
	if _, n.key, err = a.Accounts.CreateAPIKey(ctx, actor, "bench", []string{"admin"}); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	b.Cleanup(func() {
		cancel()
		<-served
		a.Close()
	})
	n.base = "http://" + ln.Addr().String()

	// Routing as a business runs it: a queue for the channel under an SLA
	// policy (first response, next response, resolution) and agents ready.
	var policy, queue struct{ ID string }
	n.call(b, "POST", "/api/v1/sla-policies", map[string]any{"name": "Standard", "first_response": "1h", "next_response": "1h", "resolution": "8h"}, &policy)
	n.call(b, "POST", "/api/v1/queues", map[string]any{"name": "API", "default": true, "channels": []string{"api"},
		"sla_policy_id": policy.ID, "offer_timeout_seconds": 3600}, &queue)
	for i := range 2 {
		u, err := a.Accounts.CreateUser(ctx, actor, accounts.NewUser{Email: fmt.Sprintf("agent%d@bench.example", i), Name: fmt.Sprintf("Agent %d", i),
			Role: tenant.RoleAgent, Password: "bench-password-1"})
		if err != nil {
			b.Fatal(err)
		}
		n.call(b, "PUT", "/api/v1/users/"+u.ID+"/routing", map[string]any{"queues": []string{queue.ID}, "capacity": map[string]int{"message": 3}}, nil)
		if _, err := a.Accounts.SetPresence(ctx, t.ID, u.ID, tenant.PresenceAvailable); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for !a.Dispatch.Leading() {
		if time.Now().After(deadline) {
			b.Fatal("no routing leader after a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

// call makes one admin API call that must succeed.
func (n *inboundNode) call(b *testing.B, method, path string, body, into any) {
	b.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, n.base+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+n.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
	}
	if into != nil {
		if err := json.Unmarshal(got, into); err != nil {
			b.Fatal(err)
		}
	}
}

// inboundPhase is what one phase measured.
type inboundPhase struct {
	lat                 Latencies
	commits, statements float64       // per message
	cpu                 time.Duration // the process's CPU time per message, the clients' included
	convs               []string
}

// post sends the n messages that msg makes (i = 0…n-1) from clients
// keep-alive clients, and counts what the database did until the node is
// quiet again.
func (n *inboundNode) post(clients, count int, msg func(i int) map[string]any) (inboundPhase, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	bodies := make([][]byte, count)
	for i := range bodies {
		bodies[i], _ = json.Marshal(msg(i))
	}
	samples := make([]time.Duration, count)
	convs := make([]string, count)
	c0, s0 := n.counts()
	cpu0 := cpuTime()
	var mu sync.Mutex
	var next int
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= count {
					return
				}
				req, _ := http.NewRequest("POST", n.base+"/api/v1/channels/api/messages", bytes.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+n.key)
				req.Header.Set("Content-Type", "application/json")
				t := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					var out struct{ Conversation struct{ ID string } }
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					samples[i] = time.Since(t)
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, raw)
					} else if err = json.Unmarshal(raw, &out); err == nil {
						convs[i] = out.Conversation.ID
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return inboundPhase{}, firstErr
	}
	c1, s1 := n.quiet()
	ph := inboundPhase{lat: summarize(samples, elapsed), convs: convs,
		commits: float64(c1-c0) / float64(count), statements: -1, cpu: (cpuTime() - cpu0) / time.Duration(count)}
	if s0 >= 0 {
		ph.statements = float64(s1-s0) / float64(count)
	}
	return ph, nil
}

// quiet waits until the node has done what the phase set off — routing, SLA
// clocks — which is when its database goes (nearly) still, and returns the
// counts then: fewer than 3 commits in half a second, or 20 s at most.
func (n *inboundNode) quiet() (commits, statements int64) {
	deadline := time.Now().Add(20 * time.Second)
	c, s := n.counts()
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		c2, s2 := n.counts()
		if c2-c < 3 {
			return c2, s2
		}
		c, s = c2, s2
	}
	return c, s
}

func apiInboundRun(b *testing.B, engine string) {
	suffix := map[string]string{"sqlite": "", "postgres": "_pg"}[engine]
	progress := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "api inbound %s: "+format+"\n", append([]any{engine}, args...)...)
	}
	progress("starting a node")
	n := startInboundNode(b, engine)
	idle0, _ := n.quiet()
	time.Sleep(2 * time.Second)
	idle1, _ := n.counts()
	progress("idle: %.1f commits/s", float64(idle1-idle0)/2)

	run := time.Now().UnixNano()
	customer := func(i int) map[string]string {
		return map[string]string{"kind": "external", "value": fmt.Sprintf("crm-%d", i)}
	}
	news, err := n.post(apiInboundClients, apiInboundCustomers, func(i int) map[string]any {
		return map[string]any{"from": customer(i), "name": fmt.Sprintf("Customer %d", i),
			"external_id": fmt.Sprintf("new-%d-%d", run, i), "body": "Hello, I have a question about my card."}
	})
	if err != nil {
		b.Fatal(err)
	}
	report := func(phase string, ph inboundPhase) {
		progress("%s: %.0f msgs/s, p50 %.2f ms, p99 %.2f ms, %.2f commits and %.1f statements per message, %.0f µs CPU per message",
			phase, ph.lat.PerSecond(), ms(ph.lat.P50), ms(ph.lat.P99), ph.commits, ph.statements, float64(ph.cpu)/float64(time.Microsecond))
	}
	report("new customers, 8 clients", news)
	into := func(tag string) func(i int) map[string]any {
		return func(i int) map[string]any {
			k := i % apiInboundCustomers
			return map[string]any{"from": customer(k), "conversation_id": news.convs[k],
				"external_id": fmt.Sprintf("%s-%d-%d", tag, run, i), "body": fmt.Sprintf("Another detail, number %d.", i)}
		}
	}
	c8, err := n.post(apiInboundClients, apiInboundExisting, into("c8"))
	if err != nil {
		b.Fatal(err)
	}
	report("existing conversations, 8 clients", c8)
	c1, err := n.post(1, apiInboundSingle, into("c1"))
	if err != nil {
		b.Fatal(err)
	}
	report("existing conversations, 1 client", c1)

	Report("api_inbound_msgs_per_s_c8"+suffix, c8.lat.PerSecond(), "msgs/s")
	Report("api_inbound_p50_ms_c8"+suffix, ms(c8.lat.P50), "ms")
	Report("api_inbound_p99_ms_c8"+suffix, ms(c8.lat.P99), "ms")
	Report("api_inbound_tx_per_msg"+suffix, c8.commits, "tx/msg")
	// CPU per message holds up better than a rate on a loaded machine: the
	// node and its clients, until the node is quiet again.
	Report("api_inbound_cpu_us_per_msg_c8"+suffix, float64(c8.cpu)/float64(time.Microsecond), "µs/msg")
	Report("api_inbound_cpu_us_per_msg_c1"+suffix, float64(c1.cpu)/float64(time.Microsecond), "µs/msg")
	Report("api_inbound_msgs_per_s_c1"+suffix, c1.lat.PerSecond(), "msgs/s")
	Report("api_inbound_p50_ms_c1"+suffix, ms(c1.lat.P50), "ms")
	Report("api_inbound_tx_per_msg_c1"+suffix, c1.commits, "tx/msg")
	Report("api_inbound_new_msgs_per_s_c8"+suffix, news.lat.PerSecond(), "msgs/s")
	Report("api_inbound_new_p50_ms_c8"+suffix, ms(news.lat.P50), "ms")
	Report("api_inbound_new_tx_per_msg"+suffix, news.commits, "tx/msg")
	if c8.statements >= 0 {
		Report("api_inbound_stmts_per_msg"+suffix, c8.statements, "stmts/msg")
		Report("api_inbound_new_stmts_per_msg"+suffix, news.statements, "stmts/msg")
	}
}
