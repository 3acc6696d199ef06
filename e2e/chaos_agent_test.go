package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// hold is an agent's time with a conversation: from the accept's 204 to
// the moment the agent sent its resolve. acceptSent is when the accept left.
type hold struct {
	agent, conversation  string
	acceptSent, from, to time.Time
}

// chaosAgent is an agent signed in over the realtime WebSocket, taking every
// offer made to them and resolving the conversation soon after. Their feed
// resumes after every lost connection from the last seq they saw, on
// another live node.
type chaosAgent struct {
	email, id string
	f         *fleet
	hc        *http.Client

	mu      sync.Mutex
	start   int64            // the tenant's cursor when the feed first opened
	last    int64            // the highest seq seen
	seen    map[int64]string // seq → type of every stored event received
	again   int              // events received twice (a resume replaying what was seen)
	markers map[string]bool  // inbound markers in message.created events received
	holds   []hold
	// conns says which node each feed connection was on and when (since
	// began), for reading a failure against the kills.
	conns []string
	began time.Time

	connects, offers, accepted, refused atomic.Int64
	// unresolved are the conversations whose resolve was answered other
	// than 200, with the status, for reading a drain that does not settle.
	unresolved []string
}

func newChaosAgent(f *fleet, email, id string, jar http.CookieJar) *chaosAgent {
	return &chaosAgent{email: email, id: id, f: f, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second},
		seen: map[int64]string{}, markers: map[string]bool{}}
}

// do sends a request to live nodes until one answers (any status) or ctx
// ends, returning the status and body.
func (a *chaosAgent) do(ctx context.Context, method, path string, body []byte) (int, []byte) {
	for ctx.Err() == nil {
		n := a.f.pick()
		req, _ := http.NewRequestWithContext(ctx, method, n.URL+path, strings.NewReader(string(body)))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := a.hc.Do(req)
		if err != nil {
			pause(ctx, 100*time.Millisecond)
			continue
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusServiceUnavailable {
			pause(ctx, 100*time.Millisecond)
			continue
		}
		return resp.StatusCode, raw
	}
	return 0, nil
}

// run keeps the agent's feed open until feedCtx ends, handing offers to a
// worker that works until workCtx ends (the drain after the chaos).
func (a *chaosAgent) run(feedCtx, workCtx context.Context) {
	_, raw := a.do(workCtx, "GET", "/api/v1/realtime/cursor", nil)
	var cur struct{ Seq int64 }
	json.Unmarshal(raw, &cur)
	a.mu.Lock()
	a.start, a.last = cur.Seq, cur.Seq
	a.mu.Unlock()

	offers := make(chan [2]string, 1024)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.work(workCtx, offers) }()
	first := true
	for feedCtx.Err() == nil {
		a.feed(feedCtx, offers, first)
		first = false
	}
	wg.Wait()
}

// feed opens one connection and reads it until it fails.
func (a *chaosAgent) feed(ctx context.Context, offers chan<- [2]string, first bool) {
	st, raw := a.do(ctx, "POST", "/api/v1/realtime/token", nil)
	if st != http.StatusCreated {
		pause(ctx, 200*time.Millisecond)
		return
	}
	var tok struct{ Token string }
	json.Unmarshal(raw, &tok)
	a.mu.Lock()
	since := a.last
	a.mu.Unlock()
	n := a.f.pick()
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	ws, _, err := websocket.Dial(dctx, strings.Replace(n.URL, "http", "ws", 1)+fmt.Sprintf("/api/v1/realtime?token=%s&since=%d", tok.Token, since), nil)
	cancel()
	if err != nil {
		pause(ctx, 200*time.Millisecond)
		return
	}
	defer ws.CloseNow()
	ws.SetReadLimit(4 << 20)
	a.connects.Add(1)
	opened := time.Since(a.began)
	defer func() {
		a.mu.Lock()
		a.conns = append(a.conns, fmt.Sprintf("%s %.1fs–%.1fs since=%d", a.f.name(n), opened.Seconds(), time.Since(a.began).Seconds(), since))
		a.mu.Unlock()
	}()
	if first {
		a.do(ctx, "PUT", "/api/v1/me/presence", []byte(`{"presence":"available"}`))
	}
	for {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var ev struct {
			Seq  int64           `json:"seq"`
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(msg, &ev) != nil {
			continue
		}
		if ev.Seq > 0 {
			a.mu.Lock()
			if _, ok := a.seen[ev.Seq]; ok {
				a.again++
			}
			a.seen[ev.Seq] = ev.Type
			a.last = max(a.last, ev.Seq)
			if ev.Type == "message.created" {
				for _, m := range inboundMark.FindAllStringSubmatch(string(ev.Data), -1) {
					a.markers[m[1]] = true
				}
			}
			a.mu.Unlock()
		}
		switch ev.Type {
		case "routing.offered":
			var d struct {
				OfferID        string `json:"offer_id"`
				ConversationID string `json:"conversation_id"`
				AgentID        string `json:"agent_id"`
			}
			json.Unmarshal(ev.Data, &d)
			if d.AgentID == a.id {
				a.offers.Add(1)
				offers <- [2]string{d.OfferID, d.ConversationID}
			}
		case "routing.set_away":
			if strings.Contains(string(ev.Data), a.id) {
				go a.do(ctx, "PUT", "/api/v1/me/presence", []byte(`{"presence":"available"}`))
			}
		}
	}
}

// work accepts each offer and resolves its conversation a moment later.
func (a *chaosAgent) work(ctx context.Context, offers <-chan [2]string) {
	for {
		var o [2]string
		select {
		case <-ctx.Done():
			return
		case o = <-offers:
		}
		sent := time.Now()
		st, _ := a.do(ctx, "POST", "/api/v1/offers/"+o[0]+"/accept", nil)
		if st != http.StatusNoContent {
			a.refused.Add(1)
			continue
		}
		a.accepted.Add(1)
		h := hold{agent: a.id, conversation: o[1], acceptSent: sent, from: time.Now()}
		pause(ctx, 150*time.Millisecond)
		h.to = time.Now()
		st, body := a.do(ctx, "PATCH", "/api/v1/conversations/"+o[1], []byte(`{"status":"resolved"}`))
		a.mu.Lock()
		a.holds = append(a.holds, h)
		if st != http.StatusOK && ctx.Err() == nil {
			a.unresolved = append(a.unresolved, fmt.Sprintf("%s: %d %.200s", o[1], st, body))
		}
		a.mu.Unlock()
	}
}
