// Package kbindex is the knowledge search: one full-text index per node (bleve,
// BM25) holding every tenant's articles, each query bound to one tenant by a
// keyword filter. The index is derived state: SQL holds the articles, the
// index is rebuilt from it when missing or behind, and every node applies the
// knowledge.article_changed events it hears so an edit is found on all nodes
// within moments. See docs/adr/0021-knowledge-search.md.
package kbindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// ErrClosed is returned by an index used after Close.
var ErrClosed = errors.New("kbindex: the index is closed")

// ErrInUse is returned by Open when another process holds the index open (a
// node serving from the same data directory).
var ErrInUse = errors.New("kbindex: the index is in use by another process (a node serving from this data directory?)")

// openTimeout is how long Open waits for another process's lock.
const openTimeout = "1s"

// metaKey is the index's own record of what it holds (schema, latest change).
var metaKey = []byte("kbindex.meta")

// meta is what an index on disk says of itself, read at start to decide
// whether it can serve or must be rebuilt.
type meta struct {
	Schema int `json:"schema"`
	// Latest is the newest updated_at among the articles indexed: SQL's
	// newer ones are what a restarted node catches up on.
	Latest time.Time `json:"latest"`
	// Complete is set once a rebuild has filled the index from SQL.
	Complete bool `json:"complete"`
}

// Index is a node's knowledge search index. Searches run concurrently with
// each other and with updates; a rebuild fills a new index beside the
// serving one and swaps it in, so searches never see it half full.
type Index struct {
	root string // directory holding the index generations and the "current" pointer

	mu     sync.RWMutex
	idx    bleve.Index // nil once closed
	dir    string      // the generation idx lives in
	meta   meta        // guarded by writeMu while mu is read-locked, by mu alone when write-locked
	closed bool
	// writeMu orders the writes to the serving index, so its meta record
	// never goes back in time.
	writeMu sync.Mutex

	// rebuilding, while a rebuild runs, collects the articles changed
	// meanwhile, so they are applied again to the new index after the swap.
	rebuilding map[key]struct{}
	pendingMu  sync.Mutex // guards rebuilding
	rebuildOne sync.Mutex // one rebuild at a time
}

// key names one article.
type key struct{ tenantID, articleID string }

// Open opens the index under dir (made if missing). An index from an older
// schema, or one never filled, opens empty and reports NeedsRebuild.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("kbindex: %w", err)
	}
	x := &Index{root: dir}
	if cur, err := os.ReadFile(filepath.Join(dir, "current")); err == nil {
		gen := filepath.Join(dir, filepath.Base(strings.TrimSpace(string(cur))))
		idx, err := bleve.OpenUsing(gen, map[string]any{"bolt_timeout": openTimeout})
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, ErrInUse
		}
		if err == nil {
			m, err := readMeta(idx)
			if err == nil && m.Schema == schema {
				x.idx, x.dir, x.meta = idx, gen, m
				return x, nil
			}
			idx.Close()
		}
	}
	idx, gen, err := x.newGeneration()
	if err != nil {
		return nil, err
	}
	x.idx, x.dir, x.meta = idx, gen, meta{Schema: schema}
	if err := x.point(gen); err != nil {
		idx.Close()
		return nil, err
	}
	x.removeOthers(gen)
	return x, nil
}

// OpenInMemory opens an empty index held in memory only: for a process that
// must not take the node's index (a command run beside it).
func OpenInMemory() (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("kbindex: mapping: %w", err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("kbindex: %w", err)
	}
	return &Index{idx: idx, meta: meta{Schema: schema}}, nil
}

// NeedsRebuild reports whether the index was never filled from SQL (new, or
// found with another schema).
func (x *Index) NeedsRebuild() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return !x.meta.Complete
}

// Close closes the index; searches after it fail with ErrClosed.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	err := x.idx.Close()
	x.idx = nil
	return err
}

// DocCount is how many articles the index holds, across tenants.
func (x *Index) DocCount() (int, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return 0, ErrClosed
	}
	n, err := x.idx.DocCount()
	return int(n), err
}

// Upsert indexes articles (added or replaced, by tenant and id). An archived
// article stays, with its state: the filters decide who finds it.
func (x *Index) Upsert(ctx context.Context, articles ...knowledge.Article) error {
	return x.apply(ctx, articles, nil)
}

