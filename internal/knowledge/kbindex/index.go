// Package kbindex is the knowledge search: one full-text index (bleve, BM25)
// per tenant on each node, opened when first needed, at most a bounded number
// open at once. A tenant's scores depend on its own articles alone. The
// indexes are derived state: SQL holds the articles, a tenant's index is
// rebuilt from it when missing or behind, and every node applies the
// knowledge.article_changed events it hears so an edit is found on all nodes
// within moments. See docs/adr/0021-knowledge-search.md and
// docs/adr/0030-one-index-per-tenant.md.
package kbindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// ErrClosed is returned by an index used after Close.
var ErrClosed = errors.New("kbindex: the index is closed")

// ErrInUse is returned by Open when another process holds the index open (a
// node serving from the same data directory).
var ErrInUse = errors.New("kbindex: the index is in use by another process (a node serving from this data directory?)")

// openTimeout is how long opening a tenant's index waits for another
// process's lock.
const openTimeout = "1s"

// metaKey is a tenant index's own record of what it holds (schema, latest change).
var metaKey = []byte("kbindex.meta")

// meta is what a tenant's index on disk says of itself.
type meta struct {
	Schema int `json:"schema"`
	// Latest is the newest updated_at among the articles indexed: SQL's
	// newer ones are what a restarted node catches up on.
	Latest time.Time `json:"latest"`
}

// nodeFile records, in the node's index directory, the layout's schema and
// whether a rebuild from SQL ever completed in it.
const nodeFile = "kbindex.json"

type nodeState struct {
	Schema   int  `json:"schema"`
	Complete bool `json:"complete"`
}

// Options tune an index.
type Options struct {
	// MaxOpen is how many tenants' indexes may be open at once; opening
	// one more closes the least recently used. Zero means DefaultMaxOpen.
	MaxOpen int
	// IdleClose closes a tenant's index unused this long (checked at each
	// reconcile). Zero means DefaultIdleClose.
	IdleClose time.Duration
	// MaxSearching is how many searches run at once; the others wait their
	// turn, first come first served. Zero means one per core
	// (GOMAXPROCS): a search is CPU work, and more at once than cores
	// only time-slices them — the Go scheduler lets each run 10 ms before
	// the next, so with 50 searches on 2 cores one cut off mid-way waits
	// some 250 ms, where in turn it waits for the 49 before it
	// (docs/adr/0030-one-index-per-tenant.md, amendment).
	MaxSearching int
	// FormerSearch runs a search with words as before ADR 0030's second
	// amendment (bleve's query, its loading and the matches' locations read
	// for every match): the benchmark measures both in one run.
	FormerSearch bool
}

// Defaults of Options: an open tenant index costs a few file handles, four
// goroutines and some memory (docs/benchmarks.md measures them).
const (
	DefaultMaxOpen   = 1024
	DefaultIdleClose = 15 * time.Minute
)

// Index is a node's knowledge search: one index per tenant. Searches run
// concurrently with each other and with updates; a tenant's rebuild fills a
// new index beside the serving one and swaps it in.
type Index struct {
	root string // "" when held in memory
	opts Options

	closed atomic.Bool
	mu     sync.Mutex // guards shards, open and state
	shards map[string]*shard
	open   map[*shard]struct{} // the shards on disk with an open index
	state  nodeState

	// searching holds a token per search running (Options.MaxSearching).
	searching chan struct{}

	rebuildAll sync.Mutex // one whole-node rebuild at a time
	unlock     func()     // releases the directory's lock
}

// key names one article.
type key struct{ tenantID, articleID string }

// Open opens the node's index under dir (made if missing) with the default
// options.
func Open(dir string) (*Index, error) { return OpenWith(dir, Options{}) }

