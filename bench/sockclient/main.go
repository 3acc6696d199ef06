// Command sockclient is the load generator of BenchmarkSockets
// (bench/sockets_test.go): it holds the widget and agent WebSockets in a
// process of its own, so that its memory is not counted as the node's. It
// reads one command a line on stdin and answers each with one JSON line on
// stdout:
//
//	widgets BASE KEY N        open N visitors' widget sockets (a session each)
//	agents BASE N EMAIL...    sign in as each EMAIL and open N feeds among them
//	fanout BASE KEY M RATE    one visitor sends M messages at RATE a second;
//	                          report when each one's message.created reached
//	                          every agent socket
//	quit
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

func main() {
	c := &client{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}}
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		var res any
		var err error
		switch f[0] {
		case "widgets":
			res, err = c.widgets(f[1], f[2], atoi(f[3]))
		case "agents":
			res, err = c.agents(f[1], atoi(f[2]), f[3:])
		case "fanout":
			res, err = c.fanout(f[1], f[2], atoi(f[3]), atoi(f[4]))
		case "quit":
			return
		default:
			err = fmt.Errorf("unknown command %q", f[0])
		}
		if err != nil {
			res = map[string]string{"error": err.Error()}
		}
		out.Encode(res)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

type client struct {
	http    *http.Client
	widgetN atomic.Int64
	mu      sync.Mutex
	// arrivals: per agent socket, per conversation message id, when its
	// message.created came and the event's own time.
	feeds []*feed
	conns []*websocket.Conn
}

func (c *client) post(url string, body any, out any, cl *http.Client) error {
	raw, _ := json.Marshal(body)
	if cl == nil {
		cl = c.http
	}
	res, err := cl.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", url, res.StatusCode, got)
	}
	if out != nil {
		return json.Unmarshal(got, out)
	}
	return nil
}

func ws(base string) string { return "ws" + strings.TrimPrefix(base, "http") }

// visitor starts a widget session and opens its socket, reading the ready
// frame; the socket is then read (and pings answered) until the process ends.
func (c *client) visitor(base, key string) (*websocket.Conn, error) {
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	if err := c.post(base+"/channels/webchat/"+key+"/session", map[string]any{"name": fmt.Sprintf("Visitor %d", c.widgetN.Add(1))}, &sess, nil); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ws(base)+"/channels/webchat/"+key+"/socket?token="+sess.VisitorToken, &websocket.DialOptions{HTTPClient: c.http})
	if err != nil {
		return nil, err
	}
	if _, data, err := conn.Read(ctx); err != nil || !bytes.Contains(data, []byte(`"ready"`)) {
		conn.CloseNow()
		return nil, fmt.Errorf("no ready frame: %q %v", data, err)
	}
	return conn, nil
}

// drain reads and drops frames until the socket ends, which also answers the
// node's pings.
func drain(conn *websocket.Conn) {
	for {
		if _, _, err := conn.Read(context.Background()); err != nil {
			return
		}
	}
}

type opened struct {
	Opened  int     `json:"opened"`
	Failed  int     `json:"failed"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"first_error,omitempty"`
}

// parallel runs n calls of open from 32 goroutines.
func parallel(n int, open func() error) opened {
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := open(); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	o := opened{Opened: n - int(failed.Load()), Failed: int(failed.Load()), Seconds: time.Since(start).Seconds()}
	if e, ok := firstErr.Load().(string); ok {
		o.Error = e
	}
	return o
}

func (c *client) widgets(base, key string, n int) (any, error) {
	return parallel(n, func() error {
		conn, err := c.visitor(base, key)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.conns = append(c.conns, conn)
		c.mu.Unlock()
		go drain(conn)
		return nil
	}), nil
}

// feed is one agent socket: the message.created events it received, by
// message id, with their latency from the event's time.
type feed struct {
	mu    sync.Mutex
	got   map[string]time.Duration
	bytes int // of the message.created frames counted in got
}

