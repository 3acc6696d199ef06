package store

import (
	"context"
	"database/sql/driver"
	"sync/atomic"

	"modernc.org/sqlite"

	"github.com/switchboard-cx/switchboard/internal/persona"
)

// sqliteConnector opens SQLite connections through a driver of our own that
// carries sb_fold, the accent- and case-folding people search compares names
// with (persona.Fold; PostgreSQL spells the same in SQL). A private driver
// keeps the function off every other SQLite connection in the process.
type sqliteConnector struct {
	dsn     string
	d       *sqlite.Driver
	commits *atomic.Int64
}

func newSQLiteConnector(dsn string) (*sqliteConnector, error) {
	d := &sqlite.Driver{}
	err := d.RegisterDeterministicScalarFunction("sb_fold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return persona.Fold(v), nil
		case []byte:
			return persona.Fold(string(v)), nil
		case nil:
			return nil, nil
		default:
			return v, nil
		}
	})
	if err != nil {
		return nil, err
	}
	c := &sqliteConnector{dsn: dsn, d: d, commits: new(atomic.Int64)}
	countCommits(d, c.commits)
	return c, nil
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }

func (c *sqliteConnector) Driver() driver.Driver { return c.d }

// foldSQL is the engine's expression for persona.Fold of the column expr.
func (s *Store) foldSQL(expr string) string {
	if s.engine == Postgres {
		return `lower(regexp_replace(normalize(` + expr + `, NFD), '[\u0300-\u036f]', '', 'g'))`
	}
	return `sb_fold(` + expr + `)`
}
