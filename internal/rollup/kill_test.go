package rollup_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestMain runs the child process of TestRollupsSurviveSIGKILL when the
// test binary is started as it (ROLLUP_KILL_DSN set) instead of the tests,
// so the child is no test of its own that would show as skipped.
func TestMain(m *testing.M) {
	if dsn := os.Getenv("ROLLUP_KILL_DSN"); dsn != "" {
		killChild(dsn, os.Getenv("ROLLUP_KILL_TENANT"))
		return
	}
	os.Exit(m.Run())
}

// killChild folds a tenant's events in small batches, saying after each
// how far it got, until killed.
func killChild(dsn, tenantID string) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, "")
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	r := rollup.NewRunner(db, clock.System{}, slog.Default())
	r.Batch, r.MaxBatch = 50, 50
	if _, err := r.CatchUp(ctx, tenantID, func(done, total int64) { fmt.Printf("folded %d of %d\n", done, total) }); err != nil {
		fmt.Println("fold:", err)
		os.Exit(1)
	}
	fmt.Println("done")
}

// A node killed with SIGKILL in the middle of folding a batch leaves the
// rollups as they were before that batch: once folding resumes (here, in this
// process), they equal a full recomputation — nothing counted twice, nothing
// lost.
func TestRollupsSurviveSIGKILL(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.DSN(t)
			db := storetest.OpenDSN(t, dsn)
			tn := storetest.NewTenant(t, db, "killed")
			seed := uint64(time.Now().UnixNano())
			rng := rand.New(rand.NewPCG(seed, 11))
			script := randomScript(rng, tn.ID, 1500)
			err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
				for _, ev := range script.Events {
					if _, err := s.InsertEvent(ctx, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "ROLLUP_KILL_DSN="+dsn, "ROLLUP_KILL_TENANT="+tn.ID)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			killAfter := 2 + rng.IntN(20)
			for seen := 0; lines.Scan(); {
				line := lines.Text()
				if line == "done" {
					t.Fatalf("the child finished before it was killed (seed %d)", seed)
				}
				if strings.HasPrefix(line, "folded ") {
					if seen++; seen == killAfter {
						// Into the next batch's transaction, then kill.
						time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
						if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
							t.Fatal(err)
						}
						break
					}
				}
			}
			cmd.Wait()
			cursor, err := db.RollupCursor(ctx, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seed %d: %d events, killed after %d batches, cursor at %d", seed, len(script.Events), killAfter, cursor)
			if cursor == 0 {
				t.Fatal("the child folded nothing before it was killed")
			}
			r := rollup.NewRunner(db, clock.System{}, slog.Default())
			if _, err := r.CatchUp(ctx, tn.ID, nil); err != nil {
				t.Fatal(err)
			}
			if c, _ := db.RollupCursor(ctx, tn.ID); c == cursor || c == 0 {
				t.Fatalf("cursor %d after catching up from %d", c, cursor)
			}
			same(t, db, tn.ID, script.Events)
		})
	}
}
