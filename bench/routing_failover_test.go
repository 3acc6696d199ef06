package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkRoutingFailover measures how long a routing shard goes without
// a leader when its leader dies: three `switchboard serve` processes on
// PostgreSQL and the machine's NATS, the demo tenant's agent available and
// work of its own waiting on her (offers outstanding); the node leading the
// tenant's shard is killed with SIGKILL, a visitor's chat arrives through
// another node at once, and the time from the kill to that chat's offer
// (stamped by the new leader) is the failover. The killed node is started
// again and the shards settle before the next round (FAILOVER_ROUNDS,
// default 3). After each round no work item has two open offers and no
// conversation two assignments.
//
//	BENCH routing_failover_s      the median round
//	BENCH routing_failover_max_s  the slowest round
func BenchmarkRoutingFailover(b *testing.B) {
	rounds := envInt(b, "FAILOVER_ROUNDS", 3)
	dsn := storetest.PostgresDSN(b)
	nats := failoverNATS(b)
	bin := switchboardBinary(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })

	nodes := make([]*failoverNode, 3)
	for i := range nodes {
		nodes[i] = &failoverNode{name: fmt.Sprintf("node%d", i+1), bin: bin, dsn: dsn + "&application_name=" + fmt.Sprintf("node%d", i+1),
			nats: nats, data: b.TempDir(), demo: i == 0}
		nodes[i].start(b)
		b.Cleanup(nodes[i].stop)
	}
	defer func() {
		if b.Failed() {
			for _, n := range nodes {
				b.Logf("output of %s:\n%s", n.name, n.output())
			}
		}
	}()
	var tenantID string
	if err := db.QueryRow(`SELECT id FROM tenants WHERE slug = $1`, demo.Slug).Scan(&tenantID); err != nil {
		b.Fatal(err)
	}
	key := int32(0x726f7574 + 1 + dispatch.ShardOf(tenantID, 32))

	// Ana serves every queue with room for many chats, and is available.
	admin := newFailoverClient(b, nodes[1].url)
	admin.login(b, "admin@northwind.example")
	var queues struct{ Items []struct{ ID string } }
	admin.do(b, "GET", "/api/v1/queues", nil, &queues)
	ana := newFailoverClient(b, nodes[2].url)
	ana.login(b, "ana@northwind.example")
	var me struct{ User struct{ ID string } }
	ana.do(b, "GET", "/api/v1/me", nil, &me)
	var qids []string
	for _, q := range queues.Items {
		qids = append(qids, q.ID)
	}
	admin.do(b, "PUT", "/api/v1/users/"+me.User.ID+"/routing", map[string]any{"queues": qids,
		"capacity": map[string]int{"chat": 50, "message": 50}}, nil)
	ana.do(b, "PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil)

	var took []float64
	for round := range rounds {
		leader := settleShards(b, db, key, nodes)
		others := slices.DeleteFunc(slices.Clone(nodes), func(n *failoverNode) bool { return n == leader })
		// An offer to Ana is outstanding when the leader dies (routing offers
		// an agent one item at a time), and work waits behind it.
		failoverVisitor(b, others[0].url, fmt.Sprintf("Before %d", round), "is anyone there?")
		offerID := failoverOpenOffer(b, db, tenantID, me.User.ID)

		killed := time.Now()
		leader.kill()
		failoverVisitor(b, others[round%2].url, fmt.Sprintf("After %d", round), "hello again?")
		// Ana accepts the offer she had, through a node that lives: it is
		// answered by the shard's new leader, which then offers her the next.
		failoverAccept(b, newFailoverClientAs(b, others[(round+1)%2].url, "ana@northwind.example"), offerID)
		offered := failoverOffer(b, db, tenantID, killed, 60*time.Second)
		s := offered.Sub(killed).Seconds()
		took = append(took, s)
		b.Logf("round %d: killed %s; the offer outstanding was accepted after the hand-over and the next offer came %.2f s after the kill",
			round+1, leader.name, s)
		failoverOnceOnly(b, db, tenantID)
		leader.start(b)
	}
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2], "failover_s")
	fmt.Printf("BENCH routing_failover_s %.2f s\n", took[len(took)/2])
	fmt.Printf("BENCH routing_failover_max_s %.2f s\n", took[len(took)-1])
	for range b.N {
	}
}

