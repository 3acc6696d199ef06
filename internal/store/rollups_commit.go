package store

import (
	"context"
	"fmt"
)

// RollupCommitLazily lets the transaction it is called in commit without
// waiting for its write-ahead log to reach the disk (PostgreSQL's
// synchronous_commit off, for this transaction alone; SQLite in WAL mode
// does not wait on a commit already).
//
// For the rollup runner's batches: what they write is derived, and the
// cursor moves in the same transaction, so a batch a server crash loses is
// lost whole — cursor and cells together — and folded again from the
// events; nothing is counted twice or missed. Not waiting spares the
// disk the batch's own flush, one the commits of event writers (each waits
// for the log to be flushed up to its record) would otherwise queue behind
// (ADR 0051).
func (s *Store) RollupCommitLazily(ctx context.Context) error {
	if s.engine != Postgres {
		return nil
	}
	if _, err := s.w.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return fmt.Errorf("rollup commit: %w", err)
	}
	return nil
}
