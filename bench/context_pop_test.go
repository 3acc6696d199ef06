package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

var (
	popContacts = flag.Int("ctx.pops", 200, "screen-pop benchmark: contacts per phase")
	popWorkers  = flag.Int("ctx.popworkers", 4, "screen-pop benchmark: contacts arriving at once")
)

// slowestGood is the latency of the slowest business system that answers:
// no screen-pop showing all the good systems' items can come sooner.
const slowestGood = 100 * time.Millisecond

// BenchmarkContextPop times the screen-pop end to end on an in-process node
// (SQLite, embedded NATS): from a contact's arrival (a customer's message
// POSTed on the API channel) to its ranked items on the agent's desk — the
// message.created event on the agent's realtime WebSocket, then the desk's
// GET …/context?limit=3 — with three business systems over real HTTP
// answering in 20, 60 and 100 ms and one that never answers (800 ms budget,
// no cache). Two phases, each with a silent system of its own (a fresh
// breaker): "all" reads the answer as the plain JSON GET gives it, once every
// system has answered or run out of budget (the design before the stream);
// "pop" reads the first screen of the application/x-ndjson stream, and the
// final one. BENCH context_pop_p99_ms is the latter's first screen;
// context_pop_waitall_* the former; *_to_fastest divides by the slowest good
// system's latency, the soonest all the good systems' items can be shown. Each phase's breaker opens on its silent system after five
// timeouts, as in production.
func BenchmarkContextPop(b *testing.B) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir, cfg.RatePerSecond, cfg.RateBurst = b.TempDir(), 1e9, 1<<30
	cfg.SMTPListen = ""
	cfg.OutboundAllow = "127.0.0.0/8" // the systems run here, allowed as an operator would
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	t, admin, err := a.Accounts.CreateTenant(ctx, "bench", "Bench Bank", false, accounts.NewUser{Email: "admin@bench.example", Name: "Admin", Password: "bench-password-1"})
	if err != nil {
		b.Fatal(err)
	}
	actor := accounts.Actor{TenantID: t.ID, Type: "user", ID: admin.ID}
	_, key, err := a.Accounts.CreateAPIKey(ctx, actor, "bench", []string{"admin"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Accounts.CreateUser(ctx, actor, accounts.NewUser{Email: "agent@bench.example", Name: "Agent", Role: tenant.RoleAgent, Password: "bench-password-1"}); err != nil {
		b.Fatal(err)
	}
	c := &popClient{base: srv.URL, key: key}
	connector := func(name, url string) string {
		var out struct{ ID, Secret string }
		c.mustJSON(b, "POST", "/api/v1/context/connectors", map[string]any{"name": name, "url": url, "budget_ms": 800, "cache_ttl_seconds": 0}, &out)
		return out.ID + " " + out.Secret
	}
	for i, d := range []time.Duration{20 * time.Millisecond, 60 * time.Millisecond, slowestGood} {
		popSystem(b, d, func(url string) string { return connector(fmt.Sprintf("system %d", i+1), url) })
	}
	agent, err := c.signIn("bench", "agent@bench.example", "bench-password-1")
	if err != nil {
		b.Fatal(err)
	}
	feed, err := agent.feed(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer feed.close()

	phase := func(name string, stream bool) {
		silent := popSystem(b, 0, func(url string) string { return connector("silent "+name, url) })
		defer c.mustJSON(b, "PATCH", "/api/v1/context/connectors/"+silent, map[string]any{"active": false}, nil)
		var mu sync.Mutex
		var first, final []time.Duration
		statuses := map[string]int{}
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range *popWorkers {
			wg.Go(func() {
				for n := range jobs {
					ext := fmt.Sprintf("%s-%d", name, n)
					arrived := feed.expect(ext)
					start := time.Now()
					var msg struct{ Conversation struct{ ID string } }
					if err := c.json("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "external", "value": "cust-" + ext},
						"name": "Customer " + ext, "body": "My card was blocked after a declined payment", "external_id": ext}, &msg); err != nil {
						b.Error(err)
						return
					}
					select { // message.created on the agent's socket: the desk asks now
					case <-arrived:
					case <-time.After(30 * time.Second):
						b.Errorf("%s: no message.created on the agent's socket", ext)
						return
					}
					screens, err := agent.pop(msg.Conversation.ID, stream)
					if err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					first = append(first, screens[0].at.Sub(start))
					final = append(final, screens[len(screens)-1].at.Sub(start))
					for _, s := range screens {
						for _, src := range s.Sources {
							if strings.HasPrefix(src.Name, "silent") {
								statuses[src.Status]++
							}
						}
					}
					mu.Unlock()
				}
			})
		}
		for n := range *popContacts {
			jobs <- n
		}
		close(jobs)
		wg.Wait()
		f, l := percentiles(first), percentiles(final)
		prefix := "context_pop_" // the shipped design: the stream's first screen
		if !stream {
			prefix = "context_pop_waitall_"
		}
		Report(prefix+"p50_ms", ms(f.P50), "ms")
		Report(prefix+"p99_ms", ms(f.P99), "ms")
		Report(prefix+"p99_to_fastest", float64(f.P99)/float64(slowestGood), "x")
		if stream {
			Report(prefix+"final_p99_ms", ms(l.P99), "ms")
		}
		fmt.Printf("context pop %s: %d contacts, %d at once; the silent system's statuses on the screens: %v\n", name, f.N, *popWorkers, statuses)
	}
	phase("all", false)
	phase("pop", true)
	for b.Loop() {
	}
}

// popSystem serves a business system over real HTTP answering after delay
// (zero: never) and registers it with register, which returns "<id> <secret>".
func popSystem(b *testing.B, delay time.Duration, register func(url string) string) (id string) {
	var mu sync.Mutex
	var secret string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := secret
		mu.Unlock()
		req, err := contextsrc.ReadRequest(r, s, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if delay == 0 {
			<-r.Context().Done()
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		contextsrc.WriteAnswer(w, s, time.Now(), req, []contextsrc.Item{{Type: "card", Title: "Visa •••• 4242", Status: "blocked"},
			{Type: "transaction", Title: "Coffee", Amount: &contextsrc.Amount{Value: "-3.20", Currency: "EUR"}}})
	}))
	b.Cleanup(srv.Close)
	idSecret := strings.SplitN(register(srv.URL), " ", 2)
	mu.Lock()
	secret = idSecret[1]
	mu.Unlock()
	return idSecret[0]
}

