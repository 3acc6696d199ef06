package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Tables lists every table of the database, from the engine's catalog (on
// SQLite this includes the full-text index's shadow tables), sorted. Export,
// erasure and their tests read it so that a table added later is covered
// without anyone remembering to list it.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.engine == Postgres {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	return s.names(ctx, "tables", q)
}

// TenantTables lists the tables that hold a tenant's rows: every table with a
// tenant_id column, from the catalog, sorted. The tenants table itself (keyed
// by id) is not among them.
func (s *Store) TenantTables(ctx context.Context) ([]string, error) {
	q := `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'tenant_id'`
	if s.engine == Postgres {
		q = `SELECT c.table_name FROM information_schema.columns c
			JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'`
	}
	return s.names(ctx, "tenant tables", q)
}

func (s *Store) names(ctx context.Context, what, q string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	sort.Strings(out)
	return out, nil
}

// quoteIdent quotes a table or column name taken from the catalog.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
