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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// The ingest scenario. Visitors are many because the widget socket admits 10
// frames a second (bursts of 30) per visitor: the load must come from many
// visitors, as it does in life, not from a few very fast ones.
const (
	ingestVisitors  = 400
	ingestPerVisit  = 20              // messages each visitor sends in the closed loop (within the burst)
	ingestOpenFor   = 5 * time.Second // length of the open-loop phase
	ingestWaitLimit = 2 * time.Minute // how long a phase may wait for the agent before the run fails
	widgetKey       = "wk_bench"
	widgetOrigin    = "https://shop.bench.example"
)

var (
	ingestOnce    sync.Once
	ingestPeak    = map[string]float64{} // engine suffix → msgs/s, reported on every call
	ingestEngines = flag.String("ingest.engines", "sqlite,postgres", "BenchmarkIngest: the engines to run on")
)

// BenchmarkIngest is the inbound load generator over real protocols: visitors
// on the web chat WebSocket send messages that the node stores and announces,
// and one agent on the realtime WebSocket hears each as message.created.
//
// Phase A (closed loop: each visitor sends its next message when the previous
// one was acknowledged) gives the peak: messages the agent heard per second.
// Phase B (open loop at half that rate, sends paced on a schedule) gives the
// end-to-end latency from the scheduled send to the agent's receipt. In the
// same run, the same rows are inserted one INSERT per autocommit statement into
// a scratch copy of the messages table of the same database: the raw limit the
// ingest rate is compared with. It runs on SQLite, then PostgreSQL
// (SWITCHBOARD_TEST_POSTGRES, else the local test server).
//
// The scenario is fixed and runs once per process whatever b.N is.
func BenchmarkIngest(b *testing.B) {
	ingestOnce.Do(func() {
		if strings.Contains(*ingestEngines, "sqlite") {
			ingestRun(b, "sqlite", "", "")
		}
		if strings.Contains(*ingestEngines, "postgres") {
			ingestRun(b, "postgres", storetest.PostgresDSN(b), "_pg")
		}
	})
	// The timed loop is empty (ns/op means nothing here); the figures that
	// matter are the BENCH lines and these metrics.
	for suffix, peak := range ingestPeak {
		b.ReportMetric(peak, "msgs/s"+suffix)
	}
}

// ingestNode is one whole node serving on a loopback port.
type ingestNode struct {
	base, ws string
	app      *app.App
	tenantID string
	email    string
	stop     func()
}

func startIngestNode(b *testing.B, dsn string) *ingestNode {
	b.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.SMTPListen = b.TempDir(), dsn, ""
	cfg.RatePerSecond, cfg.RateBurst = 1e9, 1<<30
	cfg.WidgetCallRate, cfg.WidgetCallBurst = 1e9, 1<<30 // every simulated customer comes from 127.0.0.1
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// Errors only: a message the node failed to store says why.
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), fstest.MapFS{})
	if err != nil {
		b.Fatal(err)
	}
	const email, password = "agent@bench.example", "bench-password-1"
	t, _, err := a.Accounts.CreateTenant(ctx, "bench", "Bench Bank", true, accounts.NewUser{Email: email, Name: "Ana Agent", Password: password})
	if err != nil {
		b.Fatal(err)
	}
	widget := channel.Account{ID: ids.New(), TenantID: t.ID, Channel: "webchat", Address: widgetKey, Name: "Bench widget",
		Settings: map[string]string{"allowed_origins": "*", "identity_secret": "bench-identity-secret", "title": "Bench"}}
	if err := a.DB.CreateChannelAccount(ctx, widget, time.Now()); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	n := &ingestNode{base: "http://" + ln.Addr().String(), ws: "ws://" + ln.Addr().String(), app: a, tenantID: t.ID, email: email}
	n.stop = func() {
		cancel()
		<-served
		a.Close()
	}
	return n
}

