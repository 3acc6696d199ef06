package kbindex

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// shard is one tenant's index: a directory of its own under the node's
// tenants directory, holding generations of a bleve index and a "current"
// pointer, as the whole node's index did before (ADR 0030). Its BM25
// statistics are the tenant's alone.
type shard struct {
	tenantID string
	dir      string // "" for an index held in memory
	// used is when the shard was last searched or written (Unix nanoseconds):
	// the least recently used open shards are closed first.
	used atomic.Int64

	mu  sync.RWMutex // guards idx and gen: read-locked while in use, write-locked to open, swap or close
	idx bleve.Index  // nil while closed (or none on disk)
	gen string
	// snapCache is what searches of the current snapshot of idx share.
	snapCache atomic.Pointer[snapCache]

	statMu sync.Mutex // guards what follows
	loaded bool       // meta and count are known (the shard was opened or built since the node started)
	stale  bool       // found on disk in another schema: the next level rebuilds it
	meta   meta
	count  int

	// writeMu orders writes, so the meta record never goes back in time.
	writeMu sync.Mutex
	// rebuilding, while a rebuild of the tenant runs, collects the ids of
	// the articles changed meanwhile, applied again after the swap.
	pendingMu  sync.Mutex
	rebuilding map[string]struct{}
	rebuildOne sync.Mutex
}

// stats are what the shard is known to hold.
func (s *shard) stats() (loaded, stale bool, count int, latest time.Time) {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	return s.loaded, s.stale, s.count, s.meta.Latest
}

func (s *shard) setStats(m meta, count int) {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	s.loaded, s.stale, s.meta, s.count = true, false, m, count
}

// safeTenant is a tenant id usable as a directory name as it is.
var safeTenant = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// tenantDir names a tenant's directory under the tenants directory: the id
// itself when it is a plain name ("t-" before it), its hex otherwise ("x-").
func tenantDir(tenantID string) string {
	if safeTenant.MatchString(tenantID) && !strings.Contains(tenantID, "..") {
		return "t-" + tenantID
	}
	return "x-" + hex.EncodeToString([]byte(tenantID))
}

// tenantOfDir is tenantDir's inverse ("" for a name it does not make).
func tenantOfDir(name string) string {
	switch {
	case strings.HasPrefix(name, "t-"):
		return name[2:]
	case strings.HasPrefix(name, "x-"):
		b, err := hex.DecodeString(name[2:])
		if err == nil {
			return string(b)
		}
	}
	return ""
}

// builtFile is the meta record of a generation written by the offline
// builder (which cannot store one inside the index); the index's own
// record takes over at its first write.
const builtFile = "kbindex-built.json"

// open opens the shard's current generation, if it has one of this
// schema; with create, it makes one when there is none. It reports whether
// the shard is open. The caller holds s.mu write-locked.
func (s *shard) open(create bool) (bool, error) {
	if s.idx != nil {
		return true, nil
	}
	if s.dir == "" {
		if !create {
			return false, nil
		}
		idx, err := newMemIndex()
		if err != nil {
			return false, err
		}
		s.idx = idx
		s.setStats(meta{Schema: schema}, 0)
		return true, nil
	}
	if gen := pointed(s.dir); gen != "" {
		idx, err := bleve.OpenUsing(gen, map[string]any{"bolt_timeout": openTimeout})
		if errors.Is(err, bolterrors.ErrTimeout) {
			return false, ErrInUse
		}
		if err == nil {
			m, merr := readMeta(idx, gen)
			n, cerr := idx.DocCount()
			if merr == nil && cerr == nil && m.Schema == schema {
				s.idx, s.gen = idx, gen
				s.setStats(m, int(n))
				return true, nil
			}
			idx.Close()
		}
		// Unreadable or from another schema: rebuilt from SQL at the next level.
		s.statMu.Lock()
		s.loaded, s.stale = true, true
		s.statMu.Unlock()
	}
	if !create {
		if _, err := os.Stat(filepath.Join(s.dir, "current")); errors.Is(err, os.ErrNotExist) {
			s.setStats(meta{Schema: schema}, 0) // known to hold nothing
		}
		return false, nil
	}
	idx, gen, err := newGeneration(s.dir)
	if err != nil {
		return false, err
	}
	if err := point(s.dir, gen); err != nil {
		idx.Close()
		return false, err
	}
	s.idx, s.gen = idx, gen // others (a rebuild's, under way) are left alone
	s.setStats(meta{Schema: schema}, 0)
	return true, nil
}

