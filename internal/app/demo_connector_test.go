package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/contextsrc/connectors"
	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestDemoConnector serves a demo node (SQLite, embedded NATS) whose base
// URL names another port than it listens on, as behind a proxy: Northwind's
// core banking, served by the node itself, answers signed items for Zoë —
// while the guard still refuses the same URL to another tenant, and other
// loopback ports to the demo tenant.
func TestDemoConnector(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen, cfg.Demo, cfg.BaseURL = t.TempDir(), "", true, "http://localhost:1"
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	a, err := app.Open(sctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		cancel()
		t.Fatalf("open node: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, a.DB, a.Accounts, a.Inbox, a.Dispatch, a.Notify); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedConnector(ctx, a.DB, a.ContextConnectors, cfg.BaseURL); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedConnector(ctx, a.DB, a.ContextConnectors, cfg.BaseURL); err != nil { // again: a restart
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); a.Serve(sctx, ln) }()
	t.Cleanup(func() { cancel(); <-served; a.Close() })
	waitServing(t, "http://"+ln.Addr().String())

	nw, err := a.DB.TenantBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	zoe, err := a.DB.PersonaIDByIdentifier(ctx, nw.ID, persona.Identifier{Kind: persona.KindEmail, Value: demo.Customer})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := a.ContextConnectors.ForPersona(ctx, nw.ID, zoe)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Name != demo.ConnectorName || rs[0].Status != contextsrc.StatusOK {
		t.Fatalf("demo context: %+v", rs)
	}
	types := map[string]bool{}
	blocked := false
	for _, it := range rs[0].Items {
		types[it.Type] = true
		blocked = blocked || it.Type == "card" && it.Status == "blocked"
	}
	if !types["card"] || !types["transaction"] || !types["loan"] || !types["appointment"] || !blocked {
		t.Errorf("demo items: %+v", rs[0].Items)
	}

	// The exception is the demo tenant's, for the node's own address only.
	other, _, err := a.Accounts.CreateTenant(ctx, "other", "Other", false, accounts.NewUser{Email: "a@other.example", Name: "A", Password: "other-password-123"})
	if err != nil {
		t.Fatal(err)
	}
	var fe *tenant.FieldError
	if _, _, err := a.ContextConnectors.Create(ctx, other.ID, connectors.Input{Name: "mine", URL: cfg.BaseURL + demo.ConnectorPath}); !errors.As(err, &fe) || fe.Field != "url" {
		t.Errorf("another tenant aiming at the node: %v", err)
	}
	if _, _, err := a.ContextConnectors.Create(ctx, nw.ID, connectors.Input{Name: "db", URL: "http://" + ln.Addr().String() + "/x"}); !errors.As(err, &fe) || !strings.Contains(err.Error(), "public address") {
		t.Errorf("the demo tenant aiming at the listener's own address directly: %v", err)
	}
}

// waitServing returns once the node answers /healthz (Serve has started).
func waitServing(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node did not start serving at %s: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
