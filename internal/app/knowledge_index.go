package app

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

// followKnowledge keeps this node's search index level with SQL until ctx
// ends: rebuilt at start when missing or behind, then every article change
// heard on the bus applied (kbindex.Follow). The node is ready (/readyz) once
// the first pass has opened the tenants' indexes: until then each tenant's
// first search would wait for its index to open, fifty at once behind each
// other (docs/benchmarks.md, issue 13).
func (a *App) followKnowledge(ctx context.Context) {
	opts := kbindex.FollowOptions{Logger: a.log, Started: a.knowledgeStarting.done}
	if err := a.KnowledgeIndex.Follow(ctx, a.Bus, kbindex.FromStore(a.DB), opts); err != nil {
		a.log.Error("knowledge search index stopped following changes", "err", err)
		a.knowledgeStarting.done() // searches open what they need; the node still serves
	}
}

// starting is a part of the node that must finish starting before the node
// says it is ready; it is ready until begin.
type starting struct {
	what atomic.Pointer[string]
}

// begin makes Healthy fail, naming what, until done.
func (s *starting) begin(what string) { s.what.Store(&what) }

// done ends the start: Healthy answers nil from now on.
func (s *starting) done() { s.what.Store(nil) }

// Healthy implements httpapi.Checker.
func (s *starting) Healthy() error {
	if w := s.what.Load(); w != nil {
		return errors.New(*w)
	}
	return nil
}
