package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/rollup"
)

// runRollupsRebuild recomputes the report rollups from the events kept:
// every workspace's, or with slug that workspace's alone, with a progress
// bar. Safe beside serving nodes: their runners and this one take turns on
// each workspace's cursor (ADR 0051).
func runRollupsRebuild(ctx context.Context, w io.Writer, cfg *config.Config, slug string, log *slog.Logger) error {
	db, err := app.Migrate(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	type ws struct{ id, slug string }
	var all []ws
	if slug != "" {
		tn, err := db.TenantBySlug(ctx, slug)
		if err != nil {
			return fmt.Errorf("rollups rebuild: workspace %q: %w", slug, err)
		}
		all = append(all, ws{tn.ID, tn.Slug})
	} else {
		tns, err := db.AllTenants(ctx)
		if err != nil {
			return fmt.Errorf("rollups rebuild: %w", err)
		}
		for _, tn := range tns {
			all = append(all, ws{tn.ID, tn.Slug})
		}
	}
	r := rollup.NewRunner(db, clock.System{}, log)
	for _, t := range all {
		start := time.Now()
		bar := newBar(w, t.slug)
		n, err := r.Rebuild(ctx, t.id, bar.show)
		if err != nil {
			return fmt.Errorf("rollups rebuild: workspace %s: %w", t.slug, err)
		}
		bar.show(int64(n), int64(n))
		fmt.Fprintf(w, "\nRebuilt workspace %s's report rollups from %d events in %s.\n", t.slug, n, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// bar draws a progress bar on one line, redrawn in place.
type bar struct {
	w    io.Writer
	name string
	last int
}

func newBar(w io.Writer, name string) *bar { return &bar{w: w, name: name, last: -1} }

func (b *bar) show(done, total int64) {
	pct := 100
	if total > 0 {
		pct = int(done * 100 / total)
	}
	if pct == b.last {
		return
	}
	b.last = pct
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%% (%d of %d events)", b.name, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, done, total)
}
