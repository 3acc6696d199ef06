// Package tenantdata is a workspace's data as a whole: exporting all of it
// (JSON lines per table and the files, streamed as a zip while it is read)
// and deleting all of it after a grace period. Which tables hold a tenant's
// rows comes from the database's catalog, never from a list kept by hand,
// so a table added later is exported and erased without anyone remembering.
package tenantdata

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// FormatVersion is the export's layout version, in its manifest.
const FormatVersion = 1

// Paths inside an export.
const (
	ManifestPath = "manifest.json"
	tablesDir    = "tables/"
	filesDir     = "attachments/"
)

// TablePath is where a table's rows are in an export.
func TablePath(table string) string { return tablesDir + table + ".jsonl" }

// FilePath is where an attachment's bytes are in an export.
func FilePath(id string) string { return filesDir + id }

// fileTable and fileColumn hold the attachments' bytes; an export writes each
// as a file of its own and puts its path in the row instead.
const (
	fileTable  = "attachments"
	fileColumn = "data"
)

// secretColumn matches the columns that hold credentials: password and token
// hashes, webhook signing secrets, one-time secrets of second factors. An
// export carries the rows with these values replaced by Redacted, so a leaked
// export lets nobody sign in or forge a webhook.
var secretColumn = regexp.MustCompile(`(^|_)(secret|hash|password|token|totp)(_|$)`)

// Redacted replaces a secret column's value in an export.
const Redacted = "[redacted]"

// Manifest describes an export; it is the last entry of the zip.
type Manifest struct {
	Format    int              `json:"format"`
	TenantID  string           `json:"tenant_id"`
	Slug      string           `json:"slug"`
	CreatedAt time.Time        `json:"created_at"`
	Tables    map[string]int64 `json:"tables"` // rows per table, every tenant table listed
	Files     int64            `json:"files"`
	// Redacted lists the table.column values left out as credentials.
	Redacted []string `json:"redacted"`
}

// Progress is how far an export is.
type Progress struct {
	Table       string // being written
	TablesDone  int
	TablesTotal int
	RowsDone    int64 // rows written, and files
	RowsTotal   int64 // rows to write, and files
	Bytes       int64 // written so far
	Done        bool
}

// reportEvery is how many rows pass between progress reports within a table.
const reportEvery = 500

// Write writes the tenant's data to w as a zip: tables/<table>.jsonl for the
// tenants row and every table with a tenant_id column (one JSON object per
// row), attachments/<id> for each file, and manifest.json last. It reads
// from one snapshot while writers carry on, holds one row (one file) in
// memory at a time, and calls report as it goes.
func Write(ctx context.Context, db *store.DB, tenantID string, w io.Writer, now time.Time, report func(Progress)) (Manifest, error) {
	if report == nil {
		report = func(Progress) {}
	}
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	m := Manifest{Format: FormatVersion, TenantID: tenantID, CreatedAt: now, Tables: map[string]int64{}, Redacted: []string{}}
	err := db.Snapshot(ctx, func(s *store.Store) error {
		tn, err := s.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		m.Slug = tn.Slug
		tables, err := s.TenantTables(ctx)
		if err != nil {
			return err
		}
		tables = append([]string{"tenants"}, tables...)
		p := Progress{TablesTotal: len(tables)}
		counts := make([]int64, len(tables))
		for i, t := range tables {
			if counts[i], err = s.CountTenantRows(ctx, tenantID, t); err != nil {
				return err
			}
			p.RowsTotal += counts[i]
			if t == fileTable {
				p.RowsTotal += counts[i] // each file is written again, on its own
			}
		}
		report(p)
		redacted := map[string]bool{}
		for _, t := range tables {
			p.Table = t
			n, err := writeTable(ctx, s, zw, tenantID, t, redacted, func() {
				p.RowsDone++
				if p.RowsDone%reportEvery == 0 {
					p.Bytes = cw.n
					report(p)
				}
			})
			if err != nil {
				return err
			}
			m.Tables[t] = n
			p.TablesDone++
			p.Bytes = cw.n
			report(p)
		}
		for col := range redacted {
			m.Redacted = append(m.Redacted, col)
		}
		p.Table = fileTable
		m.Files, err = writeFiles(ctx, s, zw, tenantID, func() {
			p.RowsDone++
			p.Bytes = cw.n
			report(p)
		})
		return err
	})
	if err != nil {
		return m, fmt.Errorf("export %s: %w", tenantID, err)
	}
	mw, err := zw.Create(ManifestPath)
	if err != nil {
		return m, fmt.Errorf("export %s: %w", tenantID, err)
	}
	enc := json.NewEncoder(mw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return m, fmt.Errorf("export %s: %w", tenantID, err)
	}
	if err := zw.Close(); err != nil {
		return m, fmt.Errorf("export %s: %w", tenantID, err)
	}
	n := sum(m.Tables) + m.Files
	report(Progress{TablesDone: len(m.Tables), TablesTotal: len(m.Tables), RowsDone: n, RowsTotal: n, Bytes: cw.n, Done: true})
	return m, nil
}

