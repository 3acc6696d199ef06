package articles

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/outbox"
)

// CreateAlso creates a work-in-progress article as Create does, noting why
// in its first version, and runs also in the same transaction with the new
// article — so a record made beside it (the knowledge community's adoption)
// commits with it or not at all.
func (s *Service) CreateAlso(ctx context.Context, actor Actor, c knowledge.Content, note string, also func(ctx context.Context, tx *outbox.Tx, a knowledge.Article) error) (knowledge.Article, error) {
	c, err := normalize(c)
	if err != nil {
		return knowledge.Article{}, err
	}
	if err := checkNote(note); err != nil {
		return knowledge.Article{}, err
	}
	var a knowledge.Article
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if a, err = s.create(ctx, tx, actor, c, knowledge.WorkInProgress, "", "", note); err != nil {
			return err
		}
		return also(ctx, tx, a)
	})
	return a, err
}
