package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The cluster scenario's fixed load, the same at every cluster size.
const (
	clusterClients   = 8    // HTTP clients posting, each spreading its requests over the nodes
	clusterCustomers = 250  // new customers: a first message, a conversation, its routing
	clusterMessages  = 3000 // messages into those conversations
	clusterAgents    = 6    // agents signed in, accepting every offer, 50 conversations each at most
	clusterPassword  = "cluster-bench-password-1"
)

// BenchmarkCluster runs the same fixed load on one `switchboard serve`
// process and then on three, all on one PostgreSQL schema of the benchmark's
// own and the machine's NATS (SWITCHBOARD_TEST_NATS, else 127.0.0.1:4222),
// each size with a fresh tenant and fresh processes.
//
// The load: clusterClients HTTP clients post API-channel inbound messages,
// each sending its requests to the nodes in turn as a round-robin load
// balancer would — first clusterCustomers new customers' first messages, then
// clusterMessages into their conversations — while clusterAgents agents,
// signed in on the nodes in turn with their realtime feeds open, accept
// every offer routing makes them. A size's run ends when every conversation
// is assigned and the nodes have gone quiet.
//
// It reports messages per second (wall time, all messages) and the CPU time
// of all server processes (/proc/PID/stat, user and system) per message, at
// each size; the headline is the ratio of CPU per message at three nodes
// over one. On a machine with fewer cores than nodes, three nodes cannot be
// faster in wall time than one; CPU per message says whether what the
// cluster adds (NATS traffic, work every node repeats, forwarding to the
// routing leader) eats what more machines would give.
func BenchmarkCluster(b *testing.B) {
	dsn := storetest.PostgresDSN(b)
	natsURL := os.Getenv("SWITCHBOARD_TEST_NATS")
	if natsURL == "" {
		natsURL = "nats://127.0.0.1:4222"
	}
	tenants := clusterTenants(b, dsn, "one", "three")
	sizes := []struct {
		nodes  int
		tenant clusterTenant
	}{{1, tenants[0]}, {3, tenants[1]}}
	results := map[int]clusterResult{}
	for _, size := range sizes {
		fmt.Fprintf(os.Stderr, "cluster: %d node(s): starting\n", size.nodes)
		var nodes []*procNode
		for range size.nodes {
			nodes = append(nodes, startProcNode(b, "--db", dsn, "--nats", natsURL, "--rate-limit", "1000000", "--rate-burst", "1000000"))
		}
		r := clusterRun(b, nodes, size.tenant)
		fmt.Fprintf(os.Stderr, "cluster: %d node(s): %d messages in %s (%.0f msgs/s), CPU %s (%.0f µs/msg), idle %.2f %% of a core per node, %d offers accepted\n",
			size.nodes, r.messages, r.elapsed.Round(time.Millisecond), r.perSecond(), r.cpu.Round(time.Millisecond), r.cpuPerMsg(), r.idlePct, r.accepted)
		results[size.nodes] = r
		for _, n := range nodes {
			n.Stop()
		}
	}
	one, three := results[1], results[3]
	Report("cluster_msgs_per_s_1_node", one.perSecond(), "msgs/s")
	Report("cluster_msgs_per_s_3_nodes", three.perSecond(), "msgs/s")
	Report("cluster_cpu_us_per_msg_1_node", one.cpuPerMsg(), "µs/msg")
	Report("cluster_cpu_us_per_msg_3_nodes", three.cpuPerMsg(), "µs/msg")
	Report("cluster_cpu_us_per_msg_ratio_3_vs_1", three.cpuPerMsg()/one.cpuPerMsg(), "x")
	Report("cluster_idle_cpu_pct_per_node_3_nodes", three.idlePct, "%")
	for b.Loop() {
	}
}

// clusterTenant is a tenant made for one size's run.
type clusterTenant struct {
	slug, key string
	agents    []string // e-mail addresses
}

// clusterTenants makes a tenant per slug on the schema — an API key and
// clusterAgents agents each — through a node opened in the benchmark's
// process for the purpose and closed before the measured nodes start.
func clusterTenants(b *testing.B, dsn string, slugs ...string) []clusterTenant {
	b.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.SMTPListen = b.TempDir(), dsn, ""
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	var out []clusterTenant
	for _, slug := range slugs {
		slug = "cluster-" + slug
		t, admin, err := a.Accounts.CreateTenant(ctx, slug, "Cluster "+slug, true,
			accounts.NewUser{Email: "admin@" + slug + ".example", Name: "Admin", Password: clusterPassword})
		if err != nil {
			b.Fatal(err)
		}
		ct := clusterTenant{slug: slug}
		actor := accounts.Actor{TenantID: t.ID, Type: "user", ID: admin.ID}
		if _, ct.key, err = a.Accounts.CreateAPIKey(ctx, actor, "bench", []string{"admin"}); err != nil {
			b.Fatal(err)
		}
		for i := range clusterAgents {
			email := fmt.Sprintf("agent%d@%s.example", i, slug)
			if _, err := a.Accounts.CreateUser(ctx, actor, accounts.NewUser{Email: email, Name: fmt.Sprintf("Agent %d", i),
				Role: tenant.RoleAgent, Password: clusterPassword}); err != nil {
				b.Fatal(err)
			}
			ct.agents = append(ct.agents, email)
		}
		out = append(out, ct)
	}
	return out
}

