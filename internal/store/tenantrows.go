package store

import (
	"context"
	"database/sql"

	"fmt"
)

// Snapshot runs fn on a read-only transaction, so that everything fn reads
// comes from one consistent moment (SQLite WAL's snapshot; PostgreSQL's
// REPEATABLE READ) while writers carry on. An export reads through it.
func (db *DB) Snapshot(ctx context.Context, fn func(s *Store) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback()
	return fn(&Store{engine: db.engine, w: plainTx{tx}, r: plainTx{tx}, tx: tx})
}

// CountTenantRows counts the tenant's rows in table (a name from
// TenantTables; "tenants" counts its own row).
func (s *Store) CountTenantRows(ctx context.Context, tenantID, table string) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(table)+` WHERE `+tenantColumn(table)+` = $1`, tenantID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// EachTenantRow calls fn with every row the tenant has in table (a name from
// TenantTables, or "tenants"), one at a time, as column names and values:
// strings, integers, booleans, floats, []byte for binary columns, nil for
// NULL. fn must not keep the values past its return.
func (s *Store) EachTenantRow(ctx context.Context, tenantID, table string, fn func(cols []string, vals []any) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table)+` WHERE `+tenantColumn(table)+` = $1`, tenantID)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		if err := fn(cols, vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return nil
}

func tenantColumn(table string) string {
	if table == "tenants" {
		return "id"
	}
	return "tenant_id"
}

// EraseTenant deletes everything kept about a tenant: its row (the foreign
// keys cascade), then every row left in any table with a tenant_id column
// (tables without a foreign key: messages, deliveries, …), and its durable
// jobs, whose arguments name it. Run it inside a transaction. On SQLite the
// full-text index keeps deleted words in old segments until they are merged;
// call CompactSearchIndex after the commit.
func (s *Store) EraseTenant(ctx context.Context, tenantID string) error {
	if s.engine == SQLite {
		// Overwrite deleted content in the database file rather than leave it
		// in free pages (a per-connection setting; the write pool has one).
		if _, err := s.w.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return fmt.Errorf("erase tenant: %w", err)
		}
		defer s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM tenants WHERE id = $1`, tenantID)
	if err := affectedOne("erase tenant "+tenantID, res, err); err != nil {
		return err
	}
	tables, err := s.TenantTables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM `+quoteIdent(t)+` WHERE tenant_id = $1`, tenantID); err != nil {
			return fmt.Errorf("erase tenant %s: %s: %w", tenantID, t, err)
		}
	}
	return s.eraseTenantJobs(ctx, tenantID)
}

// eraseTenantJobs deletes the tenant's rows from River's job table, where its
// id sits in the arguments (every job of ours carries tenant_id). A database
// the job queue was never set up on has no such table.
func (s *Store) eraseTenantJobs(ctx context.Context, tenantID string) error {
	all, err := s.Tables(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, t := range all {
		found = found || t == "river_job"
	}
	if !found {
		return nil
	}
	q := `DELETE FROM river_job WHERE json_extract(args, '$.tenant_id') = $1`
	if s.engine == Postgres {
		q = `DELETE FROM river_job WHERE args->>'tenant_id' = $1`
	}
	if _, err := s.w.ExecContext(ctx, q, tenantID); err != nil {
		return fmt.Errorf("erase tenant %s: jobs: %w", tenantID, err)
	}
	return nil
}

// CompactSearchIndex merges SQLite's full-text index so that words of deleted
// messages leave it, not only get marked deleted. PostgreSQL's index is a
// column of messages and goes with the row.
func (db *DB) CompactSearchIndex(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("compact search index: %w", err)
	}
	return nil
}