// closeIndex closes the shard's index if open; the next use opens it again.
func (s *shard) closeIndex() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil || s.dir == "" {
		return nil
	}
	err := s.idx.Close()
	s.idx = nil
	s.snapCache.Store(nil)
	return err
}

// write puts upserts and deletes (article ids) into the open index in one
// batch, with the meta record brought up to date. The caller holds s.mu
// read-locked and s.writeMu.
func (s *shard) write(upserts []knowledge.Article, deletes []string) error {
	_, _, _, latest := s.stats()
	m := meta{Schema: schema, Latest: latest}
	b := s.idx.NewBatch()
	for _, a := range upserts {
		if a.TenantID != s.tenantID || a.ID == "" {
			return fmt.Errorf("kbindex: article (%q, %q) written to tenant %q's index", a.TenantID, a.ID, s.tenantID)
		}
		if err := b.Index(docID(a.TenantID, a.ID), document(a)); err != nil {
			return fmt.Errorf("kbindex: index article %s: %w", a.ID, err)
		}
		if a.UpdatedAt.After(m.Latest) {
			m.Latest = a.UpdatedAt
		}
	}
	for _, id := range deletes {
		b.Delete(docID(s.tenantID, id))
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b.SetInternal(metaKey, raw)
	if err := s.idx.Batch(b); err != nil {
		return fmt.Errorf("kbindex: write batch: %w", err)
	}
	n, err := s.idx.DocCount()
	if err != nil {
		return err
	}
	s.setStats(m, int(n))
	return nil
}

func (s *shard) noteRebuilding(upserts []knowledge.Article, deletes []string) {
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	if s.rebuilding == nil {
		return
	}
	for _, a := range upserts {
		s.rebuilding[a.ID] = struct{}{}
	}
	for _, id := range deletes {
		s.rebuilding[id] = struct{}{}
	}
}

// readMeta is an index's meta record: its own, or the builder's beside it.
func readMeta(idx bleve.Index, gen string) (meta, error) {
	raw, err := idx.GetInternal(metaKey)
	if err != nil {
		return meta{}, err
	}
	if len(raw) == 0 && gen != "" {
		raw, _ = os.ReadFile(filepath.Join(gen, builtFile))
	}
	var m meta
	if len(raw) == 0 {
		return m, errors.New("kbindex: no meta record")
	}
	err = json.Unmarshal(raw, &m)
	return m, err
}

// newMemIndex is an empty index in memory.
func newMemIndex() (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("kbindex: mapping: %w", err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("kbindex: %w", err)
	}
	return idx, nil
}

// newGeneration makes an empty index in a new directory under dir.
func newGeneration(dir string) (bleve.Index, string, error) {
	m, err := newMapping()
	if err != nil {
		return nil, "", fmt.Errorf("kbindex: mapping: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("kbindex: %w", err)
	}
	gen := generationPath(dir)
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

// generationPath names a new generation's directory under dir.
func generationPath(dir string) string {
	return filepath.Join(dir, "gen-"+strconv.FormatInt(time.Now().UnixNano(), 36))
}

// point makes gen the generation a restart opens (written aside, then renamed).
func point(dir, gen string) error {
	tmp := filepath.Join(dir, "current.tmp")
	if err := os.WriteFile(tmp, []byte(filepath.Base(gen)+"\n"), 0o600); err != nil {
		return fmt.Errorf("kbindex: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "current")); err != nil {
		return fmt.Errorf("kbindex: %w", err)
	}
	return nil
}

// pointed is the generation dir's "current" names ("" for none).
func pointed(dir string) string {
	cur, err := os.ReadFile(filepath.Join(dir, "current"))
	if err != nil {
		return ""
	}
	return filepath.Join(dir, filepath.Base(strings.TrimSpace(string(cur))))
}

// removeOthers deletes every generation under dir but keep (left by a swap
// or a crash); keep "" deletes them all.
func removeOthers(dir, keep string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && (strings.HasPrefix(e.Name(), "gen-") || strings.HasPrefix(e.Name(), "scorch-offline-build")) && e.Name() != filepath.Base(keep) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
