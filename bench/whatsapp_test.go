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
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/ids"
)

// The WhatsApp webhook scenario: customers, messages per phase and senders.
const (
	waCustomers = 200
	waMessages  = 2000
	waWorkers   = 8
	waNumberID  = "106540352242922"
	waSecret    = "bench-app-secret"
)

// BenchmarkWhatsAppWebhook measures inbound WhatsApp: Cloud API webhooks, each
// signed (X-Hub-Signature-256) and carrying one text message, posted to a
// whole node as Meta posts them; and in the same run the same number of
// messages posted on the API channel (POST /api/v1/channels/api/messages with
// an API key), the inbound path without a provider's signature and payload.
// The phases alternate twice, so neither gets the emptier database; the
// ratio says what signature checking and provider parsing cost.
//
// The scenario is fixed and runs once per call whatever b.N is.
func BenchmarkWhatsAppWebhook(b *testing.B) {
	url, key, a := startCenter(b)
	ctx := context.Background()
	tn, err := a.DB.TenantBySlug(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	tenantID := tn.ID
	if err := a.DB.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: tenantID, Channel: "whatsapp", Address: waNumberID,
		Settings: map[string]string{"access_token": "bench-token", "app_secret": waSecret, "verify_token": "bench"}}, time.Now()); err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	webhook := func() *http.Request {
		i := seq.Add(1)
		wa := fmt.Sprintf("1555%07d", i%waCustomers)
		body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "102290129340398",
			"changes": []any{map[string]any{"field": "messages", "value": map[string]any{"messaging_product": "whatsapp",
				"metadata": map[string]any{"display_phone_number": "15550783881", "phone_number_id": waNumberID},
				"contacts": []any{map[string]any{"profile": map[string]any{"name": "Customer " + wa}, "wa_id": wa}},
				"messages": []any{map[string]any{"from": wa, "id": fmt.Sprintf("wamid.bench%010d", i), "timestamp": fmt.Sprint(time.Now().Unix()),
					"type": "text", "text": map[string]any{"body": "Where is my order? It should have arrived yesterday."}}}}}}}}})
		r, _ := http.NewRequest("POST", url+"/channels/whatsapp/"+waNumberID+"/webhook", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		mac := hmac.New(sha256.New, []byte(waSecret))
		mac.Write(body)
		r.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		return r
	}
	api := func() *http.Request {
		i := seq.Add(1)
		body, _ := json.Marshal(map[string]any{"from": map[string]string{"kind": "phone", "value": fmt.Sprintf("+1666%07d", i%waCustomers)},
			"name": "Customer", "external_id": fmt.Sprintf("api-bench-%010d", i), "body": "Where is my order? It should have arrived yesterday."})
		r, _ := http.NewRequest("POST", url+"/api/v1/channels/api/messages", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	// Warm-up: every customer's first message makes their persona and
	// conversation on both paths.
	for _, p := range []struct {
		req func() *http.Request
	}{{webhook}, {api}} {
		if _, err := postLoad(waCustomers, waWorkers, p.req); err != nil {
			b.Fatal(err)
		}
	}
	var waTime, apiTime time.Duration
	for range 2 {
		d, err := postLoad(waMessages, waWorkers, webhook)
		if err != nil {
			b.Fatalf("whatsapp: %v", err)
		}
		waTime += d
		if d, err = postLoad(waMessages, waWorkers, api); err != nil {
			b.Fatalf("api channel: %v", err)
		}
		apiTime += d
	}
	// The webhooks were stored, not just answered: the first measured one.
	if _, err := a.DB.MessageByExternalID(ctx, tenantID, "whatsapp", fmt.Sprintf("wamid.bench%010d", 2*waCustomers+1)); err != nil {
		b.Fatalf("a benchmarked webhook's message is not stored: %v", err)
	}
	wa, ap := float64(2*waMessages)/waTime.Seconds(), float64(2*waMessages)/apiTime.Seconds()
	b.ReportMetric(wa, "whatsapp-msgs/s")
	b.ReportMetric(ap, "api-msgs/s")
	Report("whatsapp_webhook_msgs_per_s", wa, "msgs/s")
	Report("api_channel_inbound_msgs_per_s", ap, "msgs/s")
	Report("whatsapp_ratio_vs_api_channel", wa/ap, "x")
	for b.Loop() {
	}
}

// postLoad sends n requests from workers goroutines and returns how long
// they took; any answer but 200 or 201 fails it.
func postLoad(n, workers int, newReq func() *http.Request) (time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				resp, err := client.Do(newReq())
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), firstErr
}
