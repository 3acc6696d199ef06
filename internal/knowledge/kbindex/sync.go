package kbindex

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// Source is the SQL side the index is derived from: the articles store.
type Source interface {
	// Article reads one article of a tenant; an error wrapping
	// knowledge.ErrNotFound when it does not exist (any more).
	Article(ctx context.Context, tenantID, id string) (knowledge.Article, error)
	// EachArticle calls fn with every tenant's articles updated at or after
	// since (all of them for the zero time), in any order, stopping at fn's
	// first error. Every change to an article moves its updated_at.
	EachArticle(ctx context.Context, since time.Time, fn func(knowledge.Article) error) error
	// ArticleStats counts every tenant's articles and gives the newest updated_at.
	ArticleStats(ctx context.Context) (count int, latest time.Time, err error)
}

// rebuildBatch is how many articles one batch of a rebuild or catch-up writes.
const rebuildBatch = 2000

// skew is how far before the index's newest change a catch-up starts, for
// changes committed by nodes whose clocks run behind.
const skew = 2 * time.Minute

// Rebuild fills a new index from src and swaps it in; searches are served
// by the old one until then. Changes applied while it runs are applied to
// the new index again after the swap. It returns how many articles it indexed.
func (x *Index) Rebuild(ctx context.Context, src Source) (int, error) {
	x.rebuildOne.Lock()
	defer x.rebuildOne.Unlock()
	x.pendingMu.Lock()
	x.rebuilding = map[key]struct{}{}
	x.pendingMu.Unlock()
	defer func() {
		x.pendingMu.Lock()
		x.rebuilding = nil
		x.pendingMu.Unlock()
	}()

	idx, gen, m, n, err := x.build(ctx, src)
	if err != nil {
		x.removeOthers(x.currentDir())
		return 0, fmt.Errorf("kbindex: rebuild: %w", err)
	}

	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		idx.Close()
		return n, ErrClosed
	}
	old := x.idx
	x.idx, x.dir, x.meta = idx, gen, m
	if err := x.point(gen); err != nil {
		x.mu.Unlock()
		return n, err
	}
	x.mu.Unlock()
	old.Close()
	x.removeOthers(gen)

	x.pendingMu.Lock()
	again := x.rebuilding
	x.rebuilding = nil
	x.pendingMu.Unlock()
	keys := make([]key, 0, len(again))
	for k := range again {
		keys = append(keys, k)
	}
	if err := x.refresh(ctx, src, keys); err != nil {
		return n, err
	}
	return n, nil
}

// build writes every article of src into a new generation with bleve's
// offline builder (segments written whole, merged once: several times
// faster than batches into a live index), then opens it.
func (x *Index) build(ctx context.Context, src Source) (bleve.Index, string, meta, int, error) {
	m := meta{Schema: schema}
	mapping, err := newMapping()
	if err != nil {
		return nil, "", m, 0, err
	}
	gen := x.generationPath()
	var b bleve.Builder // made at the first article: the builder cannot close empty
	n := 0
	err = src.EachArticle(ctx, time.Time{}, func(a knowledge.Article) error {
		if a.TenantID == "" || a.ID == "" {
			return fmt.Errorf("an article without tenant or id (%q, %q)", a.TenantID, a.ID)
		}
		if b == nil {
			var err error
			if b, err = bleve.NewBuilder(gen, mapping, map[string]any{"buildPathPrefix": x.root, "batchSize": rebuildBatch}); err != nil {
				return err
			}
		}
		if a.UpdatedAt.After(m.Latest) {
			m.Latest = a.UpdatedAt
		}
		n++
		return b.Index(docID(a.TenantID, a.ID), document(a))
	})
	if b != nil {
		if cerr := b.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, "", m, 0, err
	}
	if b == nil { // no articles at all: an empty index
		idx, gen, err := x.newGeneration()
		if err != nil {
			return nil, "", m, 0, err
		}
		m.Complete = true
		if m, err = x.write(idx, m, nil, nil); err != nil {
			idx.Close()
			return nil, "", m, 0, err
		}
		return idx, gen, m, 0, nil
	}
	idx, err := bleve.OpenUsing(gen, map[string]any{"bolt_timeout": openTimeout})
	if err != nil {
		return nil, "", m, 0, err
	}
	m.Complete = true
	if m, err = x.write(idx, m, nil, nil); err != nil {
		idx.Close()
		return nil, "", m, 0, err
	}
	return idx, gen, m, n, nil
}

func (x *Index) currentDir() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.dir
}

// Refresh indexes a tenant's articles as SQL has them now: upserted, or
// deleted when they are gone. Whatever order change events arrive in, the
// index ends as SQL is.
func (x *Index) Refresh(ctx context.Context, src Source, tenantID string, articleIDs ...string) error {
	keys := make([]key, len(articleIDs))
	for i, id := range articleIDs {
		keys[i] = key{tenantID, id}
	}
	return x.refresh(ctx, src, keys)
}

func (x *Index) refresh(ctx context.Context, src Source, keys []key) error {
	var up []knowledge.Article
	var del []key
	for _, k := range keys {
		a, err := src.Article(ctx, k.tenantID, k.articleID)
		switch {
		case errors.Is(err, knowledge.ErrNotFound):
			del = append(del, k)
		case err != nil:
			return fmt.Errorf("kbindex: read article %s: %w", k.articleID, err)
		default:
			up = append(up, a)
		}
	}
	if len(up) == 0 && len(del) == 0 {
		return nil
	}
	return x.apply(ctx, up, del)
}

// Sync brings the index level with src: a full rebuild when the index was
// never filled or is ahead of SQL (a restored backup); otherwise the
// articles changed since the index's newest (less a margin for clock skew),
// and a full rebuild if the counts still differ after that (articles deleted
// meanwhile). It reports whether it changed anything.
func (x *Index) Sync(ctx context.Context, src Source) (bool, error) {
	rebuild, did, err := x.level(ctx, src)
	if err != nil || !rebuild {
		return did, err
	}
	_, err = x.Rebuild(ctx, src)
	return true, err
}

// level is Sync but for the rebuild, which it reports as needed instead
// of running (Follow runs it beside the events it keeps applying).
func (x *Index) level(ctx context.Context, src Source) (rebuild, did bool, err error) {
	if x.NeedsRebuild() {
		return true, false, nil
	}
	count, latest, err := src.ArticleStats(ctx)
	if err != nil {
		return false, false, fmt.Errorf("kbindex: article stats: %w", err)
	}
	have, err := x.DocCount()
	if err != nil {
		return false, false, err
	}
	x.mu.RLock()
	mine := x.meta.Latest
	x.mu.RUnlock()
	switch {
	case have == count && latest.Equal(mine):
		return false, false, nil
	case latest.Before(mine): // SQL went back in time (a restored backup)
		return true, false, nil
	case latest.After(mine):
		if err := x.CatchUp(ctx, src, mine.Add(-skew)); err != nil {
			return false, true, err
		}
		if have, err = x.DocCount(); err != nil {
			return false, true, err
		}
	}
	return have != count, true, nil
}

// CatchUp indexes every article changed at or after since.
func (x *Index) CatchUp(ctx context.Context, src Source, since time.Time) error {
	batch := make([]knowledge.Article, 0, rebuildBatch)
	err := src.EachArticle(ctx, since, func(a knowledge.Article) error {
		batch = append(batch, a)
		if len(batch) == rebuildBatch {
			err := x.apply(ctx, batch, nil)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = x.apply(ctx, batch, nil)
	}
	if err != nil {
		return fmt.Errorf("kbindex: catch up since %s: %w", since.Format(time.RFC3339), err)
	}
	return nil
}