func ingestRun(b *testing.B, engine, dsn, suffix string) {
	ctx := context.Background()
	progress := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "ingest %s: "+format+"\n", append([]any{engine}, args...)...)
	}
	progress("starting a node")
	node := startIngestNode(b, dsn)
	defer node.stop()
	tr := newTracker()

	agent, err := connectAgent(ctx, node, "bench-password-1", tr)
	if err != nil {
		b.Fatal(err)
	}
	defer agent.close()

	progress("opening %d visitor sessions and sockets", ingestVisitors)
	visitors := make([]*visitor, ingestVisitors)
	for i := range visitors {
		if visitors[i], err = openVisitor(ctx, node, i); err != nil {
			b.Fatal(err)
		}
		defer visitors[i].close()
	}

	// Warm-up: every visitor's first message makes their persona and
	// conversation; the phases measure the steady state of a chat.
	progress("warm-up: one message per visitor")
	if _, err := closedLoop(ctx, tr, visitors, "w", 1); err != nil {
		b.Fatal(err)
	}

	settle(ctx, b, node, engine)
	progress("phase A: closed loop, %d visitors × %d messages", ingestVisitors, ingestPerVisit)
	cpu0 := cpuTime()
	peak, err := closedLoop(ctx, tr, visitors, "a", ingestPerVisit)
	if err != nil {
		b.Fatal(err)
	}
	// The process's CPU per message (node and clients): on a loaded machine
	// the rates measure the CPU share the run got, this what a message costs.
	cpuPerMsg := (cpuTime() - cpu0) / time.Duration(len(visitors)*ingestPerVisit)
	progress("phase A: %.0f messages/s heard by the agent", peak)

	rate := peak / 2
	// The widget admits 10 frames a second per visitor: keep each under 8 by
	// bringing more visitors (warmed up like the others) on a faster machine.
	if need := int(rate/8) + 1; need > len(visitors) {
		progress("opening %d more visitors for the open loop", need-len(visitors))
		more := make([]*visitor, need-len(visitors))
		for i := range more {
			if more[i], err = openVisitor(ctx, node, len(visitors)+i); err != nil {
				b.Fatal(err)
			}
			defer more[i].close()
		}
		if _, err := closedLoop(ctx, tr, more, "w", 1); err != nil {
			b.Fatal(err)
		}
		visitors = append(visitors, more...)
	}
	settle(ctx, b, node, engine)
	progress("phase B: open loop at %.0f messages/s for %s", rate, ingestOpenFor)
	lat, achieved, err := openLoop(ctx, tr, visitors, rate, ingestOpenFor)
	if err != nil {
		b.Fatal(err)
	}
	progress("phase B: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms over %d messages", ms(lat.P50), ms(lat.P95), ms(lat.P99), lat.N)

	for _, v := range visitors {
		if e := v.errors.Load(); e > 0 {
			b.Fatalf("visitor %s got %d error frames, the first: %s", v.id, e, v.firstErr.Load())
		}
	}

	progress("raw baseline: single-row inserts of the same rows")
	settle(ctx, b, node, engine)
	raw, rows, err := rawInsertRate(ctx, node.app.DB.SQL(), engine, node.tenantID, ingestVisitors, false)
	if err != nil {
		b.Fatal(err)
	}
	progress("raw baseline: %.0f inserts/s over %d rows (columns, b-tree indexes, foreign key)", raw, rows)
	settle(ctx, b, node, engine)
	withFTS, _, err := rawInsertRate(ctx, node.app.DB.SQL(), engine, node.tenantID, ingestVisitors, true)
	if err != nil {
		b.Fatal(err)
	}
	progress("raw baseline: %.0f inserts/s with the full-text index as well", withFTS)

	ingestPeak[suffix] = peak
	Report("ingest_msgs_per_s"+suffix, peak, "msgs/s")
	// The headline baseline is the messages table as it is, full-text index
	// included; the stricter one, without that index, is reported beside it.
	Report("ingest_raw_insert_per_s"+suffix, withFTS, "rows/s")
	Report("ingest_ratio_vs_raw_insert"+suffix, peak/withFTS, "x")
	Report("ingest_raw_insert_no_fts_per_s"+suffix, raw, "rows/s")
	Report("ingest_ratio_vs_raw_insert_no_fts"+suffix, peak/raw, "x")
	Report("ingest_cpu_us_per_msg"+suffix, float64(cpuPerMsg)/float64(time.Microsecond), "us")
	Report("ingest_half_load_msgs_per_s"+suffix, achieved, "msgs/s")
	Report("ingest_p50_ms_half_load"+suffix, ms(lat.P50), "ms")
	Report("ingest_p95_ms_half_load"+suffix, ms(lat.P95), "ms")
	Report("ingest_p99_ms_half_load"+suffix, ms(lat.P99), "ms")
}

