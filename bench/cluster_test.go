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
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

// clusterProfiles, when set, is a directory where BenchmarkCluster writes a
// CPU profile of every node over each size's load (cpu-<nodes>-<i>.pprof),
// read from the node's --metrics-addr.
var clusterProfiles = flag.String("cluster.profiles", "", "BenchmarkCluster: a directory for the nodes' CPU profiles (empty: none)")

// BenchmarkCluster runs the same fixed load on one `switchboard serve`
// process and then on three, all on one PostgreSQL schema of the benchmark's
// own and a NATS server of its own (nats-server on a free port, so that
// other programs' traffic on a shared server stays out of the figures), each
// run with a fresh tenant and fresh processes.
//
// The load: clusterClients HTTP clients post API-channel inbound messages,
// each sending its requests to the nodes in turn as a round-robin load
// balancer would — first clusterCustomers new customers' first messages, then
// clusterMessages into their conversations — while clusterAgents agents,
// signed in on the nodes in turn with their realtime feeds open, accept
// every offer routing makes them. A run ends when every conversation is
// assigned (each to one agent) and the nodes have gone quiet.
//
// It reports messages per second (wall time, all messages) and the CPU time
// of all server processes (/proc/PID/stat, user and system) per message, at
// each size; the headline is the ratio of CPU per message at three nodes
// over one. On a machine with fewer cores than nodes, three nodes cannot be
// faster in wall time than one; CPU per message says whether what the
// cluster adds (NATS traffic, work every node repeats, forwarding to the
// routing leader) eats what more machines would give. A third run gives the
// three nodes three times the clients, the one node's concurrency each, since
// a node's group commit amortises less over the fewer requests a third of
// the load brings it. -cluster.profiles DIR writes each node's CPU profile.
func BenchmarkCluster(b *testing.B) {
	dsn := storetest.PostgresDSN(b)
	bus := startNATSServer(b)
	runs := []struct {
		name           string
		nodes, clients int
	}{{"1_node", 1, clusterClients}, {"3_nodes", 3, clusterClients}, {"3_nodes_c24", 3, 3 * clusterClients}}
	var slugs []string
	for _, r := range runs {
		slugs = append(slugs, strings.ReplaceAll(r.name, "_", "-"))
	}
	tenants := clusterTenants(b, dsn, slugs...)
	results := map[string]clusterResult{}
	for i, run := range runs {
		fmt.Fprintf(os.Stderr, "cluster: %s: starting\n", run.name)
		var nodes []*procNode
		var metrics []string
		for range run.nodes {
			m := freeLoopback(b)
			metrics = append(metrics, m)
			nodes = append(nodes, startProcNode(b, "--db", dsn, "--nats", bus.url, "--rate-limit", "1000000", "--rate-burst", "1000000",
				"--metrics-addr", m))
		}
		var profiled sync.WaitGroup
		profile := func() {
			if *clusterProfiles == "" {
				return
			}
			for j, m := range metrics {
				profiled.Add(1)
				go func() {
					defer profiled.Done()
					if err := saveProfile(m, filepath.Join(*clusterProfiles, fmt.Sprintf("cpu-%s-%d.pprof", run.name, j)), 15*time.Second); err != nil {
						b.Error(err)
					}
				}()
			}
		}
		r := clusterRun(b, nodes, bus, tenants[i], run.clients, profile)
		profiled.Wait()
		fmt.Fprintf(os.Stderr, "cluster: %s, %d clients: %d messages in %s (%.0f msgs/s), CPU %s of the nodes (%.0f µs/msg) and %s of NATS, idle %.2f %% of a core per node, %d offers accepted (%d accepts retried after a 503)\n",
			run.name, run.clients, r.messages, r.elapsed.Round(time.Millisecond), r.perSecond(), r.cpu.Round(time.Millisecond), r.cpuPerMsg(),
			r.natsCPU.Round(time.Millisecond), r.idlePct, r.accepted, r.acceptRetries)
		results[run.name] = r
		for _, n := range nodes {
			n.Stop()
		}
	}
	one, three, three24 := results["1_node"], results["3_nodes"], results["3_nodes_c24"]
	Report("cluster_msgs_per_s_1_node", one.perSecond(), "msgs/s")
	Report("cluster_msgs_per_s_3_nodes", three.perSecond(), "msgs/s")
	Report("cluster_cpu_us_per_msg_1_node", one.cpuPerMsg(), "µs/msg")
	Report("cluster_cpu_us_per_msg_3_nodes", three.cpuPerMsg(), "µs/msg")
	Report("cluster_cpu_us_per_msg_ratio_3_vs_1", three.cpuPerMsg()/one.cpuPerMsg(), "x")
	// The same concurrency per node as the one node had: what the cluster
	// adds once its nodes' group commits are as full as the one node's.
	Report("cluster_msgs_per_s_3_nodes_c24", three24.perSecond(), "msgs/s")
	Report("cluster_cpu_us_per_msg_ratio_3_c24_vs_1", three24.cpuPerMsg()/one.cpuPerMsg(), "x")
	// NATS's own CPU per message, beside the nodes'.
	Report("cluster_nats_cpu_us_per_msg_1_node", one.natsPerMsg(), "µs/msg")
	Report("cluster_nats_cpu_us_per_msg_3_nodes", three.natsPerMsg(), "µs/msg")
	Report("cluster_idle_cpu_pct_per_node_3_nodes", three.idlePct, "%")
	for b.Loop() {
	}
}

