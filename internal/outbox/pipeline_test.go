package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// One call failing inside a pipelined batch — a statement the database
// refuses midway, or the function's own error after it wrote — loses nothing
// of the others: they commit together, the failing calls get their own clear
// errors, and nothing of theirs is stored or published.
func TestKeyedBatchIsolatesFailingCalls(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newBatchEnv(t, eng.Open, BatchConfig{Committers: 1})
			ctx := context.Background()
			at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
			held := persona.Identifier{Kind: persona.KindPhone, Value: "+15550400999"}
			if err := e.db.CreatePersona(ctx, persona.Persona{ID: ids.New(), TenantID: e.tenant, Identifiers: []persona.Identifier{held},
				Attributes: map[string]string{}, CreatedAt: at, UpdatedAt: at}); err != nil {
				t.Fatal(err)
			}
			release, first := e.hold(t, ctx, "test.first")

			const n = 12
			const refused, refusing = 4, 9 // the database refuses one; the other refuses itself
			errRefusing := errors.New("the caller's own reason")
			errs := make([]error, n)
			txs := make([]*sql.Tx, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					phone := persona.Identifier{Kind: persona.KindPhone, Value: fmt.Sprintf("+1555040%04d", i)}
					errs[i] = e.b.DoKeyed(ctx, []string{phone.Value}, func(ctx context.Context, tx *Tx) error {
						txs[i] = tx.SQL
						if i == refused {
							phone = held // a second write the database refuses: someone holds it
						}
						p := persona.Persona{ID: ids.New(), TenantID: e.tenant, Name: fmt.Sprint(i), Identifiers: []persona.Identifier{phone},
							Attributes: map[string]string{}, CreatedAt: at, UpdatedAt: at}
						if err := tx.CreatePersona(ctx, p); err != nil {
							return err
						}
						if i == refusing {
							return errRefusing
						}
						if _, err := tx.Persona(ctx, e.tenant, p.ID); err != nil {
							return err
						}
						_, err := tx.Emit(ctx, e.tenant, fmt.Sprintf("test.%d", i), nil)
						return err
					})
				})
			}
			e.waitQueued(t, n)
			close(release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("first call: %v", err)
			}
			want := []string{"test.first"}
			for i := range n {
				switch {
				case i == refused && !errors.Is(errs[i], store.ErrConflict):
					t.Fatalf("call %d: %v, want its own conflict", i, errs[i])
				case i == refusing && !errors.Is(errs[i], errRefusing):
					t.Fatalf("call %d: %v, want its own error", i, errs[i])
				case i != refused && i != refusing && errs[i] != nil:
					t.Fatalf("call %d failed beside the bad ones: %v", i, errs[i])
				case i != refused && i != refusing:
					want = append(want, fmt.Sprintf("test.%d", i))
					if txs[i] != txs[0] {
						t.Fatalf("call %d committed in another transaction than call 0: the good calls were not one batch", i)
					}
				}
			}
			slices.Sort(want[1:])
			if got := e.storedTypes(t); !equalAfterFirst(got, want) {
				t.Fatalf("stored events %v, want %v", got, want)
			}
			if got := e.heardTypes(t); !equalAfterFirst(got, want) {
				t.Fatalf("published events %v, want %v", got, want)
			}
			var names []string
			rows, qerr := e.db.SQL().QueryContext(ctx, `SELECT name FROM personas WHERE tenant_id = $1 AND name <> ''`, e.tenant)
			if qerr != nil {
				t.Fatal(qerr)
			}
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				names = append(names, name)
			}
			rows.Close()
			if len(names) != n-2 || slices.Contains(names, fmt.Sprint(refused)) || slices.Contains(names, fmt.Sprint(refusing)) {
				t.Fatalf("personas stored: %v; want the %d good calls' alone", names, n-2)
			}
		})
	}
}

// Calls sharing a key run one after the other even on PostgreSQL, where
// the others of the batch run side by side: the second sees what the
// first wrote.
func TestKeyedCallsOfOneKeySeeEachOther(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newBatchEnv(t, eng.Open, BatchConfig{Committers: 1})
			ctx := context.Background()
			at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
			release, first := e.hold(t, ctx, "test.first")
			const customers, each = 5, 3
			counts := make([][]int, customers)
			var wg sync.WaitGroup
			for c := range customers {
				counts[c] = make([]int, each)
				phone := persona.Identifier{Kind: persona.KindPhone, Value: fmt.Sprintf("+1555041%04d", c)}
				for m := range each {
					wg.Go(func() {
						err := e.b.DoKeyed(ctx, []string{phone.Value}, func(ctx context.Context, tx *Tx) error {
							pid, _, err := tx.IdentifierHolder(ctx, e.tenant, phone)
							if errors.Is(err, store.ErrNotFound) {
								pid = ids.New()
								err = tx.CreatePersona(ctx, persona.Persona{ID: pid, TenantID: e.tenant, Identifiers: []persona.Identifier{phone},
									Attributes: map[string]string{"n": "0"}, CreatedAt: at, UpdatedAt: at})
							}
							if err != nil {
								return err
							}
							p, err := tx.Persona(ctx, e.tenant, pid)
							if err != nil {
								return err
							}
							var n int
							fmt.Sscan(p.Attributes["n"], &n)
							p.Attributes["n"] = fmt.Sprint(n + 1)
							counts[c][m] = n + 1
							return tx.UpdatePersona(ctx, p)
						})
						if err != nil {
							t.Errorf("customer %d message %d: %v", c, m, err)
						}
					})
				}
			}
			e.waitQueued(t, customers*each)
			close(release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			for c := range customers {
				got := slices.Clone(counts[c])
				slices.Sort(got)
				if !slices.Equal(got, []int{1, 2, 3}) {
					t.Fatalf("customer %d's calls counted %v: they did not see each other's writes", c, counts[c])
				}
			}
		})
	}
}
