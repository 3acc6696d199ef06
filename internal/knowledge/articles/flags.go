package articles

import (
	"context"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// "Flag it or fix it": whoever finds an article wrong and cannot (or would
// rather not) fix it flags it with a reason. The article's owner and the
// publishers see and resolve flags; others see the flags they raised.

// AddFlag flags one of the tenant's articles.
func (s *Service) AddFlag(ctx context.Context, actor Actor, articleID, reason string) (store.FlagRow, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return store.FlagRow{}, fieldError("reason", "must say what is wrong")
	}
	if err := textfield.Line("reason", reason, textfield.MaxLine); err != nil {
		return store.FlagRow{}, err
	}
	var f store.FlagRow
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		a, err := tx.Article(ctx, actor.TenantID, articleID)
		if err != nil {
			return err
		}
		f = store.FlagRow{Flag: knowledge.Flag{ID: ids.New(), TenantID: actor.TenantID, ArticleID: a.ID, Reason: reason,
			ByID: actor.by(), CreatedAt: s.clock.Now()}, ArticleTitle: a.Title}
		if err := tx.CreateFlag(ctx, f.Flag); err != nil {
			return err
		}
		a.OpenFlags++
		if err := emit(ctx, tx, a); err != nil { // the article's open_flags changed
			return err
		}
		_, err = tx.Emit(ctx, actor.TenantID, event.KnowledgeFlagChanged, knowledge.FlagDocOf(f.Flag, f.ArticleTitle))
		return err
	})
	return f, err
}

// ArticleFlags lists an article's flags: all of them for its owner and for
// publishers, the actor's own for anyone else.
func (s *Service) ArticleFlags(ctx context.Context, actor Actor, articleID string) ([]store.FlagRow, error) {
	a, err := s.db.Article(ctx, actor.TenantID, articleID)
	if err != nil {
		return nil, err
	}
	fs, err := s.db.Flags(ctx, actor.TenantID, store.FlagFilter{ArticleID: articleID})
	if err != nil {
		return nil, err
	}
	if actor.Publisher || (actor.UserID != "" && a.OwnerID == actor.UserID) {
		return fs, nil
	}
	var mine []store.FlagRow
	for _, f := range fs {
		if f.ByID == actor.by() {
			mine = append(mine, f)
		}
	}
	return mine, nil
}

// Flags lists flags by status ("open", "resolved" or "all"): every flag for
// a publisher, the flags on the actor's own articles for anyone else.
func (s *Service) Flags(ctx context.Context, actor Actor, status string) ([]store.FlagRow, error) {
	switch status {
	case "", "open":
		status = "open"
	case "resolved":
	case "all":
		status = ""
	default:
		return nil, fieldError("status", "must be open, resolved or all")
	}
	f := store.FlagFilter{Status: status}
	if !actor.Publisher {
		if actor.UserID == "" {
			return []store.FlagRow{}, nil // an API key owns no articles
		}
		f.OwnerID = actor.UserID
	}
	return s.db.Flags(ctx, actor.TenantID, f)
}

// ResolveFlag closes a flag; its article's owner or a publisher may.
func (s *Service) ResolveFlag(ctx context.Context, actor Actor, flagID string) (store.FlagRow, error) {
	var f store.FlagRow
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if f, err = tx.Flag(ctx, actor.TenantID, flagID); err != nil {
			return err
		}
		a, err := tx.Article(ctx, actor.TenantID, f.ArticleID)
		if err != nil {
			return err
		}
		if !actor.Publisher && (actor.UserID == "" || a.OwnerID != actor.UserID) {
			return knowledge.ErrForbidden
		}
		if !f.Open() {
			return nil // resolved already: nothing changes
		}
		f.ResolvedAt, f.ResolvedBy = s.clock.Now(), actor.by()
		if err := tx.ResolveFlag(ctx, f.Flag); err != nil {
			return err
		}
		a.OpenFlags--
		if err := emit(ctx, tx, a); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, actor.TenantID, event.KnowledgeFlagChanged, knowledge.FlagDocOf(f.Flag, f.ArticleTitle))
		return err
	})
	return f, err
}
