package kbindex

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// ArticleChanged is the event the articles store emits with every change to
// an article (its data is the article's JSON; the id is what the index reads).
const ArticleChanged = event.KnowledgeArticleChanged

// RebuildSubject is where `switchboard reindex` asks every node to rebuild
// its index from SQL: every tenant's for an empty message, the one tenant
// whose id the message holds otherwise.
const RebuildSubject = "switchboard.kbindex.rebuild"

// Events is the bus as the index hears it: every tenant's events, and the
// requests to rebuild.
type Events interface {
	SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error)
	Subscribe(subject string, handler func(subject string, data []byte)) (unsubscribe func() error, err error)
}

// FollowOptions tune Follow.
type FollowOptions struct {
	// Reconcile is how often the index compares itself with SQL and catches
	// up on what the bus did not bring (at most once delivery, a node that
	// was down). Zero means a minute.
	Reconcile time.Duration
	Logger    *slog.Logger
	// Started, if set, is called once the first pass is over: the index is
	// level with SQL and every tenant's index is open (or a rebuild from SQL
	// runs, which can take minutes and serves meanwhile). A node is ready
	// for searches then (/readyz).
	Started func()
}

// queueSize is how many changed articles may wait to be indexed; past it,
// the next reconcile catches up from SQL instead.
const queueSize = 4096

// Follow keeps the index level with src until ctx ends: it brings the index
// up to date at once (rebuilding it if it was never filled), then indexes
// every article a knowledge.article_changed event names, as SQL has it, and
// reconciles with SQL every opts.Reconcile. It returns when ctx ends.
func (x *Index) Follow(ctx context.Context, events Events, src Source, opts FollowOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "kbindex")
	every := opts.Reconcile
	if every <= 0 {
		every = time.Minute
	}
	changed := make(chan key, queueSize)
	missed := make(chan struct{}, 1)
	unsub, err := events.SubscribeEvents(func(ev event.Event) {
		if ev.Type != ArticleChanged {
			return
		}
		var a struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(ev.Data, &a); err != nil || a.ID == "" {
			log.Warn("article change without an article id", "tenant_id", ev.TenantID, "event_id", ev.ID)
			return
		}
		select { // the subject's tenant, never the body's, names whose article it is
		case changed <- key{ev.TenantID, a.ID}:
		default:
			select {
			case missed <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		return err
	}
	defer unsub()
	rebuild := make(chan struct{}, 1)
	rebuildTenant := make(chan string, 64)
	unsubRebuild, err := events.Subscribe(RebuildSubject, func(_ string, data []byte) {
		if len(data) > 0 {
			select {
			case rebuildTenant <- string(data):
			default:
				log.Warn("knowledge index: too many tenant rebuilds asked at once; one dropped", "tenant_id", string(data))
			}
			return
		}
		select {
		case rebuild <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return err
	}
	defer unsubRebuild()

	// A rebuild runs beside the loop, so changes keep being applied (to
	// the serving index, and again to the new one once it is swapped in).
	var rebuilding sync.WaitGroup
	var busy atomic.Bool
	defer rebuilding.Wait()
	rebuildNow := func(why string) {
		if !busy.CompareAndSwap(false, true) {
			return
		}
		rebuilding.Go(func() {
			defer busy.Store(false)
			start := time.Now()
			n, err := x.Rebuild(ctx, src)
			if err != nil && ctx.Err() == nil {
				log.Error("knowledge index: rebuild from SQL", "why", why, "err", err)
			} else if err == nil {
				log.Info("knowledge index rebuilt from SQL", "why", why, "articles", n, "took", time.Since(start).Round(time.Millisecond))
			}
		})
	}
	level := func() {
		if busy.Load() {
			return // a rebuild brings it level
		}
		start := time.Now()
		rebuild, did, err := x.level(ctx, src)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("knowledge index: bring up to date from SQL", "err", err)
		case rebuild:
			rebuildNow("new, or not level with SQL")
		case did:
			log.Info("knowledge index caught up with SQL", "took", time.Since(start).Round(time.Millisecond))
		}
	}
	start := time.Now()
	level() // at a start this opens every tenant's index (to learn what it holds)
	if opts.Started != nil {
		opts.Started()
	}
	log.Info("knowledge index open", "tenants_open", x.OpenCount(), "took", time.Since(start).Round(time.Millisecond))
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			level()
			x.closeIdle()
		case t := <-rebuildTenant:
			start := time.Now()
			n, err := x.RebuildTenant(ctx, src, t)
			if err != nil && ctx.Err() == nil {
				log.Error("knowledge index: rebuild a tenant's from SQL", "tenant_id", t, "err", err)
			} else if err == nil {
				log.Info("knowledge index of a tenant rebuilt from SQL", "tenant_id", t, "articles", n, "took", time.Since(start).Round(time.Millisecond))
			}
		case <-missed:
			level()
		case <-rebuild:
			rebuildNow("asked over the bus")
		case k := <-changed:
			keys := map[key]struct{}{k: {}}
		drain:
			for len(keys) < rebuildBatch {
				select {
				case k := <-changed:
					keys[k] = struct{}{}
				default:
					break drain
				}
			}
			list := make([]key, 0, len(keys))
			for k := range keys {
				list = append(list, k)
			}
			if err := x.refresh(ctx, src, list); err != nil && ctx.Err() == nil {
				log.Warn("knowledge index: apply article changes; the next reconcile catches up", "articles", len(list), "err", err)
			}
		}
	}
}