// settleShards waits until the three nodes hold every shard between them, each
// its share, and returns the node leading the shard of key.
func settleShards(b *testing.B, db *sql.DB, key int32, nodes []*failoverNode) *failoverNode {
	b.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		rows, err := db.Query(`SELECT a.application_name, CAST(l.classid AS BIGINT) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ExclusiveLock'
			AND l.objid = CAST(hashtext(current_schema()) AS oid)
			AND CAST(l.classid AS BIGINT) BETWEEN $1 AND $2`, 0x726f7574+1, 0x726f7574+32)
		if err != nil {
			b.Fatal(err)
		}
		per, total, holder := map[string]int{}, 0, ""
		for rows.Next() {
			var app string
			var k int64
			if err := rows.Scan(&app, &k); err != nil {
				b.Fatal(err)
			}
			per[app]++
			total++
			if int32(k) == key {
				holder = app
			}
		}
		rows.Close()
		if total != 32 || len(per) != 3 || holder == "" {
			continue
		}
		even := true
		for _, n := range per {
			even = even && n >= 10 && n <= 11
		}
		if !even {
			continue
		}
		for _, n := range nodes {
			if n.name == holder {
				// Held is not yet rebuilt: give the leader its rebuild.
				time.Sleep(2 * time.Second)
				return n
			}
		}
	}
	b.Fatal("the shards did not settle over the three nodes in 90 s")
	return nil
}

// failoverOpenOffer waits until the agent has an open offer and returns it.
func failoverOpenOffer(b *testing.B, db *sql.DB, tenantID, agentID string) string {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var id string
		err := db.QueryRow(`SELECT id FROM routing_offers WHERE tenant_id = $1 AND agent_id = $2 AND state = 'open'`, tenantID, agentID).Scan(&id)
		if err == nil {
			return id
		}
		if err != sql.ErrNoRows {
			b.Fatal(err)
		}
	}
	b.Fatal("the agent was offered nothing in 30 s")
	return ""
}

// failoverAccept accepts the offer, trying again while routing answers
// that it is changing nodes (503).
func failoverAccept(b *testing.B, c *failoverClient, offerID string) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("POST", c.base+"/api/v1/offers/"+offerID+"/accept", nil)
		resp, err := c.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNoContent:
			return
		case resp.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline):
			time.Sleep(50 * time.Millisecond)
		default:
			b.Fatalf("accept the offer outstanding across the hand-over: %d %s", resp.StatusCode, raw)
		}
	}
}

// failoverOffer waits for an offer of the tenant's made after since, and
// returns when the leader stamped it.
func failoverOffer(b *testing.B, db *sql.DB, tenantID string, since time.Time, limit time.Duration) time.Time {
	b.Helper()
	deadline := time.Now().Add(limit)
	for ; time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var at sql.NullInt64
		if err := db.QueryRow(`SELECT min(created_at) FROM routing_offers WHERE tenant_id = $1 AND created_at >= $2`,
			tenantID, since.UnixMicro()).Scan(&at); err != nil {
			b.Fatal(err)
		}
		if at.Valid {
			return time.UnixMicro(at.Int64)
		}
	}
	var diag []string
	rows, err := db.Query(`SELECT c.id, c.status, c.assignee_id, COALESCE(w.state, ''), COALESCE(w.queue_id, ''), COALESCE(w.agent_id, '') FROM conversations c
		LEFT JOIN routing_work w ON w.tenant_id = c.tenant_id AND w.conversation_id = c.id
		WHERE c.tenant_id = $1 AND c.created_at >= $2`, tenantID, since.UnixMicro())
	if err == nil {
		for rows.Next() {
			var a, b2, c, d, e, f string
			rows.Scan(&a, &b2, &c, &d, &e, &f)
			diag = append(diag, strings.Join([]string{a, b2, c, d, e, f}, " "))
		}
		rows.Close()
	}
	rows, err = db.Query(`SELECT q.name, o.state, o.agent_id, w.state FROM routing_offers o JOIN routing_work w ON w.tenant_id = o.tenant_id AND w.id = o.work_id
		LEFT JOIN routing_queues q ON q.tenant_id = w.tenant_id AND q.id = w.queue_id WHERE o.tenant_id = $1`, tenantID)
	if err == nil {
		for rows.Next() {
			var a, b2, c, d sql.NullString
			rows.Scan(&a, &b2, &c, &d)
			diag = append(diag, "offer "+a.String+" "+b2.String+" "+c.String+" "+d.String)
		}
		rows.Close()
	} else {
		diag = append(diag, err.Error())
	}
	var cfg, presence string
	db.QueryRow(`SELECT a.config, u.presence FROM routing_agents a JOIN users u ON u.id = a.user_id WHERE u.email = 'ana@northwind.example'`).Scan(&cfg, &presence)
	diag = append(diag, "ana "+presence+" "+cfg)
	b.Fatalf("no offer made after %s within %s; conversations since: %v", since.Format(time.RFC3339Nano), limit, diag)
	return time.Time{}
}

// failoverOnceOnly fails if a work item has two open offers or a conversation two
// assigned items.
func failoverOnceOnly(b *testing.B, db *sql.DB, tenantID string) {
	b.Helper()
	var twice int
	if err := db.QueryRow(`SELECT
		(SELECT count(*) FROM (SELECT work_id FROM routing_offers WHERE tenant_id = $1 AND state = 'open' GROUP BY work_id HAVING count(*) > 1) o) +
		(SELECT count(*) FROM (SELECT conversation_id FROM routing_work WHERE tenant_id = $1 AND state = 'assigned' AND kind = 'conversation'
			GROUP BY conversation_id HAVING count(*) > 1) w)`, tenantID).Scan(&twice); err != nil {
		b.Fatal(err)
	}
	if twice != 0 {
		b.Fatalf("%d items offered or assigned twice after the hand-over", twice)
	}
}