// settle starts each measured phase from the same state: on SQLite the WAL
// is checkpointed and truncated, so no phase pays for the one before it.
func settle(ctx context.Context, b *testing.B, n *ingestNode, engine string) {
	if engine != "sqlite" {
		return
	}
	if _, err := n.app.DB.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
}

// closedLoop has every visitor send perVisitor messages, each after the
// previous one's ack, and returns the messages the agent heard per second.
func closedLoop(ctx context.Context, tr *tracker, visitors []*visitor, tag string, perVisitor int) (float64, error) {
	done := tr.expect(len(visitors) * perVisitor)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(visitors))
	for _, v := range visitors {
		wg.Go(func() {
			for i := range perVisitor {
				clientID := fmt.Sprintf("%s%d", tag, i)
				tr.sent(v.externalID(clientID), time.Now())
				if err := v.send(ctx, clientID); err != nil {
					errs <- err
					return
				}
				select {
				case <-v.acks:
				case <-time.After(ingestWaitLimit):
					errs <- fmt.Errorf("visitor %s: no ack for %s in %s", v.id, clientID, ingestWaitLimit)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	if err := waitHeard(done, tr); err != nil {
		return 0, err
	}
	_, last, _ := tr.result()
	return float64(len(visitors)*perVisitor) / last.Sub(start).Seconds(), nil
}

// openLoop sends messages at rate for d, spread over the visitors in turn,
// each at its scheduled time whether or not earlier ones were answered; a
// message's latency runs from its scheduled time, so a stall counts in full.
func openLoop(ctx context.Context, tr *tracker, visitors []*visitor, rate float64, d time.Duration) (Percentiles, float64, error) {
	total := int(rate * d.Seconds())
	done := tr.expect(total)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now().Add(20 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, len(visitors))
	for j, v := range visitors {
		wg.Go(func() {
			for k := j; k < total; k += len(visitors) {
				at := start.Add(time.Duration(k) * interval)
				time.Sleep(time.Until(at))
				clientID := fmt.Sprintf("b%d", k)
				tr.sent(v.externalID(clientID), at)
				if err := v.send(ctx, clientID); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return Percentiles{}, 0, err
	}
	if err := waitHeard(done, tr); err != nil {
		return Percentiles{}, 0, err
	}
	samples, last, _ := tr.result()
	return percentiles(samples), float64(total) / last.Sub(start).Seconds(), nil
}

// waitHeard waits until the agent heard every message of the phase; a message
// that never arrives fails the run (lost, not slow: the limit is generous).
func waitHeard(done <-chan struct{}, tr *tracker) error {
	select {
	case <-done:
		return nil
	case <-time.After(ingestWaitLimit):
		samples, _, missing := tr.result()
		return fmt.Errorf("the agent heard %d messages; %d never arrived within %s", len(samples), missing, ingestWaitLimit)
	}
}

// visitor is one chat visitor with an open widget socket.
type visitor struct {
	id       string
	ws       *websocket.Conn
	acks     chan string
	errors   atomic.Int64
	firstErr atomic.Value
	cancel   context.CancelFunc
}

func (v *visitor) externalID(clientID string) string { return "wc:" + v.id + ":" + clientID }

// openVisitor starts a widget session and opens its socket, as the widget does
// on a page load.
func openVisitor(ctx context.Context, n *ingestNode, i int) (*visitor, error) {
	body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("Visitor %d", i)})
	req, _ := http.NewRequestWithContext(ctx, "POST", n.base+"/channels/webchat/"+widgetKey+"/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", widgetOrigin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var s struct {
		Token string `json:"visitor_token"`
		ID    string `json:"visitor_id"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &s) != nil || s.Token == "" {
		return nil, fmt.Errorf("session: %d %s", resp.StatusCode, raw)
	}
	wsCtx, cancel := context.WithCancel(context.Background())
	ws, _, err := websocket.Dial(ctx, n.ws+"/channels/webchat/"+widgetKey+"/socket?token="+s.Token,
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {widgetOrigin}}})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("visitor socket: %w", err)
	}
	ws.SetReadLimit(1 << 20)
	v := &visitor{id: s.ID, ws: ws, acks: make(chan string, 64), cancel: cancel}
	var ready struct{ Type string }
	if _, data, err := ws.Read(ctx); err != nil || json.Unmarshal(data, &ready) != nil || ready.Type != "ready" {
		cancel()
		return nil, fmt.Errorf("visitor socket: no ready frame (%v)", err)
	}
	go v.read(wsCtx)
	return v, nil
}

// read handles the server's frames: acks go to whoever waits for them, error
// frames are counted (any fails the run).
func (v *visitor) read(ctx context.Context) {
	for {
		_, data, err := v.ws.Read(ctx)
		if err != nil {
			return
		}
		var f struct {
			Type     string
			ClientID string `json:"client_id"`
			Code     string
			Detail   string
		}
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case "ack":
			select {
			case v.acks <- f.ClientID:
			default: // the open loop does not wait for acks
			}
		case "error":
			if v.errors.Add(1) == 1 {
				v.firstErr.Store(f.Code + ": " + f.Detail)
				// Said at once: the closed loop waits for an ack that will not come.
				fmt.Fprintf(os.Stderr, "ingest: visitor %s got an error frame for %s: %s: %s\n", v.id, f.ClientID, f.Code, f.Detail)
			}
		}
	}
}

func (v *visitor) send(ctx context.Context, clientID string) error {
	frame, _ := json.Marshal(map[string]any{"type": "message", "client_id": clientID,
		"body": "Hello, my card was declined at checkout — can you help? (" + clientID + ")"})
	if err := v.ws.Write(ctx, websocket.MessageText, frame); err != nil {
		return fmt.Errorf("visitor %s send: %w", v.id, err)
	}
	return nil
}

func (v *visitor) close() {
	v.ws.Close(websocket.StatusNormalClosure, "")
	v.cancel()
}

// agentFeed is an agent's realtime connection, resumed with since= if the hub
// ever drops it as a slow consumer.
type agentFeed struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (a *agentFeed) close() { a.cancel(); <-a.done }

// connectAgent signs the agent in, takes a realtime token and listens to the
// tenant's events, handing each message.created to tr as it arrives.
func connectAgent(ctx context.Context, n *ingestNode, password string, tr *tracker) (*agentFeed, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, _ := json.Marshal(map[string]string{"tenant": "bench", "email": n.email, "password": password})
	resp, err := client.Post(n.base+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("agent login: %d", resp.StatusCode)
	}
	token := func() (string, error) {
		resp, err := client.Post(n.base+"/api/v1/realtime/token", "application/json", strings.NewReader("{}"))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var t struct{ Token string }
		if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || t.Token == "" {
			return "", fmt.Errorf("realtime token: %d %v", resp.StatusCode, err)
		}
		return t.Token, nil
	}
	dial := func(ctx context.Context, since int64) (*websocket.Conn, error) {
		tok, err := token()
		if err != nil {
			return nil, err
		}
		url := n.ws + "/api/v1/realtime?token=" + tok
		if since > 0 {
			url += fmt.Sprintf("&since=%d", since)
		}
		ws, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			return nil, fmt.Errorf("agent socket: %w", err)
		}
		ws.SetReadLimit(4 << 20)
		return ws, nil
	}
	ws, err := dial(ctx, 0)
	if err != nil {
		return nil, err
	}
	feedCtx, cancel := context.WithCancel(context.Background())
	a := &agentFeed{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		var seq int64
		for {
			_, data, err := ws.Read(feedCtx)
			if err != nil {
				ws.CloseNow()
				if feedCtx.Err() != nil {
					return
				}
				fmt.Fprintf(os.Stderr, "ingest: agent socket dropped (%v); resuming after seq %d\n", err, seq)
				if ws, err = dial(feedCtx, seq); err != nil {
					fmt.Fprintf(os.Stderr, "ingest: agent cannot resume: %v\n", err)
					return
				}
				continue
			}
			at := time.Now()
			var ev struct { // one pass over the frame: only what the agent needs here
				Seq  int64  `json:"seq"`
				Type string `json:"type"`
				Data struct {
					Message struct {
						ExternalID string `json:"external_id"`
					} `json:"message"`
				} `json:"data"`
			}
			// Other events' data may have another shape: that error still
			// leaves seq and type decoded.
			if json.Unmarshal(data, &ev); ev.Seq == 0 {
				continue
			}
			seq = max(seq, ev.Seq)
			if ev.Type == event.MessageCreated {
				tr.heard(ev.Data.Message.ExternalID, at)
			}
		}
	}()
	return a, nil
}