// writeTable writes one table's rows as JSON lines and returns how many.
func writeTable(ctx context.Context, s *store.Store, zw *zip.Writer, tenantID, table string, redacted map[string]bool, row func()) (int64, error) {
	tw, err := zw.Create(TablePath(table))
	if err != nil {
		return 0, err
	}
	var n int64
	var line []byte
	err = s.EachTenantRow(ctx, tenantID, table, func(cols []string, vals []any) error {
		line = append(line[:0], '{')
		for i, c := range cols {
			v := vals[i]
			switch {
			case table == fileTable && c == fileColumn:
				c, v = "file", FilePath(fmt.Sprint(valueOf(cols, vals, "id")))
			case secretColumn.MatchString(c) && v != nil && fmt.Sprint(v) != "":
				v = Redacted
				redacted[table+"."+c] = true
			default:
				// Settings kept as JSON (a channel account's provider
				// token, a widget's signing secret) are redacted by key.
				if out, keys := redactJSON(v); len(keys) > 0 {
					v = out
					for _, k := range keys {
						redacted[table+"."+c+"."+k] = true
					}
				}
			}
			if i > 0 {
				line = append(line, ',')
			}
			k, _ := json.Marshal(c)
			val, err := json.Marshal(jsonValue(v))
			if err != nil {
				return fmt.Errorf("%s.%s: %w", table, c, err)
			}
			line = append(append(append(line, k...), ':'), val...)
		}
		line = append(line, '}', '\n')
		if _, err := tw.Write(line); err != nil {
			return err
		}
		n++
		row()
		return nil
	})
	return n, err
}

// writeFiles writes each attachment's bytes as a file of its own, from a
// second pass over the table in the same snapshot (a zip entry must be
// finished before the next begins).
func writeFiles(ctx context.Context, s *store.Store, zw *zip.Writer, tenantID string, file func()) (int64, error) {
	var n int64
	err := s.EachTenantRow(ctx, tenantID, fileTable, func(cols []string, vals []any) error {
		fw, err := zw.Create(FilePath(fmt.Sprint(valueOf(cols, vals, "id"))))
		if err != nil {
			return err
		}
		data, _ := valueOf(cols, vals, fileColumn).([]byte)
		if s, ok := valueOf(cols, vals, fileColumn).(string); ok {
			data = []byte(s)
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
		n++
		file()
		return nil
	})
	return n, err
}

// redactJSON replaces, in a column holding a JSON object, the values of keys
// that name credentials (at any depth), and returns the new text and the
// keys; nothing when the value is no JSON object or holds no such key.
func redactJSON(v any) (string, []string) {
	var text string
	switch v := v.(type) {
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return "", nil
	}
	if !strings.HasPrefix(strings.TrimSpace(text), "{") {
		return "", nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if dec.Decode(&obj) != nil {
		return "", nil
	}
	var keys []string
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, val := range m {
			if secretColumn.MatchString(k) {
				if s, ok := val.(string); !ok || s != "" {
					m[k] = Redacted
					keys = append(keys, k)
				}
				continue
			}
			if sub, ok := val.(map[string]any); ok {
				walk(sub)
			}
		}
	}
	walk(obj)
	if len(keys) == 0 {
		return "", nil
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return "", nil
	}
	return string(b), keys
}

func valueOf(cols []string, vals []any, name string) any {
	for i, c := range cols {
		if c == name {
			return vals[i]
		}
	}
	return nil
}

// jsonValue makes a column's value JSON: text stays text (binary that is
// not text goes as base64, json's way with []byte).
func jsonValue(v any) any {
	if b, ok := v.([]byte); ok && isText(b) {
		return string(b)
	}
	return v
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			return false
		}
	}
	return utf8.Valid(b)
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
