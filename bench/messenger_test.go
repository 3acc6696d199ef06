package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/messenger"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The Messenger webhook scenario: customers write to a Page; Meta posts each
// message to the Page's webhook (one connection per customer, the next once
// the previous was answered), signed with X-Hub-Signature-256, and is
// answered EVENT_RECEIVED only once the message is stored. The account's app
// secret is sealed, so each request also unseals it.
const (
	msCustomers = 64
	msPerCust   = 40
	msPage      = "104431792345678"
	msSecret    = "the app secret of the bench page"
)

// BenchmarkMessengerWebhook prints the messages stored per second and the
// webhook's answer latency (p50, p99), on SQLite then PostgreSQL. The
// scenario runs once per process.
func BenchmarkMessengerWebhook(b *testing.B) {
	var once sync.Once
	once.Do(func() {
		for _, e := range storetest.Engines() {
			messengerRun(b, e.Name, e.Open)
		}
	})
	for range b.N {
	}
}

func messengerRun(b *testing.B, engine string, open func(testing.TB) *store.DB) {
	db := open(b)
	core := inboxtest.Start(b, db, inboxtest.Options{Clock: clock.System{}})
	// The Graph API, for what the bench touches: the token check when the Page
	// is added, and each customer's profile on their first message.
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if id == msPage {
			fmt.Fprintf(w, `{"id":%q,"name":"Bench Page"}`, id)
			return
		}
		fmt.Fprintf(w, `{"id":%q,"first_name":"Customer","last_name":%q}`, id, id[len(id)-4:])
	}))
	defer graph.Close()
	mux := http.NewServeMux()
	center := httptest.NewServer(mux)
	defer center.Close()
	allow, _ := netguard.ParseAllow("127.0.0.0/8")
	ch, err := messenger.New(messenger.Messenger, messenger.Deps{DB: db, Inbox: core.Inbox, Clock: clock.System{},
		Log: slog.New(slog.DiscardHandler), Guard: netguard.New(netguard.Options{Allow: allow}), ServerKey: []byte("bench server key of thirty-two b")},
		messenger.Config{GraphBase: graph.URL})
	if err != nil {
		b.Fatal(err)
	}
	ch.Mount(mux)
	if err := core.Channels.Register(ch); err != nil {
		b.Fatal(err)
	}
	tn := tenant.Tenant{ID: ids.New(), Slug: "bench-fb-" + engine, Name: "Bench", CreatedAt: time.Now()}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		b.Fatal(err)
	}
	if _, err := core.Inbox.CreateAccount(context.Background(), inbox.Actor{TenantID: tn.ID}, channel.Account{Channel: "messenger",
		Address: msPage, Settings: map[string]string{messenger.SettingPageToken: "EAAbench", messenger.SettingAppSecret: msSecret,
			messenger.SettingVerifyToken: "bench"}}); err != nil {
		b.Fatal(err)
	}
	url := center.URL + "/channels/messenger/webhook/" + msPage

	samples := make([][]time.Duration, msCustomers)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range msCustomers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			psid := fmt.Sprintf("62540107146%05d", c)
			for i := range msPerCust {
				body, _ := json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
					"id": msPage, "time": time.Now().UnixMilli(), "messaging": []any{map[string]any{
						"sender": map[string]string{"id": psid}, "recipient": map[string]string{"id": msPage},
						"timestamp": time.Now().UnixMilli(),
						"message":   map[string]any{"mid": fmt.Sprintf("m_%s_%d", psid, i), "text": fmt.Sprintf("message %d", i)}}}}}})
				mac := hmac.New(sha256.New, []byte(msSecret))
				mac.Write(body)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				samples[c] = append(samples[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed.Load() > 0 {
		b.Fatalf("%d webhooks were refused or lost", failed.Load())
	}
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	for c := range msCustomers {
		mid := fmt.Sprintf("m_62540107146%05d_%d", c, msPerCust-1)
		if _, err := db.MessageByExternalID(context.Background(), tn.ID, "messenger", mid); err != nil {
			b.Fatalf("message %s: %v", mid, err)
		}
	}
	p := percentiles(all)
	rate := float64(len(all)) / elapsed.Seconds()
	fmt.Printf("BENCH messenger_webhook_messages_per_s_%s %.0f messages/s (%d customers, %d messages, closed loop, signed and sealed)\n", engine, rate, msCustomers, len(all))
	fmt.Printf("BENCH messenger_webhook_p50_ms_%s %.1f ms\n", engine, ms(p.P50))
	fmt.Printf("BENCH messenger_webhook_p99_ms_%s %.1f ms\n", engine, ms(p.P99))
	b.ReportMetric(rate, "messages/s_"+engine)
}
