package store

import (
	"sync/atomic"

	"modernc.org/sqlite"
)

// countCommits makes every connection d opens count its committed write
// transactions in n, through SQLite's commit hook (which fires for
// transactions that wrote, autocommit statements included, and not for
// reads). It is what the inbound benchmark and tests read as commits per
// message: counted by the database, not by our code.
func countCommits(d *sqlite.Driver, n *atomic.Int64) {
	d.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		if h, ok := c.(sqlite.HookRegisterer); ok {
			h.RegisterCommitHook(func() int32 {
				n.Add(1)
				return 0 // 0 lets the commit go ahead
			})
		}
		return nil
	})
}

// Commits is how many write transactions this DB has committed since it was
// opened, as SQLite's commit hook counted them; ok is false on PostgreSQL,
// whose commits are counted on the wire or in pg_stat_database instead.
func (db *DB) Commits() (n int64, ok bool) {
	if db.commits == nil {
		return 0, false
	}
	return db.commits.Load(), true
}
