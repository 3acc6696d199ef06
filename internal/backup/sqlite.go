package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"modernc.org/sqlite"
)

// defaultStepPages is how many pages one step of the online backup copies:
// 4 MiB at SQLite's default page size, a progress report about every few
// milliseconds of I/O.
const defaultStepPages = 1024

// backuper is what modernc.org/sqlite's driver connection offers for the
// online backup API (sqlite3_backup_init/step/finish).
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// snapshot copies the live database at src to the new file dst with SQLite's
// online backup API, stepPages pages at a time, reporting progress in bytes.
//
// The copy is one consistent snapshot because the source connection holds a
// read transaction from before the first step to after the last: in WAL mode
// that pins the snapshot the steps read, while the node's writer goes on
// appending to the WAL. Without it each step would open a fresh read
// transaction, notice the database changed, and restart the copy from page 1 —
// under steady writes it never finishes (ADR 0010).
func snapshot(ctx context.Context, src, dst string, stepPages int, report func(Progress)) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no database to back up: %w", err)
	}
	// mode=rw: a wrong path must fail, not create an empty database to copy.
	db, err := sql.Open("sqlite", "file:"+escapePath(src)+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer conn.Close()
	var pageSize int64
	if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	// BEGIN is deferred; the first read makes it a read transaction with its snapshot.
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	if tables == 0 {
		return fmt.Errorf("%s is an empty database, not a switchboard store", src)
	}
	// Made before SQLite would make it 0644: the copy holds customers' messages.
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create the copy: %w", err)
	}
	f.Close()
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(backuper)
		if !ok {
			return errors.New("the sqlite driver offers no online backup")
		}
		bk, err := b.NewBackup("file:" + escapePath(dst))
		if err != nil {
			return fmt.Errorf("start backup: %w", err)
		}
		for {
			more, err := bk.Step(int32(stepPages))
			if err != nil {
				bk.Finish()
				return fmt.Errorf("copy pages: %w", err)
			}
			if report != nil {
				total := int64(bk.PageCount())
				report(Progress{Stage: "copy database", Done: (total - int64(bk.Remaining())) * pageSize, Total: total * pageSize})
			}
			if !more {
				break
			}
			if err := ctx.Err(); err != nil {
				bk.Finish()
				return err
			}
		}
		if err := bk.Finish(); err != nil {
			return fmt.Errorf("finish backup: %w", err)
		}
		return nil
	})
	if err != nil {
		os.Remove(dst)
		os.Remove(dst + "-journal")
		return err
	}
	return nil
}

// inspect opens a finished copy read-only and checks it: PRAGMA
// integrity_check must answer ok, and the schema version is read from it.
func inspect(ctx context.Context, path string) (schemaVersion int, err error) {
	// immutable: the copy is not live, so no locks, no WAL, no -shm beside it.
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&immutable=1")
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, fmt.Errorf("integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return 0, fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("%w: integrity check: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&schemaVersion); err != nil {
		return 0, fmt.Errorf("read schema version: %w (is this a switchboard database?)", err)
	}
	return schemaVersion, nil
}

// escapePath makes a file path safe inside a file: URI, where ? and # would
// otherwise start the query or fragment.
func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}
