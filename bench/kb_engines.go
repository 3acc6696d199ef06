package bench

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

// The engines the knowledge search was chosen among (docs/adr/0021): the
// same corpus in SQLite FTS5 and in PostgreSQL full text (tsvector), each
// as well as it does it — the tenant inside the full-text match for FTS5, a
// b-tree on the tenant beside the GIN index for PostgreSQL, per-language
// text search configurations there, the same field weights, top 10 with a
// <mark> snippet. Neither tolerates typos; FTS5 stems English only.

// KBEngine is one engine loaded with the corpus.
type KBEngine struct {
	Name   string
	Search func(ctx context.Context, q KBQuery) ([]string, error) // the ids of the hits on the page, best first
	Close  func()
}

// queryWords are the words of text as the engines' query syntaxes take
// them: letters and digits, lower-cased.
func queryWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// tenantToken is a tenant id as one FTS5 token.
func tenantToken(id string) string { return "t" + strings.Map(keepAlnum, id) }

func keepAlnum(r rune) rune {
	if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// LoadFTS5 puts the articles into an FTS5 table in a SQLite file of its own
// at path, read through a pool of 8 connections as the store reads.
func LoadFTS5(ctx context.Context, path string, arts []knowledge.Article) (*KBEngine, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE kb_fts USING fts5(tenant, title, issue, body, id UNINDEXED, state UNINDEXED,
		tokenize = 'porter unicode61 remove_diacritics 2')`); err != nil {
		db.Close()
		return nil, fmt.Errorf("fts5: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO kb_fts (tenant, title, issue, body, id, state) VALUES ($1, $2, $3, $4, $5, $6)`)
	if err != nil {
		return nil, err
	}
	for _, a := range arts {
		if _, err := st.ExecContext(ctx, tenantToken(a.TenantID), a.Title, a.Issue+"\n"+strings.Join(a.Tags, ", "),
			a.Environment+"\n"+a.Cause+"\n"+a.Resolution, a.ID, string(a.State)); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("fts5 insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO kb_fts(kb_fts) VALUES ('optimize')`); err != nil {
		return nil, err
	}
	return &KBEngine{Name: "fts5", Close: func() { db.Close() }, Search: func(ctx context.Context, q KBQuery) ([]string, error) {
		ws := queryWords(q.Text)
		if len(ws) == 0 {
			return nil, nil
		}
		match := `tenant : "` + tenantToken(q.TenantID) + `" AND {title issue body} : ("` + strings.Join(ws, `" OR "`) + `")`
		rows, err := db.QueryContext(ctx, `SELECT id, snippet(kb_fts, 3, '<mark>', '</mark>', '…', 16) FROM kb_fts
			WHERE kb_fts MATCH $1 AND state <> 'archived' ORDER BY bm25(kb_fts, 0.0, 4.0, 2.0, 1.0) LIMIT 10`, match)
		if err != nil {
			return nil, fmt.Errorf("fts5 search %q: %w", match, err)
		}
		return countRows(rows)
	}}, nil
}

func countRows(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, snippet string
		if err := rows.Scan(&id, &snippet); err != nil {
			return out, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// pgConfig is the PostgreSQL text search configuration of a locale.
func pgConfig(locale string) string {
	switch strings.ToLower(locale)[:min(2, len(locale))] {
	case "de":
		return "german"
	case "fr":
		return "french"
	case "es":
		return "spanish"
	case "en":
		return "english"
	}
	return "simple"
}

// LoadPostgres puts the articles into a table with a weighted tsvector
// (title A, issue and tags B, the rest C) under a GIN index, in the schema
// dsn points at, read through a pool of 50 connections.
func LoadPostgres(ctx context.Context, dsn string, arts []knowledge.Article) (*KBEngine, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(50)
	db.SetMaxIdleConns(50)
	for _, s := range []string{
		`CREATE TABLE kb_pg (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, state TEXT NOT NULL, cfg REGCONFIG NOT NULL,
			title TEXT NOT NULL, issue TEXT NOT NULL, body TEXT NOT NULL, tsv TSVECTOR NOT NULL)`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	const per = 200
	for i := 0; i < len(arts); i += per {
		part := arts[i:min(i+per, len(arts))]
		var vals []string
		var args []any
		for _, a := range part {
			n := len(args)
			vals = append(vals, fmt.Sprintf(`($%d, $%d, $%d, $%d::regconfig, $%d, $%d, $%d)`, n+1, n+2, n+3, n+4, n+5, n+6, n+7))
			args = append(args, a.ID, a.TenantID, string(a.State), pgConfig(a.Locale), a.Title,
				a.Issue+"\n"+strings.Join(a.Tags, ", "), a.Environment+"\n"+a.Cause+"\n"+a.Resolution)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO kb_pg (id, tenant_id, state, cfg, title, issue, body, tsv)
			SELECT id, tenant_id, state, cfg, title, issue, body,
				setweight(to_tsvector(cfg, title), 'A') || setweight(to_tsvector(cfg, issue), 'B') || setweight(to_tsvector(cfg, body), 'C')
			FROM (VALUES `+strings.Join(vals, ", ")+`) AS v (id, tenant_id, state, cfg, title, issue, body)`, args...); err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres insert: %w", err)
		}
	}
	for _, s := range []string{
		`CREATE INDEX kb_pg_tsv ON kb_pg USING GIN (tsv)`,
		`CREATE INDEX kb_pg_tenant ON kb_pg (tenant_id, state)`,
		`ANALYZE kb_pg`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	// Open the pool's 50 connections now, so the searches (and the CPU
	// the benchmark reads per server process) find them open.
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { db.ExecContext(ctx, `SELECT pg_sleep(0.2)`) })
	}
	wg.Wait()
	return &KBEngine{Name: "postgres", Close: func() { db.Close() }, Search: func(ctx context.Context, q KBQuery) ([]string, error) {
		ws := queryWords(q.Text)
		if len(ws) == 0 {
			return nil, nil
		}
		// The words are OR-ed and stemmed by the article's own
		// configuration (a query per language would be slower still).
		rows, err := db.QueryContext(ctx, `SELECT id, ts_headline(cfg, body, query, 'StartSel=<mark>, StopSel=</mark>, MaxWords=20, MinWords=8')
			FROM (SELECT id, cfg, body, query, ts_rank(tsv, query, 1) AS rank
			      FROM kb_pg, to_tsquery(cfg, $2) AS query
			      WHERE tenant_id = $1 AND state <> 'archived' AND tsv @@ query
			      ORDER BY rank DESC LIMIT 10) AS top ORDER BY rank DESC`, q.TenantID, strings.Join(ws, " | "))
		if err != nil {
			return nil, fmt.Errorf("postgres search: %w", err)
		}
		return countRows(rows)
	}}, nil
}

// kbSharedTenant is the one pseudo-tenant of kbShared.
const kbSharedTenant = "every-tenant"

// kbShared is the corpus as the former layout held it, for the baseline of
// BenchmarkKnowledgeSearch: every article in one index (that of one
// pseudo-tenant), its tenant a "tenant:<id>" tag each search requires.
type kbShared []knowledge.Article

func (s kbShared) shared(a knowledge.Article) knowledge.Article {
	a.Tags = append(slices.Clone(a.Tags), "tenant:"+a.TenantID)
	a.ID, a.TenantID = a.TenantID+"/"+a.ID, kbSharedTenant
	return a
}

func (s kbShared) Article(ctx context.Context, tenantID, id string) (knowledge.Article, error) {
	return knowledge.Article{}, knowledge.ErrNotFound
}

func (s kbShared) EachTenantArticle(ctx context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error {
	if tenantID != kbSharedTenant {
		return nil
	}
	for _, a := range s {
		if !a.UpdatedAt.Before(since) {
			if err := fn(s.shared(a)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s kbShared) ArticleStats(ctx context.Context) (int, time.Time, error) {
	var latest time.Time
	for _, a := range s {
		if a.UpdatedAt.After(latest) {
			latest = a.UpdatedAt
		}
	}
	return len(s), latest, nil
}

func (s kbShared) ArticleStatsByTenant(ctx context.Context) ([]kbindex.TenantStats, error) {
	n, latest, _ := s.ArticleStats(ctx)
	return []kbindex.TenantStats{{TenantID: kbSharedTenant, Count: n, Latest: latest}}, nil
}
