package kbindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// Source is the SQL side the index is derived from: the articles store.
type Source interface {
	// Article reads one article of a tenant; an error wrapping
	// knowledge.ErrNotFound when it does not exist (any more).
	Article(ctx context.Context, tenantID, id string) (knowledge.Article, error)
	// EachTenantArticle calls fn with the tenant's articles updated at or
	// after since (all of them for the zero time), stopping at fn's first
	// error. Every change to an article moves its updated_at.
	EachTenantArticle(ctx context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error
	// ArticleStats counts every tenant's articles and gives the newest updated_at.
	ArticleStats(ctx context.Context) (count int, latest time.Time, err error)
	// ArticleStatsByTenant is ArticleStats for each tenant with articles.
	ArticleStatsByTenant(ctx context.Context) ([]TenantStats, error)
}

// TenantStats is how many articles a tenant has and its newest updated_at.
type TenantStats struct {
	TenantID string
	Count    int
	Latest   time.Time
}

// rebuildBatch is how many articles one batch of a rebuild or catch-up writes.
const rebuildBatch = 2000

// skew is how far before the index's newest change a catch-up starts, for
// changes committed by nodes whose clocks run behind.
const skew = 2 * time.Minute

// Rebuild rebuilds every tenant's index from src, one tenant after another
// (each swapped in when built; the others keep serving), removes those of
// tenants without articles, and marks the node's index complete. It returns
// how many articles it indexed.
func (x *Index) Rebuild(ctx context.Context, src Source) (int, error) {
	x.rebuildAll.Lock()
	defer x.rebuildAll.Unlock()
	stats, err := src.ArticleStatsByTenant(ctx)
	if err != nil {
		return 0, fmt.Errorf("kbindex: rebuild: %w", err)
	}
	tenants := x.tenants()
	for _, st := range stats {
		tenants = append(tenants, st.TenantID)
	}
	tenants = append(tenants, x.dirTenants()...)
	slices.Sort(tenants)
	n := 0
	for _, t := range slices.Compact(tenants) {
		k, err := x.RebuildTenant(ctx, src, t)
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, x.markComplete()
}

// RebuildTenant fills a new index of the tenant's articles from src and
// swaps it in; searches are served by the old one until then. Changes
// applied while it runs are applied to the new index again after the swap.
// A tenant without articles is left without an index (its directory
// removed). It returns how many articles it indexed.
func (x *Index) RebuildTenant(ctx context.Context, src Source, tenantID string) (int, error) {
	if tenantID == "" {
		return 0, ErrNoTenant
	}
	s := x.shard(tenantID, true)
	s.rebuildOne.Lock()
	defer s.rebuildOne.Unlock()
	s.pendingMu.Lock()
	s.rebuilding = map[string]struct{}{}
	s.pendingMu.Unlock()
	defer func() {
		s.pendingMu.Lock()
		s.rebuilding = nil
		s.pendingMu.Unlock()
	}()

	idx, gen, m, n, err := x.build(ctx, src, s)
	if err != nil {
		if s.dir != "" && gen != "" {
			os.RemoveAll(gen)
		}
		return 0, fmt.Errorf("kbindex: rebuild tenant %s: %w", tenantID, err)
	}
	s.mu.Lock()
	if x.closed.Load() {
		s.mu.Unlock()
		if idx != nil {
			idx.Close()
		}
		return n, ErrClosed
	}
	old := s.idx
	s.idx, s.gen = idx, gen // on disk: opened again at its next use
	if s.dir != "" {
		if gen == "" {
			os.RemoveAll(s.dir)
		} else if err := point(s.dir, gen); err != nil {
			s.mu.Unlock()
			return n, err
		}
	}
	s.setStats(m, n)
	s.mu.Unlock()
	if old != nil && old != idx {
		old.Close()
	}
	if s.dir != "" {
		x.mu.Lock()
		delete(x.open, s)
		x.mu.Unlock()
		if gen != "" {
			removeOthers(s.dir, gen)
		}
	}

	s.pendingMu.Lock()
	again := s.rebuilding
	s.rebuilding = nil
	s.pendingMu.Unlock()
	ids := make([]string, 0, len(again))
	for id := range again {
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		if err := x.Refresh(ctx, src, tenantID, ids...); err != nil {
			return n, err
		}
	}
	return n, nil
}

// build writes the tenant's articles from src into a new generation with
// bleve's offline builder (segments written whole, merged once), left
// closed (on disk) or open (in memory); none when the tenant has no
// articles.
func (x *Index) build(ctx context.Context, src Source, s *shard) (bleve.Index, string, meta, int, error) {
	m := meta{Schema: schema}
	mapping, err := newMapping()
	if err != nil {
		return nil, "", m, 0, err
	}
	var mem bleve.Index
	var batch *bleve.Batch
	var b bleve.Builder // made at the first article: the builder cannot close empty
	gen := ""
	n := 0
	err = src.EachTenantArticle(ctx, s.tenantID, time.Time{}, func(a knowledge.Article) error {
		if a.TenantID != s.tenantID || a.ID == "" {
			return fmt.Errorf("an article (%q, %q) read for tenant %q", a.TenantID, a.ID, s.tenantID)
		}
		if a.UpdatedAt.After(m.Latest) {
			m.Latest = a.UpdatedAt
		}
		n++
		if s.dir == "" {
			if mem == nil {
				if mem, err = newMemIndex(); err != nil {
					return err
				}
				batch = mem.NewBatch()
			}
			return batch.Index(docID(a.TenantID, a.ID), document(a))
		}
		if b == nil {
			if err := os.MkdirAll(s.dir, 0o700); err != nil {
				return err
			}
			gen = generationPath(s.dir)
			var err error
			if b, err = bleve.NewBuilder(gen, mapping, map[string]any{"buildPathPrefix": s.dir, "batchSize": rebuildBatch}); err != nil {
				return err
			}
		}
		return b.Index(docID(a.TenantID, a.ID), document(a))
	})
	if b != nil {
		if cerr := b.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil && mem != nil {
		raw, _ := json.Marshal(m)
		batch.SetInternal(metaKey, raw)
		err = mem.Batch(batch)
	}
	if err == nil && gen != "" {
		raw, _ := json.Marshal(m)
		err = os.WriteFile(filepath.Join(gen, builtFile), raw, 0o600)
	}
	if err != nil {
		if mem != nil {
			mem.Close()
		}
		return nil, gen, m, 0, err
	}
	return mem, gen, m, n, nil
}

// Refresh indexes a tenant's articles as SQL has them now: upserted, or
// deleted when they are gone. Whatever order change events arrive in, the
// index ends as SQL is.
func (x *Index) Refresh(ctx context.Context, src Source, tenantID string, articleIDs ...string) error {
	var up []knowledge.Article
	var del []string
	for _, id := range articleIDs {
		a, err := src.Article(ctx, tenantID, id)
		switch {
		case errors.Is(err, knowledge.ErrNotFound):
			del = append(del, id)
		case err != nil:
			return fmt.Errorf("kbindex: read article %s: %w", id, err)
		default:
			up = append(up, a)
		}
	}
	if len(up) == 0 && len(del) == 0 {
		return nil
	}
	return x.apply(ctx, tenantID, up, del)
}

// refresh is Refresh for articles of several tenants.
func (x *Index) refresh(ctx context.Context, src Source, keys []key) error {
	by := map[string][]string{}
	for _, k := range keys {
		by[k.tenantID] = append(by[k.tenantID], k.articleID)
	}
	var first error
	for t, ids := range by {
		if err := x.Refresh(ctx, src, t, ids...); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Sync brings the index level with src: a full rebuild when the node's
// index was never filled; otherwise each tenant's index that is not level
// with SQL catches up on the articles changed since its newest (less a
// margin for clock skew), or is rebuilt when it is ahead of SQL (a restored
// backup), unreadable, or still counts differently after catching up
// (articles deleted meanwhile). It reports whether it changed anything.
func (x *Index) Sync(ctx context.Context, src Source) (bool, error) {
	rebuild, did, err := x.level(ctx, src)
	if err != nil || !rebuild {
		return did, err
	}
	_, err = x.Rebuild(ctx, src)
	return true, err
}

// level is Sync but for the whole-node rebuild, which it reports as needed
// instead of running (Follow runs it beside the events it keeps applying).
// A level index costs one SQL count; one that is not, a count per tenant
// and the work on the tenants that differ.
// Level brings the index level with src once, as Follow does when a node
// starts: a tenant whose index was never filled or differs from SQL is
// rebuilt, and — since a node that just started knows nothing of what its
// tenants' indexes hold — every tenant's index with articles is opened on the
// way, up to MaxOpen. It reports whether the whole node's index needs a
// rebuild (Rebuild), which Level does not start.
func (x *Index) Level(ctx context.Context, src Source) (rebuild bool, err error) {
	rebuild, _, err = x.level(ctx, src)
	return rebuild, err
}

func (x *Index) level(ctx context.Context, src Source) (rebuild, did bool, err error) {
	if x.NeedsRebuild() {
		return true, false, nil
	}
	count, latest, err := src.ArticleStats(ctx)
	if err != nil {
		return false, false, fmt.Errorf("kbindex: article stats: %w", err)
	}
	if have, mine, ok := x.knownTotals(); ok && have == count && latest.Equal(mine) {
		return false, false, nil
	}
	per, err := src.ArticleStatsByTenant(ctx)
	if err != nil {
		return false, false, fmt.Errorf("kbindex: article stats by tenant: %w", err)
	}
	want := map[string]TenantStats{}
	tenants := x.tenants()
	for _, st := range per {
		want[st.TenantID] = st
		tenants = append(tenants, st.TenantID)
	}
	slices.Sort(tenants)
	for _, t := range slices.Compact(tenants) {
		changed, err := x.levelTenant(ctx, src, t, want[t])
		did = did || changed
		if err != nil {
			return false, did, err
		}
	}
	return false, did, nil
}

// knownTotals sums what the tenants' indexes hold, when every one is known.
func (x *Index) knownTotals() (count int, latest time.Time, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, s := range x.shards {
		loaded, stale, n, l := s.stats()
		if !loaded || stale {
			return 0, time.Time{}, false
		}
		count += n
		if l.After(latest) {
			latest = l
		}
	}
	return count, latest, true
}

// levelTenant brings one tenant's index level with want, SQL's figures.
func (x *Index) levelTenant(ctx context.Context, src Source, tenantID string, want TenantStats) (bool, error) {
	s := x.shard(tenantID, true)
	have, mine, err := x.tenantStats(s)
	if err != nil {
		return false, err
	}
	_, stale, _, _ := s.stats()
	switch {
	case !stale && have == want.Count && want.Latest.Equal(mine):
		if want.Count == 0 {
			x.forget(s)
		}
		return false, nil
	case stale || want.Count == 0 || want.Latest.Before(mine):
		_, err := x.RebuildTenant(ctx, src, tenantID)
		if want.Count == 0 {
			x.forget(s)
		}
		return true, err
	case want.Latest.After(mine):
		if err := x.catchUpTenant(ctx, src, tenantID, mine.Add(-skew)); err != nil {
			return true, err
		}
		if have, _, err = x.tenantStats(s); err != nil {
			return true, err
		}
	}
	if have != want.Count {
		_, err := x.RebuildTenant(ctx, src, tenantID)
		return true, err
	}
	return true, nil
}

// forget drops a tenant without articles or index from the node's list.
func (x *Index) forget(s *shard) {
	s.mu.RLock()
	empty := s.idx == nil && (s.dir == "" || !exists(s.dir))
	s.mu.RUnlock()
	if !empty {
		return
	}
	x.mu.Lock()
	if x.shards[s.tenantID] == s {
		delete(x.shards, s.tenantID)
	}
	x.mu.Unlock()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// CatchUp indexes every tenant's articles changed at or after since.
func (x *Index) CatchUp(ctx context.Context, src Source, since time.Time) error {
	per, err := src.ArticleStatsByTenant(ctx)
	if err != nil {
		return fmt.Errorf("kbindex: catch up: %w", err)
	}
	for _, st := range per {
		if st.Latest.Before(since) {
			continue
		}
		if err := x.catchUpTenant(ctx, src, st.TenantID, since); err != nil {
			return err
		}
	}
	return nil
}

func (x *Index) catchUpTenant(ctx context.Context, src Source, tenantID string, since time.Time) error {
	batch := make([]knowledge.Article, 0, rebuildBatch)
	err := src.EachTenantArticle(ctx, tenantID, since, func(a knowledge.Article) error {
		batch = append(batch, a)
		if len(batch) == rebuildBatch {
			err := x.apply(ctx, tenantID, batch, nil)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = x.apply(ctx, tenantID, batch, nil)
	}
	if err != nil {
		return fmt.Errorf("kbindex: catch up tenant %s since %s: %w", tenantID, since.Format(time.RFC3339), err)
	}
	return nil
}
