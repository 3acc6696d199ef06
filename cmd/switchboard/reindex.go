package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

// runReindex rebuilds the knowledge search index of this data directory
// from SQL: every workspace's, or with slug that workspace's alone. With
// --nats (a cluster), it also asks every node to rebuild its own. A node
// serving from this data directory holds its index: then the command says
// so — that node rebuilds at start when its index is missing or behind, or
// on request over an external NATS.
func runReindex(ctx context.Context, w io.Writer, cfg *config.Config, slug string, log *slog.Logger) error {
	db, err := app.Migrate(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	tenantID, what := "", "every workspace's"
	if slug != "" {
		tn, err := db.TenantBySlug(ctx, slug)
		if err != nil {
			return fmt.Errorf("reindex: workspace %q: %w", slug, err)
		}
		tenantID, what = tn.ID, "workspace "+slug+"'s"
	}
	if cfg.NATS != "" {
		b, err := bus.Open(ctx, bus.Options{URL: cfg.NATS, Logger: log})
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		err = b.Publish(ctx, kbindex.RebuildSubject, []byte(tenantID))
		b.Close()
		if err != nil {
			return fmt.Errorf("reindex: ask the nodes: %w", err)
		}
		fmt.Fprintf(w, "Asked every node on the bus to rebuild %s knowledge search index from SQL.\n", what)
	}
	x, err := kbindex.Open(app.KnowledgeIndexDir(cfg))
	if errors.Is(err, kbindex.ErrInUse) {
		if cfg.NATS != "" {
			return nil // the node holding it was asked above
		}
		return fmt.Errorf("reindex: a node is serving from %s and holds its index; stop it and run reindex again, or let it rebuild at start (it does when its index is missing or behind SQL)", cfg.DataDir)
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer x.Close()
	start := time.Now()
	var n int
	if tenantID != "" {
		n, err = x.RebuildTenant(ctx, kbindex.FromStore(db), tenantID)
	} else {
		n, err = x.Rebuild(ctx, kbindex.FromStore(db))
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(w, "Rebuilt %s knowledge search index in %s from SQL: %d articles (%s).\n", what, app.KnowledgeIndexDir(cfg), n, time.Since(start).Round(time.Millisecond))
	return nil
}
