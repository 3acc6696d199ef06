package main

import (
	"archive/zip"
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenantdata"
)

// TestTenantExportCommand writes a workspace's export to a new file readable
// by its owner only, prints progress, and refuses an unknown address and an
// existing file without touching it.
func TestTenantExportCommand(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	tn := storetest.NewTenant(t, db, "exportco")
	storetest.SeedCustomer(t, db, tn.ID, "exportco1")
	log := slog.New(slog.DiscardHandler)
	out := filepath.Join(t.TempDir(), "exportco.zip")
	var progress bytes.Buffer
	if err := runTenantExport(ctx, db, log, "exportco", out, &progress); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "100%") || !strings.Contains(progress.String(), "exported the workspace exportco") {
		t.Errorf("progress output:\n%s", progress.String())
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", info.Mode().Perm())
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, want := range []string{tenantdata.ManifestPath, tenantdata.TablePath("messages"), tenantdata.TablePath("tenants")} {
		if !names[want] {
			t.Errorf("the export lacks %s", want)
		}
	}
	before, _ := os.ReadFile(out)
	if err := runTenantExport(ctx, db, log, "exportco", out, &progress); err == nil {
		t.Error("an existing file was overwritten")
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Error("the refused export changed the existing file")
	}
	if err := runTenantExport(ctx, db, log, "nosuchco", filepath.Join(t.TempDir(), "x.zip"), &progress); err == nil || !strings.Contains(err.Error(), "nosuchco") {
		t.Errorf("unknown address: %v", err)
	}
}
