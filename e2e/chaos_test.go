package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
)

// chaosPlan sizes a chaos run: the short one in `make test`, the long one
// (SWITCHBOARD_CHAOS_LONG=1, set by scripts/bench.sh) in `make bench`.
type chaosPlan struct {
	name      string
	chaos     time.Duration // how long nodes are killed under load
	killEvery time.Duration // the pause between one node's restart and the next kill
	audience  int           // personas the notices' slices are cut from
	slice     int           // recipients per notice event
	// drain bounds the wait, after the chaos, for routing and deliveries to
	// settle (a delivery its dead node held waits out its one-minute lease);
	// the wait ends as soon as they have, so it is generous: a slow machine
	// must not fail the checks on a timing.
	drain time.Duration
}

func planChaos() chaosPlan {
	if os.Getenv("SWITCHBOARD_CHAOS_LONG") != "" {
		return chaosPlan{name: "long", chaos: 4 * time.Minute, killEvery: 5 * time.Second, audience: 1_000_000, slice: 100, drain: 4 * time.Minute}
	}
	return chaosPlan{name: "short", chaos: 75 * time.Second, killEvery: 4 * time.Second, audience: 20_000, slice: 40, drain: 3 * time.Minute}
}

// Issue 18, "chaos, proven": three nodes on one PostgreSQL schema and a
// three-server NATS cluster, under mixed load — web chats over WebSocket,
// mail over SMTP, API-channel messages, notices to slices of a large
// audience (email to an SMTP relay, SMS to the fake Twilio), agents taking
// offers on their realtime sockets — while a random node is SIGKILLed every
// few seconds and restarted, and once a NATS server. Then: every
// acknowledged inbound message is stored exactly once and reached an
// agent's socket; no conversation was held by two agents at once and none
// waits unrouted; no notice went twice on one channel step; agents' feeds,
// resumed on other nodes after every kill, missed no event.
func TestChaos(t *testing.T) {
	plan := planChaos()
	db, natsc := postgresURL(t), startNATSCluster(t)
	relay := startRelay(t)
	twilio := twiliotest.New(t, map[string]string{"ACchaos": "chaos-token"})
	env := []string{"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_TWILIO_API_BASE=" + twilio.URL,
		"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8"}
	nodes := []*node{startNode(t, nodeOptions{DB: db, NATS: natsc.URLs(), Demo: true, Env: env})}
	for range 2 {
		nodes = append(nodes, startNode(t, nodeOptions{DB: db, NATS: natsc.URLs(), Env: env}))
	}
	f := newFleet(nodes)
	sqlDB, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	var tenantID string
	if err := sqlDB.QueryRow(`SELECT id FROM tenants WHERE slug = 'northwind'`).Scan(&tenantID); err != nil {
		t.Fatalf("the demo tenant: %v", err)
	}

	admin := newClient(t, nodes[0].URL)
	admin.login("admin@northwind.example")
	prepareChaosTenant(t, admin, sqlDB, twilio, tenantID, plan.audience)
	agents := signInAgents(t, admin, f)

	// The run: agents first (their feeds open before work arrives), then
	// the customers and the business system, then the killer.
	feedCtx, stopFeeds := context.WithCancel(context.Background())
	workCtx, stopWork := context.WithCancel(context.Background())
	loadCtx, stopLoad := context.WithCancel(context.Background())
	defer stopFeeds()
	defer stopWork()
	defer stopLoad()
	var agentsWG, loadWG sync.WaitGroup
	began := time.Now()
	for _, a := range agents {
		a.began = began
		agentsWG.Add(1)
		go func() { defer agentsWG.Done(); a.run(feedCtx, workCtx) }()
	}
	l := newLoad(f, admin.http.Jar, plan.audience, plan.slice)
	for v := range 4 {
		loadWG.Add(1)
		go func() { defer loadWG.Done(); l.visitor(loadCtx, v, 700*time.Millisecond) }()
	}
	for w := range 2 {
		loadWG.Add(1)
		go func() { defer loadWG.Done(); l.apiWriter(loadCtx, w, 400*time.Millisecond) }()
	}
	loadWG.Add(2)
	go func() { defer loadWG.Done(); l.mailer(loadCtx, 500*time.Millisecond) }()
	go func() { defer loadWG.Done(); l.notifier(loadCtx, 3*time.Second) }()

	k := killNodes(t, f, natsc, plan, began)
	stopLoad()
	loadWG.Wait()
	t.Logf("chaos: %s run, %s of chaos: %d node kills (SIGKILL) and restarts %v, NATS server %s killed and restarted; load stopped after %s",
		plan.name, plan.chaos, len(k.kills), k.kills, k.nats, time.Since(began).Round(time.Second))
	if len(k.failed) > 0 {
		t.Fatalf("nodes did not come back after a kill: %v", k.failed)
	}

	// The drain: all nodes are up; agents go on taking what still waits.
	settled := drainChaos(t, sqlDB, tenantID, l, agents, plan.drain)
	stopWork()
	stopFeeds()
	agentsWG.Wait()
	t.Logf("chaos: drained in %s", settled.Round(time.Second))

	checkInbound(t, sqlDB, tenantID, l, agents)
	checkAssignments(t, sqlDB, tenantID, agents)
	checkNotices(t, sqlDB, tenantID, l, relay, twilio)
	checkFeeds(t, sqlDB, tenantID, agents, began)
}

// kills is what the killer did.
type kills struct {
	kills  []string // node index and when, in order
	nats   string
	failed []string
}

// killNodes SIGKILLs a random node every plan.killEvery (after the last one
// came back) and restarts it, and once, a third of the way in, a NATS
// server, until plan.chaos has passed.
func killNodes(t *testing.T, f *fleet, natsc *natsCluster, plan chaosPlan, start time.Time) kills {
	t.Helper()
	var k kills
	rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), 7))
	natsDone := false
	for time.Since(start) < plan.chaos {
		time.Sleep(plan.killEvery/2 + rand.N(plan.killEvery))
		if !natsDone && time.Since(start) > plan.chaos/3 {
			natsDone = true
			s := natsc.servers[rng.IntN(len(natsc.servers))]
			s.kill()
			killedAt := time.Since(start)
			time.Sleep(2 * time.Second)
			if err := s.start(); err != nil {
				k.failed = append(k.failed, err.Error())
				return k
			}
			k.nats = fmt.Sprintf("%s at %.1fs (back at %.1fs)", s.name, killedAt.Seconds(), time.Since(start).Seconds())
		}
		i, n := f.victim()
		n.Kill()
		k.kills = append(k.kills, fmt.Sprintf("node%d@%.1fs", i+1, time.Since(start).Seconds()))
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		var err error
		for try := 0; try < 3; try++ {
			if err = n.run(); err == nil {
				break
			}
		}
		if err != nil {
			k.failed = append(k.failed, fmt.Sprintf("node%d: %v", i+1, err))
			return k
		}
		f.up(i)
	}
	return k
}
