package app

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

// followKnowledge keeps this node's search index level with SQL until ctx
// ends: rebuilt at start when missing or behind, then every article change
// heard on the bus applied (kbindex.Follow).
func (a *App) followKnowledge(ctx context.Context) {
	if err := a.KnowledgeIndex.Follow(ctx, a.Bus, kbindex.FromStore(a.DB), kbindex.FollowOptions{Logger: a.log}); err != nil {
		a.log.Error("knowledge search index stopped following changes", "err", err)
	}
}
