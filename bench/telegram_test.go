package bench

import (
	"bytes"
	"context"
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
	"github.com/switchboard-cx/switchboard/internal/channel/telegram"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The Telegram webhook scenario: customers' chats post updates to the bot's
// webhook over HTTP, as Telegram does (one connection per chat, the next
// update once the previous was answered), each verified by its secret token
// and stored durably before its 200.
const (
	tgChats    = 64
	tgPerChat  = 40
	tgBotToken = "777000777:AAHbenchbenchbenchbenchbenchbenchbe"
)

// BenchmarkTelegramWebhook prints the updates stored per second and the
// webhook's answer latency (p50, p99), on SQLite then PostgreSQL. Each
// update is answered only once its message is committed, so the answer time
// is Telegram's view of the center. The scenario runs once per process.
func BenchmarkTelegramWebhook(b *testing.B) {
	var once sync.Once
	once.Do(func() {
		for _, e := range storetest.Engines() {
			telegramRun(b, e.Name, e.Open)
		}
	})
	for range b.N {
	}
}

func telegramRun(b *testing.B, engine string, open func(testing.TB) *store.DB) {
	db := open(b)
	core := inboxtest.Start(b, db, inboxtest.Options{Clock: clock.System{}})
	// The Bot API, for setting the bot up: getMe and setWebhook.
	var secret atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p map[string]any
		json.NewDecoder(r.Body).Decode(&p)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			io.WriteString(w, `{"ok":true,"result":{"id":777000777,"is_bot":true,"first_name":"Bench","username":"bench_bot"}}`)
		case strings.HasSuffix(r.URL.Path, "/setWebhook"):
			secret.Store(p["secret_token"].(string))
			io.WriteString(w, `{"ok":true,"result":true}`)
		default:
			w.WriteHeader(404)
			io.WriteString(w, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		}
	}))
	defer api.Close()
	mux := http.NewServeMux()
	center := httptest.NewServer(mux)
	defer center.Close()
	allow, _ := netguard.ParseAllow("127.0.0.0/8")
	ch, err := telegram.New(telegram.Deps{DB: db, Inbox: core.Inbox, Clock: clock.System{}, Log: slog.New(slog.DiscardHandler),
		Guard: netguard.New(netguard.Options{Allow: allow}), ServerKey: []byte("bench server key of thirty-two b")},
		telegram.Config{APIBase: api.URL, PublicBaseURL: center.URL})
	if err != nil {
		b.Fatal(err)
	}
	ch.Mount(mux)
	if err := core.Channels.Register(ch); err != nil {
		b.Fatal(err)
	}
	tn := tenant.Tenant{ID: ids.New(), Slug: "bench-tg-" + engine, Name: "Bench", CreatedAt: time.Now()}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		b.Fatal(err)
	}
	if _, err := core.Inbox.CreateAccount(context.Background(), inbox.Actor{TenantID: tn.ID},
		channel.Account{Channel: telegram.Name, Settings: map[string]string{telegram.SettingBotToken: tgBotToken}}); err != nil {
		b.Fatal(err)
	}
	url, token := center.URL+"/channels/telegram/777000777/updates", secret.Load().(string)

	samples := make([][]time.Duration, tgChats)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range tgChats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			chat := 900000 + c
			for i := range tgPerChat {
				body, _ := json.Marshal(map[string]any{"update_id": c*tgPerChat + i + 1, "message": map[string]any{
					"message_id": i + 1, "date": 1765098000, "text": fmt.Sprintf("message %d of chat %d", i, chat),
					"from": map[string]any{"id": chat, "is_bot": false, "first_name": "Customer", "last_name": fmt.Sprint(chat)},
					"chat": map[string]any{"id": chat, "type": "private"}}})
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(telegram.SecretHeader, token)
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
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	if failed.Load() > 0 {
		b.Fatalf("%d updates were refused or lost", failed.Load())
	}
	// Every chat's first and last update are stored messages.
	for c := range tgChats {
		for _, i := range []int{1, tgPerChat} {
			ext := fmt.Sprintf("tg:777000777:%d:%d", 900000+c, i)
			if _, err := db.MessageByExternalID(context.Background(), tn.ID, telegram.Name, ext); err != nil {
				b.Fatalf("message %s: %v", ext, err)
			}
		}
	}
	p := percentiles(all)
	rate := float64(len(all)) / elapsed.Seconds()
	fmt.Printf("BENCH telegram_webhook_updates_per_s_%s %.0f updates/s (%d chats, %d updates, closed loop)\n", engine, rate, tgChats, len(all))
	fmt.Printf("BENCH telegram_webhook_p50_ms_%s %.1f ms\n", engine, ms(p.P50))
	fmt.Printf("BENCH telegram_webhook_p99_ms_%s %.1f ms\n", engine, ms(p.P99))
	b.ReportMetric(rate, "updates/s_"+engine)
}
