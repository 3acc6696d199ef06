package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The chaos test's feed check, made deterministic: node 2's only NATS server
// goes down while node 1 (on another server of the cluster) records an
// event, and comes back before the next one. Ana's feed on node 2 hears the
// second event live; the first was committed before it, in seq order, so
// her feed must carry it too — live, or when she resumes with since= the
// last seq she saw. An at-most-once bus must not leave a resumed client a
// gap (issue 18: "resumed clients saw no gap").
func TestFeedKeepsAnEventTheBusDropped(t *testing.T) {
	t.Parallel()
	db, natsc := postgresURL(t), startNATSCluster(t)
	n1 := startNode(t, nodeOptions{DB: db, NATS: "nats://" + natsc.servers[0].client, Demo: true})
	n2 := startNode(t, nodeOptions{DB: db, NATS: "nats://" + natsc.servers[1].client})
	sqlDB, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()

	ana := newClient(t, n2.URL)
	ana.login("ana@northwind.example")
	var cur struct{ Seq int64 }
	ana.do("GET", "/api/v1/realtime/cursor", nil, 200, &cur)
	feed := dialFeed(t, ana, n2.URL, cur.Seq)
	ben := newClient(t, n1.URL)
	ben.login("ben@northwind.example")

	seen := map[int64]bool{}
	last := cur.Seq
	// read takes frames until one with seq want arrives (want 0: until
	// wait passes), recording every stored event's seq.
	read := func(ws *websocket.Conn, want int64, wait time.Duration) bool {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		for {
			_, msg, err := ws.Read(ctx)
			if err != nil {
				return false
			}
			var ev struct{ Seq int64 }
			json.Unmarshal(msg, &ev)
			if ev.Seq > 0 {
				seen[ev.Seq] = true
				last = max(last, ev.Seq)
			}
			if want != 0 && ev.Seq == want {
				return true
			}
		}
	}
	presence := func(p string) int64 {
		t.Helper()
		ben.do("PUT", "/api/v1/me/presence", map[string]string{"presence": p}, 200, nil)
		var seq int64
		if err := sqlDB.QueryRow(`SELECT max(seq) FROM events WHERE type = 'agent.presence_changed'`).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		return seq
	}

	if first := presence("away"); !read(feed, first, 30*time.Second) {
		t.Fatalf("node 2 never pushed an event recorded on node 1 (seq %d): the cluster's fan-out does not work", first)
	}
	natsc.servers[1].kill()
	waitReady(t, n2, false)
	dropped := presence("available")
	if err := natsc.servers[1].start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, n2, true)
	after := presence("away")
	if !read(feed, after, 30*time.Second) {
		t.Fatalf("node 2 never pushed the event after its NATS server came back (seq %d)", after)
	}
	if !seen[dropped] {
		read(feed, dropped, 5*time.Second) // a late delivery would do
	}
	feed.CloseNow()
	if !seen[dropped] {
		resumed := dialFeed(t, ana, n2.URL, last)
		read(resumed, dropped, 5*time.Second)
		resumed.CloseNow()
	}
	if !seen[dropped] {
		t.Errorf("ana's feed on node 2 got seq %d live but never seq %d, committed before it while node 2 was off the bus, "+
			"neither live nor after resuming with since=%d: a gap", after, dropped, last)
	}
}

// dialFeed opens a user's realtime feed on base, resuming after since.
func dialFeed(t *testing.T, c *client, base string, since int64) *websocket.Conn {
	t.Helper()
	var tok struct{ Token string }
	c.do("POST", "/api/v1/realtime/token", nil, 201, &tok)
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(base, "http", "ws", 1)+
		fmt.Sprintf("/api/v1/realtime?token=%s&since=%d", tok.Token, since), nil)
	if err != nil {
		t.Fatalf("feed: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	return ws
}

// waitReady waits until the node's /readyz says ready (or, with ready
// false, not ready: it lost the bus).
func waitReady(t *testing.T, n *node, ready bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(n.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if (resp.StatusCode == http.StatusOK) == ready {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("node %s: /readyz never said ready=%v in 60 s", n.addr, ready)
}
