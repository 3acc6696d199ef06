package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Functions run through Pipeline read and write as they would alone — rows,
// single rows, no rows, rows affected — and on PostgreSQL n of them with k
// statements each cost k rounds, not n×k.
func TestPipeline(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ctx := context.Background()
			tenantID := storetest.NewTenant(t, db, "bank").ID
			at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
			const n = 8
			got := make([]persona.Persona, n)
			before, beforeStmts := store.PipelineRounds(), store.PipelineStatements()
			err := db.InTx(ctx, func(s *store.Store, tx *sql.Tx) error {
				errs := s.Pipeline(ctx, n, func(i int, s *store.Store) error {
					p := persona.Persona{ID: ids.New(), TenantID: tenantID, Name: fmt.Sprintf("Customer %d", i),
						Identifiers: []persona.Identifier{{Kind: persona.KindPhone, Value: fmt.Sprintf("+1555030%04d", i)}},
						Attributes:  map[string]string{"n": fmt.Sprint(i)}, CreatedAt: at, UpdatedAt: at}
					if err := s.CreatePersona(ctx, p); err != nil { // two statements
						return err
					}
					pid, _, err := s.IdentifierHolder(ctx, tenantID, p.Identifiers[0])
					if err != nil || pid != p.ID {
						return fmt.Errorf("identifier holder: %q, %v; want %s", pid, err, p.ID)
					}
					if _, err := s.Persona(ctx, tenantID, "no-such-persona"); !errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("a missing persona: %v, want ErrNotFound", err)
					}
					p.Name = fmt.Sprintf("Renamed %d", i)
					if err := s.UpdatePersona(ctx, p); err != nil { // rows affected: one
						return err
					}
					if err := s.UpdatePersona(ctx, persona.Persona{ID: "no-such-persona", TenantID: tenantID}); !errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("updating a missing persona: %v, want ErrNotFound", err)
					}
					if got[i], err = s.Persona(ctx, tenantID, p.ID); err != nil { // one statement: row, identifiers, claims
						return err
					}
					// A read every function shares goes once for all of them.
					endpoints, err := s.ActiveWebhookEndpoints(ctx, tenantID)
					if err != nil || len(endpoints) != 0 {
						return fmt.Errorf("webhook endpoints: %v, %v", endpoints, err)
					}
					return nil
				})
				return errors.Join(errs...)
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range got {
				stored, err := db.Persona(ctx, tenantID, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if p.Name != fmt.Sprintf("Renamed %d", i) || stored.Name != p.Name || len(p.Identifiers) != 1 ||
					p.Identifiers[0].Value != fmt.Sprintf("+1555030%04d", i) || p.Attributes["n"] != fmt.Sprint(i) {
					t.Fatalf("function %d read %+v, stored %+v", i, p, stored)
				}
			}
			rounds, stmts := store.PipelineRounds()-before, store.PipelineStatements()-beforeStmts
			switch {
			case e.Name == "postgres" && rounds != 8:
				t.Fatalf("%d functions of 8 statements took %d rounds, want 8", n, rounds)
			case e.Name == "postgres" && stmts != 7*n+1:
				t.Fatalf("%d functions of 7 statements and one shared read sent %d statements, want %d", n, stmts, 7*n+1)
			case e.Name == "sqlite" && rounds != 0:
				t.Fatalf("SQLite sent %d rounds; its functions run one after another", rounds)
			}
		})
	}
}

// A statement that fails in a pipelined round is its function's error; the
// others' statements after it fail as the aborted transaction's, and the
// caller's rollback leaves nothing of any.
func TestPipelineFailure(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ctx := context.Background()
			tenantID := storetest.NewTenant(t, db, "bank").ID
			at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
			held := persona.Identifier{Kind: persona.KindPhone, Value: "+15550300999"}
			if err := db.CreatePersona(ctx, persona.Persona{ID: ids.New(), TenantID: tenantID, Identifiers: []persona.Identifier{held},
				Attributes: map[string]string{}, CreatedAt: at, UpdatedAt: at}); err != nil {
				t.Fatal(err)
			}
			const n, bad = 6, 2
			var errs []error
			err := db.InTx(ctx, func(s *store.Store, tx *sql.Tx) error {
				errs = s.Pipeline(ctx, n, func(i int, s *store.Store) error {
					id := persona.Identifier{Kind: persona.KindPhone, Value: fmt.Sprintf("+1555031%04d", i)}
					if i == bad {
						id = held
					}
					return s.CreatePersona(ctx, persona.Persona{ID: ids.New(), TenantID: tenantID, Identifiers: []persona.Identifier{id},
						Attributes: map[string]string{}, CreatedAt: at, UpdatedAt: at})
				})
				return errors.Join(errs...)
			})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("the transaction ended with %v, want the bad function's conflict", err)
			}
			for i, err := range errs {
				switch {
				case i == bad && !errors.Is(err, store.ErrConflict):
					t.Fatalf("function %d: %v, want ErrConflict", i, err)
				case i != bad && err != nil && !store.AbortedBefore(err):
					t.Fatalf("function %d failed by itself: %v", i, err)
				}
			}
			var rows int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM personas WHERE tenant_id = $1`, tenantID).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 1 {
				t.Fatalf("%d personas after the rollback, want the one from before", rows)
			}
		})
	}
}