// clusterResult is what one size's run measured.
type clusterResult struct {
	messages, accepted int
	elapsed            time.Duration // first request to last answer
	cpu                time.Duration // all nodes, phase start until quiet
	idlePct            float64       // per node, before the load, % of a core
}

func (r clusterResult) perSecond() float64 { return float64(r.messages) / r.elapsed.Seconds() }
func (r clusterResult) cpuPerMsg() float64 {
	return float64(r.cpu) / float64(time.Microsecond) / float64(r.messages)
}

// clusterCPU is the CPU time of all the nodes so far.
func clusterCPU(b *testing.B, nodes []*procNode) time.Duration {
	b.Helper()
	var sum time.Duration
	for _, n := range nodes {
		c, err := n.CPU()
		if err != nil {
			b.Fatal(err)
		}
		sum += c
	}
	return sum
}

// clusterRun configures routing on the tenant, signs its agents in, sends the
// load and measures it.
func clusterRun(b *testing.B, nodes []*procNode, t clusterTenant) clusterResult {
	b.Helper()
	admin := &clusterClient{base: nodes[0].URL, key: t.key, http: &http.Client{Timeout: 30 * time.Second}}
	var policy, queue struct{ ID string }
	admin.must(b, "POST", "/api/v1/sla-policies", map[string]any{"name": "Standard", "first_response": "1h", "next_response": "1h", "resolution": "8h"}, &policy)
	admin.must(b, "POST", "/api/v1/queues", map[string]any{"name": "API", "default": true, "channels": []string{"api"},
		"sla_policy_id": policy.ID, "offer_timeout_seconds": 3600}, &queue)
	var users struct {
		Items []struct{ ID, Email string }
	}
	admin.must(b, "GET", "/api/v1/users?limit=100", nil, &users)
	for _, u := range users.Items {
		if strings.HasPrefix(u.Email, "agent") {
			admin.must(b, "PUT", "/api/v1/users/"+u.ID+"/routing", map[string]any{"queues": []string{queue.ID},
				"capacity": map[string]int{"message": 50}}, nil)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	assigned := newAssignments()
	agentErrs := make(chan error, len(t.agents))
	for i, email := range t.agents {
		ag := newClusterAgent(b, nodes[i%len(nodes)].URL, t.slug, email)
		go func() { agentErrs <- ag.acceptAll(ctx, assigned) }()
	}

	// The nodes' idle cost, with the agents signed in and nothing to route.
	time.Sleep(time.Second)
	idle0, idleStart := clusterCPU(b, nodes), time.Now()
	time.Sleep(3 * time.Second)
	idle := clusterCPU(b, nodes) - idle0
	idlePct := 100 * idle.Seconds() / time.Since(idleStart).Seconds() / float64(len(nodes))

	cpu0 := clusterCPU(b, nodes)
	start := time.Now()
	run := time.Now().UnixNano()
	customer := func(i int) map[string]string {
		return map[string]string{"kind": "external", "value": fmt.Sprintf("crm-%d", i)}
	}
	convs := make([]string, clusterCustomers)
	if err := clusterPost(nodes, t.key, clusterCustomers, func(i int) map[string]any {
		return map[string]any{"from": customer(i), "name": fmt.Sprintf("Customer %d", i),
			"external_id": fmt.Sprintf("new-%d-%d", run, i), "body": "Hello, I have a question about my card."}
	}, func(i int, conv string) { convs[i] = conv }); err != nil {
		b.Fatal(err)
	}
	if err := clusterPost(nodes, t.key, clusterMessages, func(i int) map[string]any {
		k := i % clusterCustomers
		return map[string]any{"from": customer(k), "conversation_id": convs[k],
			"external_id": fmt.Sprintf("more-%d-%d", run, i), "body": fmt.Sprintf("Another detail, number %d.", i)}
	}, nil); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)

	// Every conversation offered and accepted, then the nodes quiet: less
	// than 5 % of a core each over half a second, or 30 s at most.
	want := map[string]bool{}
	for _, c := range convs {
		want[c] = true
	}
	select {
	case <-assigned.all(want):
	case err := <-agentErrs:
		b.Fatalf("an agent stopped: %v", err)
	case <-time.After(2 * time.Minute):
		b.Fatalf("%d of %d conversations accepted after 2 minutes", assigned.count(), len(want))
	}
	deadline := time.Now().Add(30 * time.Second)
	for last := clusterCPU(b, nodes); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		now := clusterCPU(b, nodes)
		if now-last < time.Duration(len(nodes))*25*time.Millisecond {
			break
		}
		last = now
	}
	return clusterResult{messages: clusterCustomers + clusterMessages, accepted: assigned.count(), elapsed: elapsed,
		cpu: clusterCPU(b, nodes) - cpu0, idlePct: idlePct}
}