// popClient calls the node with the API key, or as a signed-in user.
type popClient struct {
	base, key string
	http      *http.Client
}

func (c *popClient) json(method, path string, body, out any) error {
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	hc := c.http
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (c *popClient) mustJSON(b *testing.B, method, path string, body, out any) {
	b.Helper()
	if err := c.json(method, path, body, out); err != nil {
		b.Fatal(err)
	}
}

func (c *popClient) signIn(slug, email, password string) (*popClient, error) {
	jar, _ := cookiejar.New(nil)
	u := &popClient{base: c.base, http: &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	return u, u.json("POST", "/api/v1/auth/login", map[string]string{"tenant": slug, "email": email, "password": password}, nil)
}

type popScreen struct {
	at      time.Time
	Sources []struct{ Name, Status string }
}

// pop asks for the conversation's offer-card screen-pop as the desk does,
// and notes when each screen came.
func (c *popClient) pop(conversationID string, stream bool) ([]popScreen, error) {
	req, _ := http.NewRequest("GET", c.base+"/api/v1/conversations/"+conversationID+"/context?limit=3", nil)
	req.Header.Set("Accept", "application/json")
	if stream {
		req.Header.Set("Accept", "application/x-ndjson")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(res.Body)
		return nil, fmt.Errorf("screen-pop: %d %s", res.StatusCode, raw)
	}
	var out []popScreen
	lines := bufio.NewScanner(res.Body)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		s := popScreen{at: time.Now()}
		if err := json.Unmarshal(lines.Bytes(), &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("screen-pop: no screen (%v)", lines.Err())
	}
	return out, lines.Err()
}

// popFeed is the agent's realtime socket; expect hands out a channel closed
// when the message of that external id is announced on it.
type popFeed struct {
	cancel context.CancelFunc
	mu     sync.Mutex
	wait   map[string]chan struct{}
}

func (c *popClient) feed(ctx context.Context) (*popFeed, error) {
	var tok struct{ Token string }
	if err := c.json("POST", "/api/v1/realtime/token", map[string]any{}, &tok); err != nil {
		return nil, err
	}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+"/api/v1/realtime?token="+tok.Token, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(4 << 20)
	ctx, cancel := context.WithCancel(ctx)
	f := &popFeed{cancel: cancel, wait: map[string]chan struct{}{}}
	go func() {
		defer ws.CloseNow()
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				return
			}
			var ev struct {
				Type string
				Data struct {
					Message struct {
						ExternalID string `json:"external_id"`
					}
				}
			}
			if json.Unmarshal(data, &ev) != nil || ev.Type != "message.created" {
				continue
			}
			f.mu.Lock()
			if ch, ok := f.wait[ev.Data.Message.ExternalID]; ok {
				close(ch)
				delete(f.wait, ev.Data.Message.ExternalID)
			}
			f.mu.Unlock()
		}
	}()
	return f, nil
}

func (f *popFeed) expect(externalID string) <-chan struct{} {
	ch := make(chan struct{})
	f.mu.Lock()
	f.wait[externalID] = ch
	f.mu.Unlock()
	return ch
}

func (f *popFeed) close() { f.cancel() }