func (c *client) agents(base string, n int, emails []string) (any, error) {
	var agents []*http.Client
	for _, e := range emails {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Transport: c.http.Transport, Timeout: time.Minute}
		if err := c.post(base+"/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": e, "password": "switchboard-demo"}, nil, hc); err != nil {
			return nil, err
		}
		agents = append(agents, hc)
	}
	var i atomic.Int64
	return parallel(n, func() error {
		hc := agents[int(i.Add(1))%len(agents)]
		var tok struct{ Token string }
		if err := c.post(base+"/api/v1/realtime/token", map[string]any{}, &tok, hc); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, _, err := websocket.Dial(ctx, ws(base)+"/api/v1/realtime?token="+tok.Token, &websocket.DialOptions{HTTPClient: c.http})
		if err != nil {
			return err
		}
		conn.SetReadLimit(4 << 20)
		f := &feed{got: map[string]time.Duration{}}
		c.mu.Lock()
		c.feeds = append(c.feeds, f)
		c.conns = append(c.conns, conn)
		c.mu.Unlock()
		go f.read(conn)
		return nil
	}), nil
}

func (f *feed) read(conn *websocket.Conn) {
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		arrived := time.Now()
		// Cheaply, so that the load generator's CPU (it shares the machine
		// with the node) delays arrivals as little as it can: the body of a
		// message.created, and the event's time, its last field.
		if !bytes.Contains(data[:min(len(data), 200)], []byte(`"type":"message.created"`)) {
			continue
		}
		i := bytes.Index(data, []byte(`"body":"fanout `))
		j := bytes.LastIndex(data, []byte(`,"at":"`))
		if i < 0 || j < 0 {
			continue
		}
		body := data[i+len(`"body":"`):]
		body = body[:bytes.IndexByte(body, '"')]
		stamp := data[j+len(`,"at":"`):]
		at, err := time.Parse(time.RFC3339Nano, string(stamp[:bytes.IndexByte(stamp, '"')]))
		if err != nil {
			continue
		}
		ev := struct{ body string }{string(body)}
		f.mu.Lock()
		f.got[ev.body] = arrived.Sub(at)
		f.bytes += len(data)
		f.mu.Unlock()
	}
}

type fanoutResult struct {
	Events      int     `json:"events"`
	Sockets     int     `json:"sockets"`
	Arrivals    int     `json:"arrivals"`
	Missing     int     `json:"missing"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	LastP99Ms   float64 `json:"last_socket_p99_ms"` // per event, its slowest socket
	SendSeconds float64 `json:"send_seconds"`
	FrameBytes  int     `json:"frame_bytes"` // mean size of a message.created frame
}

// fanout has one visitor send m messages at rate a second and waits (up to a
// minute after the last) until every agent socket has each one's
// message.created; latency is arrival minus the event's time.
func (c *client) fanout(base, key string, m, rate int) (any, error) {
	conn, err := c.visitor(base, key)
	if err != nil {
		return nil, err
	}
	defer conn.CloseNow()
	go drain(conn)
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range m {
		<-tick.C
		frame, _ := json.Marshal(map[string]string{"type": "message", "client_id": fmt.Sprintf("f%d", i), "body": fmt.Sprintf("fanout %d", i)})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := conn.Write(ctx, websocket.MessageText, frame)
		cancel()
		if err != nil {
			return nil, err
		}
	}
	sent := time.Since(start)
	c.mu.Lock()
	feeds := slices.Clone(c.feeds)
	c.mu.Unlock()
	count := func() int {
		n := 0
		for _, f := range feeds {
			f.mu.Lock()
			n += len(f.got)
			f.mu.Unlock()
		}
		return n
	}
	deadline := time.Now().Add(time.Minute)
	for count() < m*len(feeds) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var all []time.Duration
	last := map[string]time.Duration{}
	bytes := 0
	for _, f := range feeds {
		f.mu.Lock()
		bytes += f.bytes
		f.bytes = 0
		for body, d := range f.got {
			all = append(all, d)
			last[body] = max(last[body], d)
		}
		clear(f.got)
		f.mu.Unlock()
	}
	res := fanoutResult{Events: m, Sockets: len(feeds), Arrivals: len(all), Missing: m*len(feeds) - len(all), SendSeconds: sent.Seconds()}
	if len(all) == 0 {
		return res, fmt.Errorf("no message.created reached any agent socket")
	}
	res.FrameBytes = bytes / len(all)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	slices.Sort(all)
	q := func(s []time.Duration, p float64) time.Duration { return s[int(p*float64(len(s)-1))] }
	res.P50Ms, res.P99Ms, res.MaxMs = ms(q(all, 0.5)), ms(q(all, 0.99)), ms(all[len(all)-1])
	lasts := make([]time.Duration, 0, len(last))
	for _, d := range last {
		lasts = append(lasts, d)
	}
	slices.Sort(lasts)
	res.LastP99Ms = ms(q(lasts, 0.99))
	return res, nil
}