// natsServer is a nats-server process of the benchmark's own, so that other
// programs' traffic on a shared server neither reaches the nodes nor counts
// in the server's CPU.
type natsServer struct {
	url string
	pid int
}

// startNATSServer runs nats-server (from PATH, else /usr/sbin) on a free
// loopback port until the benchmark ends.
func startNATSServer(b *testing.B) natsServer {
	b.Helper()
	path, err := exec.LookPath("nats-server")
	if err != nil {
		path = "/usr/sbin/nats-server"
	}
	addr := freeLoopback(b)
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(path, "-a", host, "-p", port)
	if err := cmd.Start(); err != nil {
		b.Fatalf("BenchmarkCluster runs its own NATS server and could not start %s (%v): install nats-server", path, err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return natsServer{url: "nats://" + addr, pid: cmd.Process.Pid}
		}
		if time.Now().After(deadline) {
			b.Fatalf("nats-server at %s not answering after 10 s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// saveProfile reads a CPU profile of d from a node's metrics listener.
func saveProfile(metricsAddr, path string, d time.Duration) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", metricsAddr, int(d.Seconds())))
	if err != nil {
		return fmt.Errorf("profile %s: %w", metricsAddr, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: status %d: %v", metricsAddr, resp.StatusCode, err)
	}
	return os.WriteFile(path, raw, 0o644)
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
	natsCPU            time.Duration // the NATS server, the same span
	idlePct            float64       // per node, before the load, % of a core
	acceptRetries      int           // accepts answered 503 (routing changing nodes) and tried again
}

func (r clusterResult) perSecond() float64 { return float64(r.messages) / r.elapsed.Seconds() }
func (r clusterResult) natsPerMsg() float64 {
	return float64(r.natsCPU) / float64(time.Microsecond) / float64(r.messages)
}

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
// load and measures it; loading is called as the load begins.
func clusterRun(b *testing.B, nodes []*procNode, bus natsServer, t clusterTenant, clients int, loading func()) clusterResult {
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
	var retries atomic.Int64
	for i, email := range t.agents {
		ag := newClusterAgent(b, nodes[i%len(nodes)].URL, t.slug, email, &retries)
		go func() { agentErrs <- ag.acceptAll(ctx, assigned) }()
	}

	// The nodes' idle cost, with the agents signed in and nothing to route.
	time.Sleep(time.Second)
	idle0, idleStart := clusterCPU(b, nodes), time.Now()
	time.Sleep(3 * time.Second)
	idle := clusterCPU(b, nodes) - idle0
	idlePct := 100 * idle.Seconds() / time.Since(idleStart).Seconds() / float64(len(nodes))

	cpu0 := clusterCPU(b, nodes)
	nats0, err := procCPU(bus.pid)
	if err != nil {
		b.Fatal(err)
	}
	loading()
	start := time.Now()
	run := time.Now().UnixNano()
	customer := func(i int) map[string]string {
		return map[string]string{"kind": "external", "value": fmt.Sprintf("crm-%d", i)}
	}
	convs := make([]string, clusterCustomers)
	if err := clusterPost(nodes, t.key, clients, clusterCustomers, func(i int) map[string]any {
		return map[string]any{"from": customer(i), "name": fmt.Sprintf("Customer %d", i),
			"external_id": fmt.Sprintf("new-%d-%d", run, i), "body": "Hello, I have a question about my card."}
	}, func(i int, conv string) { convs[i] = conv }); err != nil {
		b.Fatal(err)
	}
	if err := clusterPost(nodes, t.key, clients, clusterMessages, func(i int) map[string]any {
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
	nats1, err := procCPU(bus.pid)
	if err != nil {
		b.Fatal(err)
	}
	return clusterResult{messages: clusterCustomers + clusterMessages, accepted: assigned.count(), elapsed: elapsed,
		cpu: clusterCPU(b, nodes) - cpu0, natsCPU: nats1 - nats0, idlePct: idlePct, acceptRetries: int(retries.Load())}
}

// clusterPost sends count messages made by msg from clients clients,
// request i of the run going to node i mod len(nodes), and hands each
// answer's conversation id to got (when not nil).
func clusterPost(nodes []*procNode, key string, clients, count int, msg func(i int) map[string]any, got func(i int, conv string)) error {
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	var mu sync.Mutex
	var next int
	var firstErr error
	var wg sync.WaitGroup
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
	c       *clusterClient
	id      string
	ws      *websocket.Conn
	retries *atomic.Int64 // accepts answered 503 and tried again, all agents
}

// accept accepts an offer and reports whether the conversation is the
// agent's. A 503 (routing changing nodes: the node that led it lost its
// lease) is tried again, as the desktop does; a 409 (answered, expired or
// withdrawn meanwhile) is looked into: a 503'd accept may have gone
// through, else the conversation, still waiting, is offered again.
func (ag *clusterAgent) accept(offerID, conversationID string) (bool, error) {
	for try := 0; ; try++ {
		err := ag.c.call("POST", "/api/v1/offers/"+offerID+"/accept", nil, nil)
		switch {
		case err == nil:
			return true, nil
		case strings.Contains(err.Error(), "status 409"):
			var conv struct {
				AssigneeID string `json:"assignee_id"`
			}
			if err := ag.c.call("GET", "/api/v1/conversations/"+conversationID, nil, &conv); err != nil {
				return false, err
			}
			return conv.AssigneeID == ag.id, nil
		case !strings.Contains(err.Error(), "status 503") || try == 30:
			return false, err
		}
		ag.retries.Add(1)
		time.Sleep(time.Second)
	}
}

func newClusterAgent(b *testing.B, base, slug, email string, retries *atomic.Int64) *clusterAgent {
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
	return &clusterAgent{c: c, id: me.User.ID, ws: ws, retries: retries}
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
		mine, err := ag.accept(d.OfferID, d.ConversationID)
		if err != nil {
			return err
		}
		if !mine {
			continue
		}
		if err := into.accepted(d.ConversationID, ag.id); err != nil {
			// The conversation's routing trail says how it came to be
			// offered again.
			var trail json.RawMessage
			if terr := ag.c.call("GET", "/api/v1/conversations/"+d.ConversationID+"/routing", nil, &trail); terr != nil {
				return fmt.Errorf("%w (trail: %v)", err, terr)
			}
			return fmt.Errorf("%w; its routing trail: %s", err, trail)
		}
	}
}
