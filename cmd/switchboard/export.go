package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenantdata"
)

// runTenantExport writes all of a workspace's data into a new zip file at
// out (readable by its owner only: it holds the customers' data), with
// progress on stderr. The export is recorded as the admin's are, so the
// workspace's admins see it in their list.
func runTenantExport(ctx context.Context, db *store.DB, log *slog.Logger, slug, out string, progress io.Writer) (err error) {
	if slug == "" {
		return errors.New("tenant export: --slug is required: the workspace's address")
	}
	if out == "" {
		return errors.New("tenant export: --out is required: the zip file to write (new)")
	}
	tn, err := db.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("tenant export: no workspace has the address %q", slug)
	}
	if err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("tenant export: %w", cerr)
		}
		if err != nil {
			os.Remove(out) // a partial export is no export
		}
	}()
	svc := tenantdata.New(db, clock.System{}, log, tenantdata.Config{})
	ex, err := svc.NewExport(ctx, tn.ID, "cli")
	if err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	d, err := svc.Start(ctx, tn.ID, ex.ID)
	if err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	shown := -progressStep
	d.Report = func(p tenantdata.Progress) {
		if p.RowsTotal == 0 {
			return
		}
		if pct := int(p.RowsDone * 100 / p.RowsTotal); pct >= shown+progressStep || (p.Done && pct > shown) { // the end is always shown
			shown = pct
			fmt.Fprintf(progress, "export %s: %d%% (%d of %d rows and files, %d bytes)\n", slug, pct, p.RowsDone, p.RowsTotal, p.Bytes)
		}
	}
	w := &progressFile{f: f}
	if err := d.Write(ctx, w); err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	rec, err := svc.Export(ctx, tn.ID, ex.ID)
	if err != nil {
		return fmt.Errorf("tenant export: %w", err)
	}
	fmt.Fprintf(progress, "exported the workspace %s (%d rows and files, %d bytes) into %s\n", slug, rec.RowsDone, w.n, out)
	return nil
}

// progressFile counts what is written.
type progressFile struct {
	f *os.File
	n int64
}

func (p *progressFile) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.n += int64(n)
	return n, err
}