// OpenWith opens the node's index under dir. Tenants' indexes open when
// first searched or written. A directory in the former layout (one index for
// every tenant) or another schema opens empty and reports NeedsRebuild.
func OpenWith(dir string, opts Options) (*Index, error) {
	if opts.MaxOpen <= 0 {
		opts.MaxOpen = DefaultMaxOpen
	}
	if opts.IdleClose <= 0 {
		opts.IdleClose = DefaultIdleClose
	}
	x := &Index{root: dir, opts: opts, shards: map[string]*shard{}, open: map[*shard]struct{}{}, searching: searchSlots(opts)}
	if err := os.MkdirAll(x.tenantsDir(), 0o700); err != nil {
		return nil, fmt.Errorf("kbindex: %w", err)
	}
	release, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	x.unlock = release
	if raw, err := os.ReadFile(filepath.Join(dir, nodeFile)); err == nil {
		json.Unmarshal(raw, &x.state)
	}
	if x.state.Schema != schema {
		// The former layout (ADR 0021: "current" and generations at the
		// top) or another schema: derived data, rebuilt from SQL.
		x.state = nodeState{Schema: schema}
		removeOthers(dir, "")
		os.Remove(filepath.Join(dir, "current"))
		if err := x.writeState(); err != nil {
			release()
			return nil, err
		}
	}
	entries, err := os.ReadDir(x.tenantsDir())
	if err != nil {
		release()
		return nil, fmt.Errorf("kbindex: %w", err)
	}
	for _, e := range entries {
		if t := tenantOfDir(e.Name()); e.IsDir() && t != "" {
			x.shards[t] = &shard{tenantID: t, dir: filepath.Join(x.tenantsDir(), e.Name())}
		}
	}
	return x, nil
}

// OpenInMemory opens an empty index held in memory only: for a process that
// must not take the node's index (a command run beside it) and for tests.
func OpenInMemory() (*Index, error) {
	return &Index{opts: Options{MaxOpen: DefaultMaxOpen, IdleClose: DefaultIdleClose}, shards: map[string]*shard{},
		open: map[*shard]struct{}{}, state: nodeState{Schema: schema}, searching: searchSlots(Options{})}, nil
}

// searchSlots is the channel whose tokens are the searches running.
func searchSlots(opts Options) chan struct{} {
	n := opts.MaxSearching
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return make(chan struct{}, n)
}

func (x *Index) tenantsDir() string { return filepath.Join(x.root, "tenants") }

func (x *Index) writeState() error {
	if x.root == "" {
		return nil
	}
	raw, _ := json.Marshal(x.state)
	tmp := filepath.Join(x.root, nodeFile+".tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("kbindex: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(x.root, nodeFile)); err != nil {
		return fmt.Errorf("kbindex: %w", err)
	}
	return nil
}

// NeedsRebuild reports whether the node's index was never filled from SQL
// (new, or found in another layout or schema).
func (x *Index) NeedsRebuild() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return !x.state.Complete
}

func (x *Index) markComplete() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.state.Complete {
		return nil
	}
	x.state.Complete = true
	return x.writeState()
}

// Close closes every tenant's index; searches after it fail with ErrClosed.
func (x *Index) Close() error {
	if x.closed.Swap(true) {
		return nil
	}
	x.mu.Lock()
	all := make([]*shard, 0, len(x.shards))
	for _, s := range x.shards {
		all = append(all, s)
	}
	x.open = map[*shard]struct{}{}
	x.mu.Unlock()
	var first error
	for _, s := range all {
		s.mu.Lock()
		if s.idx != nil {
			if err := s.idx.Close(); err != nil && first == nil {
				first = err
			}
			s.idx = nil
		}
		s.mu.Unlock()
	}
	if x.unlock != nil {
		x.unlock()
	}
	return first
}

// shard is the tenant's shard; with make, one is made when there is none.
func (x *Index) shard(tenantID string, make bool) *shard {
	x.mu.Lock()
	defer x.mu.Unlock()
	s := x.shards[tenantID]
	if s == nil && make {
		s = &shard{tenantID: tenantID}
		if x.root != "" {
			s.dir = filepath.Join(x.tenantsDir(), tenantDir(tenantID))
		}
		x.shards[tenantID] = s
	}
	return s
}