// Delete removes articles from the index (their rows are gone from SQL).
func (x *Index) Delete(ctx context.Context, tenantID string, articleIDs ...string) error {
	keys := make([]key, len(articleIDs))
	for i, id := range articleIDs {
		keys[i] = key{tenantID, id}
	}
	return x.apply(ctx, nil, keys)
}

// apply writes one batch to the serving index and records the change for a
// rebuild in progress.
func (x *Index) apply(ctx context.Context, upserts []knowledge.Article, deletes []key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return ErrClosed
	}
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	m, err := x.write(x.idx, x.meta, upserts, deletes)
	if err != nil {
		return err
	}
	x.meta = m
	x.noteRebuilding(upserts, deletes)
	return nil
}

// write puts upserts and deletes into idx in one batch, with the meta
// record brought up to date.
func (x *Index) write(idx bleve.Index, m meta, upserts []knowledge.Article, deletes []key) (meta, error) {
	b := idx.NewBatch()
	for _, a := range upserts {
		if a.TenantID == "" || a.ID == "" {
			return m, fmt.Errorf("kbindex: an article without tenant or id (%q, %q)", a.TenantID, a.ID)
		}
		if err := b.Index(docID(a.TenantID, a.ID), document(a)); err != nil {
			return m, fmt.Errorf("kbindex: index article %s: %w", a.ID, err)
		}
		if a.UpdatedAt.After(m.Latest) {
			m.Latest = a.UpdatedAt
		}
	}
	for _, k := range deletes {
		b.Delete(docID(k.tenantID, k.articleID))
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return m, err
	}
	b.SetInternal(metaKey, raw)
	if err := idx.Batch(b); err != nil {
		return m, fmt.Errorf("kbindex: write batch: %w", err)
	}
	return m, nil
}

func (x *Index) noteRebuilding(upserts []knowledge.Article, deletes []key) {
	x.pendingMu.Lock()
	defer x.pendingMu.Unlock()
	if x.rebuilding == nil {
		return
	}
	for _, a := range upserts {
		x.rebuilding[key{a.TenantID, a.ID}] = struct{}{}
	}
	for _, k := range deletes {
		x.rebuilding[k] = struct{}{}
	}
}

func readMeta(idx bleve.Index) (meta, error) {
	raw, err := idx.GetInternal(metaKey)
	if err != nil {
		return meta{}, err
	}
	var m meta
	if len(raw) == 0 {
		return m, errors.New("kbindex: no meta record")
	}
	err = json.Unmarshal(raw, &m)
	return m, err
}

// newGeneration makes an empty index in a new directory under root.
func (x *Index) newGeneration() (bleve.Index, string, error) {
	m, err := newMapping()
	if err != nil {
		return nil, "", fmt.Errorf("kbindex: mapping: %w", err)
	}
	gen := x.generationPath()
	idx, err := bleve.New(gen, m)
	if err != nil {
		return nil, "", fmt.Errorf("kbindex: create %s: %w", gen, err)
	}
	raw, _ := json.Marshal(meta{Schema: schema})
	if err := idx.SetInternal(metaKey, raw); err != nil {
		idx.Close()
		return nil, "", err
	}
	return idx, gen, nil
}

// generationPath names a new generation's directory.
func (x *Index) generationPath() string {
	return filepath.Join(x.root, "gen-"+strconv.FormatInt(time.Now().UnixNano(), 36))
}

// point makes gen the generation a restart opens (written aside, then renamed).
func (x *Index) point(gen string) error {
	tmp := filepath.Join(x.root, "current.tmp")
	if err := os.WriteFile(tmp, []byte(filepath.Base(gen)+"\n"), 0o600); err != nil {
		return fmt.Errorf("kbindex: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(x.root, "current")); err != nil {
		return fmt.Errorf("kbindex: %w", err)
	}
	return nil
}

// removeOthers deletes every generation but keep (left by a swap or a crash).
func (x *Index) removeOthers(keep string) {
	entries, _ := os.ReadDir(x.root)
	for _, e := range entries {
		if e.IsDir() && (strings.HasPrefix(e.Name(), "gen-") || strings.HasPrefix(e.Name(), "scorch-offline-build")) && e.Name() != filepath.Base(keep) {
			os.RemoveAll(filepath.Join(x.root, e.Name()))
		}
	}
}