// clusterPost sends count messages made by msg from clusterClients clients,
// request i of the run going to node i mod len(nodes), and hands each
// answer's conversation id to got (when not nil).
func clusterPost(nodes []*procNode, key string, count int, msg func(i int) map[string]any, got func(i int, conv string)) error {
	transport := &http.Transport{MaxIdleConnsPerHost: clusterClients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	var mu sync.Mutex
	var next int
	var firstErr error
	var wg sync.WaitGroup
	for range clusterClients {
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
				body, _ := json.Marshal(msg(i))
				req, _ := http.NewRequest("POST", nodes[i%len(nodes)].URL+"/api/v1/channels/api/messages", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err == nil {
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					var out struct{ Conversation struct{ ID string } }
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("message %d: status %d: %s", i, resp.StatusCode, raw)
					} else if err = json.Unmarshal(raw, &out); err == nil && got != nil {
						got(i, out.Conversation.ID)
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// clusterClient calls the API with an API key.
type clusterClient struct {
	base, key string
	http      *http.Client
}

// must makes one call that must succeed and decodes its answer into into.
func (c *clusterClient) must(b *testing.B, method, path string, body, into any) {
	b.Helper()
	if err := c.call(method, path, body, into); err != nil {
		b.Fatal(err)
	}
}

func (c *clusterClient) call(method, path string, body, into any) error {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, raw)
	}
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			return fmt.Errorf("%s %s: decode %s: %w", method, path, raw, err)
		}
	}
	return nil
}

// assignments are the conversations agents accepted, each once.
type assignments struct {
	mu      sync.Mutex
	convs   map[string]string // conversation → agent
	changed chan struct{}
	err     error
}

func newAssignments() *assignments {
	return &assignments{convs: map[string]string{}, changed: make(chan struct{}, 1)}
}

// accepted records that agent accepted conv; a conversation accepted by two
// agents is an error the run fails on.
func (a *assignments) accepted(conv, agent string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if prev, ok := a.convs[conv]; ok && prev != agent {
		return fmt.Errorf("conversation %s accepted by %s and by %s", conv, prev, agent)
	}
	a.convs[conv] = agent
	select {
	case a.changed <- struct{}{}:
	default:
	}
	return nil
}

func (a *assignments) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.convs)
}

// all is closed once every conversation in want has been accepted.
func (a *assignments) all(want map[string]bool) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for {
			a.mu.Lock()
			missing := 0
			for c := range want {
				if _, ok := a.convs[c]; !ok {
					missing++
				}
			}
			a.mu.Unlock()
			if missing == 0 {
				close(done)
				return
			}
			select {
			case <-a.changed:
			case <-time.After(time.Second):
			}
		}
	}()
	return done
}

// clusterAgent is an agent signed in on one node, with the realtime feed open.
type clusterAgent struct {
	c  *clusterClient
	id string
	ws *websocket.Conn
}

func newClusterAgent(b *testing.B, base, slug, email string) *clusterAgent {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &clusterClient{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	c.must(b, "POST", "/api/v1/auth/login", map[string]string{"tenant": slug, "email": email, "password": clusterPassword}, nil)
	var me struct{ User struct{ ID string } }
	c.must(b, "GET", "/api/v1/me", nil, &me)
	var tok struct{ Token string }
	c.must(b, "POST", "/api/v1/realtime/token", nil, &tok)
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(base, "http", "ws", 1)+"/api/v1/realtime?token="+tok.Token, nil)
	if err != nil {
		b.Fatalf("agent feed: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	b.Cleanup(func() { ws.CloseNow() })
	c.must(b, "PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil)
	return &clusterAgent{c: c, id: me.User.ID, ws: ws}
}

// acceptAll accepts every offer made to the agent until ctx ends.
func (ag *clusterAgent) acceptAll(ctx context.Context, into *assignments) error {
	for {
		var ev struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := wsjson.Read(ctx, ag.ws, &ev); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("agent feed: %w", err)
		}
		if ev.Type != "routing.offered" {
			continue
		}
		var d struct {
			OfferID        string `json:"offer_id"`
			ConversationID string `json:"conversation_id"`
			AgentID        string `json:"agent_id"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return fmt.Errorf("offer %s: %w", ev.Data, err)
		}
		if d.AgentID != ag.id {
			continue
		}
		if err := ag.c.call("POST", "/api/v1/offers/"+d.OfferID+"/accept", nil, nil); err != nil {
			return err
		}
		if err := into.accepted(d.ConversationID, ag.id); err != nil {
			return err
		}
	}
}