// tenants are the tenants with a shard, sorted.
func (x *Index) tenants() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make([]string, 0, len(x.shards))
	for t := range x.shards {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// acquire returns with s read-locked and its index open (made first with
// create), and reports true; false, with nothing locked, when the tenant has
// no index and create is not set. Release with s.mu.RUnlock.
func (x *Index) acquire(s *shard, create bool) (bool, error) {
	for range 100 {
		if x.closed.Load() {
			return false, ErrClosed
		}
		s.mu.RLock()
		if s.idx != nil {
			s.used.Store(time.Now().UnixNano())
			return true, nil
		}
		s.mu.RUnlock()
		s.mu.Lock()
		ok, err := s.open(create)
		s.mu.Unlock()
		if err != nil || !ok {
			return false, err
		}
		s.used.Store(time.Now().UnixNano())
		x.noteOpen(s)
	}
	return false, fmt.Errorf("kbindex: tenant %s's index closed as fast as it opens (MaxOpen %d too small?)", s.tenantID, x.opts.MaxOpen)
}

// noteOpen counts s among the open shards and closes the least recently
// used others beyond MaxOpen.
func (x *Index) noteOpen(s *shard) {
	if s.dir == "" {
		return // in memory: never closed, it could not be opened again
	}
	x.mu.Lock()
	x.open[s] = struct{}{}
	var victims []*shard
	for len(x.open) > x.opts.MaxOpen {
		var oldest *shard
		for o := range x.open {
			if o != s && (oldest == nil || o.used.Load() < oldest.used.Load()) {
				oldest = o
			}
		}
		if oldest == nil {
			break
		}
		delete(x.open, oldest)
		victims = append(victims, oldest)
	}
	x.mu.Unlock()
	for _, v := range victims {
		v.closeIndex() // waits for its searches in flight
	}
}

// closeIdle closes the tenants' indexes unused for IdleClose.
func (x *Index) closeIdle() {
	cutoff := time.Now().Add(-x.opts.IdleClose).UnixNano()
	x.mu.Lock()
	var idle []*shard
	for s := range x.open {
		if s.used.Load() < cutoff {
			delete(x.open, s)
			idle = append(idle, s)
		}
	}
	x.mu.Unlock()
	for _, s := range idle {
		s.closeIndex()
	}
}

// OpenCount is how many tenants' indexes are open now (on disk; those held
// in memory are not counted).
func (x *Index) OpenCount() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.open)
}

// DocCount is how many articles the node's index holds, across tenants. It
// opens the tenants' indexes not opened since the start to count theirs.
func (x *Index) DocCount() (int, error) {
	if x.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	for _, t := range x.tenants() {
		c, _, err := x.tenantStats(x.shard(t, false))
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// tenantStats is what s holds, opened to find out if not known yet.
func (x *Index) tenantStats(s *shard) (int, time.Time, error) {
	if s == nil {
		return 0, time.Time{}, nil
	}
	if loaded, _, n, latest := s.stats(); loaded {
		return n, latest, nil
	}
	ok, err := x.acquire(s, false)
	if err != nil {
		return 0, time.Time{}, err
	}
	if ok {
		s.mu.RUnlock()
	}
	_, _, n, latest := s.stats()
	return n, latest, nil
}

// Upsert indexes articles (added or replaced, by tenant and id). An archived
// article stays, with its state: the filters decide who finds it.
func (x *Index) Upsert(ctx context.Context, articles ...knowledge.Article) error {
	by := map[string][]knowledge.Article{}
	for _, a := range articles {
		if a.TenantID == "" || a.ID == "" {
			return fmt.Errorf("kbindex: an article without tenant or id (%q, %q)", a.TenantID, a.ID)
		}
		by[a.TenantID] = append(by[a.TenantID], a)
	}
	for t, as := range by {
		if err := x.apply(ctx, t, as, nil); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes articles from the index (their rows are gone from SQL).
func (x *Index) Delete(ctx context.Context, tenantID string, articleIDs ...string) error {
	return x.apply(ctx, tenantID, nil, articleIDs)
}

// apply writes one batch to the tenant's index (made at its first article)
// and records the change for a rebuild of it in progress.
func (x *Index) apply(ctx context.Context, tenantID string, upserts []knowledge.Article, deletes []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if x.closed.Load() {
		return ErrClosed
	}
	s := x.shard(tenantID, len(upserts) > 0)
	if s == nil {
		return nil // nothing of the tenant's indexed: nothing to delete
	}
	s.noteRebuilding(upserts, deletes)
	ok, err := x.acquire(s, len(upserts) > 0)
	if err != nil || !ok {
		return err
	}
	defer s.mu.RUnlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.write(upserts, deletes)
}

// tenantsDirs lists the tenants with a directory on disk (a node's shards
// are all known from its start, so this is for a rebuild's sweep).
func (x *Index) dirTenants() []string {
	if x.root == "" {
		return nil
	}
	entries, _ := os.ReadDir(x.tenantsDir())
	var out []string
	for _, e := range entries {
		if t := tenantOfDir(e.Name()); e.IsDir() && t != "" && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, t)
		}
	}
	return out
}