// failoverVisitor opens a web chat on the demo widget through base and sends one
// message, returning once the node acknowledged it (it is stored).
func failoverVisitor(b *testing.B, base, name, body string) {
	b.Helper()
	c := newFailoverClient(b, base)
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	c.do(b, "POST", "/channels/webchat/"+demo.WidgetKey+"/session", map[string]any{"name": name}, &sess)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/channels/webchat/"+demo.WidgetKey+"/socket?token="+sess.VisitorToken, nil)
	if err != nil {
		b.Fatalf("visitor socket: %v", err)
	}
	defer ws.CloseNow()
	if err := wsjson.Write(ctx, ws, map[string]any{"type": "message", "client_id": "c1", "body": body}); err != nil {
		b.Fatal(err)
	}
	for {
		var f struct {
			Type string `json:"type"`
		}
		if err := wsjson.Read(ctx, ws, &f); err != nil {
			b.Fatalf("no ack for the visitor's message: %v", err)
		}
		if f.Type == "ack" {
			return
		}
	}
}

// failoverNode is one `switchboard serve` process of the failover bench.
type failoverNode struct {
	name, bin, dsn, nats, data, url string
	demo                            bool

	mu     sync.Mutex
	out    bytes.Buffer
	cmd    *exec.Cmd
	exited chan struct{}
}

func (n *failoverNode) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.Write(p)
}

func (n *failoverNode) output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.String()
}

// start runs the process (on a new port each time) and waits until it is
// ready. PostgreSQL is shared with other test runs on this machine: a node
// refused a connection because the server has too many clients is started
// again, a few times.
func (n *failoverNode) start(b *testing.B) {
	b.Helper()
	for try := 1; ; try++ {
		err := n.run(b)
		if err == nil {
			return
		}
		if try == 10 || !strings.Contains(err.Error(), "too many clients") {
			b.Fatal(err)
		}
		b.Logf("%s: PostgreSQL has too many clients; starting again", n.name)
		time.Sleep(2 * time.Second)
	}
}

// run starts the process once and waits until it is ready.
func (n *failoverNode) run(b *testing.B) error {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n.url = "http://" + addr
	args := []string{"serve", "--addr", addr, "--data", n.data, "--smtp-listen=", "--log-level", "info", "--db", n.dsn, "--nats", n.nats}
	if n.demo {
		args = append(args, "--demo")
	}
	n.mu.Lock()
	n.out.Reset()
	n.mu.Unlock()
	n.cmd = exec.Command(n.bin, args...)
	n.cmd.Stdout, n.cmd.Stderr = n, n
	if err := n.cmd.Start(); err != nil {
		return err
	}
	n.exited = make(chan struct{})
	exited := n.exited
	go func() { n.cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready:\n%s", n.name, n.output())
		default:
		}
		if resp, err := http.Get(n.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				n.demo = false // seeded once
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready in 90 s:\n%s", n.name, n.output())
}

// kill ends the process with SIGKILL, as a crash would.
func (n *failoverNode) kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
}

// stop ends the process gracefully, if it runs.
func (n *failoverNode) stop() {
	if n.cmd == nil {
		return
	}
	select {
	case <-n.exited:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		n.kill()
	}
}

// failoverNATS is the machine's NATS server, failing clearly when it is
// down.
func failoverNATS(b *testing.B) string {
	b.Helper()
	u := os.Getenv("SWITCHBOARD_TEST_NATS")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "nats://"), 2*time.Second)
	if err != nil {
		b.Fatalf("NATS at %s is needed and is not answering (%v). Start it with: "+
			"start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server", u, err)
	}
	c.Close()
	return u
}

// failoverClient is a signed-in HTTP client of one node.
type failoverClient struct {
	base string
	http *http.Client
}

func newFailoverClient(b *testing.B, base string) *failoverClient {
	jar, _ := cookiejar.New(nil)
	return &failoverClient{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// newFailoverClientAs is a client of base signed in as the demo user.
func newFailoverClientAs(b *testing.B, base, email string) *failoverClient {
	c := newFailoverClient(b, base)
	c.login(b, email)
	return c
}

func (c *failoverClient) login(b *testing.B, email string) {
	b.Helper()
	c.do(b, "POST", "/api/v1/auth/login", map[string]string{"tenant": demo.Slug, "email": email, "password": demo.Password}, nil)
}

// do makes one JSON call that must succeed.
func (c *failoverClient) do(b *testing.B, method, path string, body, out any) {
	b.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		b.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}
