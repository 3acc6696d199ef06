package bench

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
)

// startCenter runs a whole node in-process on a fresh SQLite database with an
// admin API key, as a business system would call it.
func startCenter(b *testing.B) (url, key string, a *app.App) {
	b.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.RatePerSecond, cfg.RateBurst = b.TempDir(), 1e9, 1<<30
	cfg.SMTPListen = "" // no mail listener: benchmarks run nodes side by side
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	t, u, err := a.Accounts.CreateTenant(ctx, "bench", "Bench Bank", true, benchAdmin())
	if err != nil {
		b.Fatal(err)
	}
	key = apiKey(b, a, t.ID, u.ID)
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	return srv.URL, key, a
}

// benchAdmin is the first user of a benchmark's tenant.
func benchAdmin() accounts.NewUser {
	return accounts.NewUser{Email: "admin@bench.example", Name: "Admin", Password: "bench-password-1"}
}

// apiKey makes an admin API key for the tenant's user.
func apiKey(b *testing.B, a *app.App, tenantID, userID string) string {
	b.Helper()
	_, key, err := a.Accounts.CreateAPIKey(context.Background(), accounts.Actor{TenantID: tenantID, Type: "user", ID: userID}, "bench", []string{"admin"})
	if err != nil {
		b.Fatal(err)
	}
	return key
}

// BenchmarkAPIGet measures an authenticated GET (API key, tenant-scoped read of
// one page of users) over loopback HTTP, and in the same run a bare net/http
// handler that writes a JSON body of the same size: the raw limit of HTTP here.
func BenchmarkAPIGet(b *testing.B) {
	url, key, _ := startCenter(b)
	get := func() *http.Request {
		r, _ := http.NewRequest("GET", url+"/api/v1/users?limit=1", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	probe, err := http.DefaultClient.Do(get())
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(probe.Body)
	probe.Body.Close()
	var page struct{ Items []json.RawMessage }
	if probe.StatusCode != 200 || json.Unmarshal(body, &page) != nil || len(page.Items) != 1 {
		b.Fatalf("probe: %d %s", probe.StatusCode, body)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.Copy(w, strings.NewReader(string(body)))
	}))
	defer bare.Close()

	const workers = 4
	b.ResetTimer()
	ours, err := HTTPLoad(b.N, workers, get)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	raw, err := HTTPLoad(b.N, workers, func() *http.Request { r, _ := http.NewRequest("GET", bare.URL, nil); return r })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(ours.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(ours.P99.Microseconds()), "p99-µs")
	b.ReportMetric(ours.PerSecond(), "req/s")
	if b.N >= 1000 {
		Report("api_get_p50_us", float64(ours.P50.Microseconds()), "us")
		Report("api_get_p99_us", float64(ours.P99.Microseconds()), "us")
		Report("api_get_per_s", ours.PerSecond(), "req/s")
		Report("bare_http_get_per_s", raw.PerSecond(), "req/s")
		Report("api_get_ratio_vs_bare_http", ours.PerSecond()/raw.PerSecond(), "x")
	}
}

// BenchmarkAPIKeyVerify measures verifying a presented API key: the cached path
// every request takes, and (reported separately) a cold lookup.
func BenchmarkAPIKeyVerify(b *testing.B) {
	_, key, a := startCenter(b)
	ctx := context.Background()
	if _, err := a.Accounts.VerifyAPIKey(ctx, key); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Accounts.VerifyAPIKey(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perOp := b.Elapsed().Seconds() / float64(b.N) * 1e6
	if b.N >= 1000 {
		Report("apikey_verify_us", perOp, "us")
	}
}
