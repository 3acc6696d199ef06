// Package practices runs the knowledge community: workspaces opt in under a
// display name, publishers share published customer-facing articles as
// practices (snapshots), members browse the catalogue and adopt a practice
// as a work-in-progress article of their own with attribution. Only the
// community's tables are read across tenants (see store/community.go); a
// non-member sees no practice at all.
package practices

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// CatalogLimit bounds how many practices the catalogue reads before its
// text filter; a community larger than this needs a search index (ADR 0031).
const CatalogLimit = 500

// Service runs the community for every tenant.
type Service struct {
	db       *store.DB
	out      *outbox.Outbox
	articles *articles.Service
	clock    clock.Clock
	log      *slog.Logger
}

// New returns the community service; adopted copies are created through
// arts, so they are versioned, indexed and announced like any article.
func New(db *store.DB, out *outbox.Outbox, arts *articles.Service, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{db: db, out: out, articles: arts, clock: clk, log: log}
}

// Actor is who acts: a user or an API key of the tenant.
type Actor struct {
	TenantID  string
	UserID    string
	KeyID     string
	Publisher bool
}

func (a Actor) by() string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.KeyID
}

// Membership is the tenant's standing in the community.
func (s *Service) Membership(ctx context.Context, tenantID string) (community.Membership, error) {
	m, err := s.db.CommunityMember(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return community.MembershipOf(m, false), nil
	}
	if err != nil {
		return community.Membership{}, err
	}
	return community.MembershipOf(m, true), nil
}

// Join opts the tenant in under displayName, or renames its membership.
func (s *Service) Join(ctx context.Context, actor Actor, displayName string) (community.Membership, error) {
	name, err := community.DisplayName(displayName)
	if err != nil {
		return community.Membership{}, err
	}
	m := community.Member{TenantID: actor.TenantID, DisplayName: name, JoinedBy: actor.by(), JoinedAt: s.clock.Now()}
	if old, err := s.db.CommunityMember(ctx, actor.TenantID); err == nil {
		m.JoinedBy, m.JoinedAt = old.JoinedBy, old.JoinedAt
	}
	if err := s.db.PutCommunityMember(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return community.Membership{}, community.ErrNameTaken
		}
		return community.Membership{}, err
	}
	s.log.Info("community joined", "tenant_id", actor.TenantID)
	return community.MembershipOf(m, true), nil
}

// Leave opts the tenant out: its practices leave the catalogue; the copies
// other members adopted stay theirs.
func (s *Service) Leave(ctx context.Context, actor Actor) error {
	if err := s.db.LeaveCommunity(ctx, actor.TenantID, s.clock.Now()); err != nil {
		return err
	}
	s.log.Info("community left", "tenant_id", actor.TenantID)
	return nil
}

// ShareOf is the share state of one of the tenant's articles.
func (s *Service) ShareOf(ctx context.Context, tenantID, articleID string) (community.Share, error) {
	if _, err := s.db.Article(ctx, tenantID, articleID); err != nil {
		return community.Share{}, notFoundArticle(err)
	}
	p, err := s.db.CommunityShareOf(ctx, tenantID, articleID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return community.Share{}, err
	}
	return community.ShareOf(articleID, p), nil
}

// Shares lists what the tenant offers, with adoption counts.
func (s *Service) Shares(ctx context.Context, tenantID string) ([]community.Share, error) {
	ps, err := s.db.CommunityShares(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]community.Share, len(ps))
	for i, p := range ps {
		out[i] = community.ShareOf(p.ArticleID, p)
	}
	return out, nil
}

// Share offers the article to the community as it stands now (a re-share
// replaces the snapshot). Publishers only; the tenant must be a member.
func (s *Service) Share(ctx context.Context, actor Actor, articleID string) (community.Share, error) {
	var p community.Practice
	err := s.db.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error {
		a, err := tx.Article(ctx, actor.TenantID, articleID)
		if err != nil {
			return notFoundArticle(err)
		}
		if !actor.Publisher {
			return knowledge.ErrForbidden
		}
		if _, err := tx.CommunityMember(ctx, actor.TenantID); err != nil {
			return notMember(err)
		}
		prev, err := tx.CommunityShareOf(ctx, actor.TenantID, articleID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if p, err = community.Snapshot(prev, ids.New(), a, actor.by(), s.clock.Now()); err != nil {
			return err
		}
		if err := tx.PutCommunityPractice(ctx, p); err != nil {
			return err
		}
		p.Adoptions = prev.Adoptions
		return nil
	})
	if err != nil {
		return community.Share{}, err
	}
	return community.ShareOf(articleID, p), nil
}

// Unshare takes the article out of the catalogue. Publishers only.
func (s *Service) Unshare(ctx context.Context, actor Actor, articleID string) error {
	if _, err := s.db.Article(ctx, actor.TenantID, articleID); err != nil {
		return notFoundArticle(err)
	}
	if !actor.Publisher {
		return knowledge.ErrForbidden
	}
	return s.db.WithdrawCommunityPractice(ctx, actor.TenantID, articleID, s.clock.Now())
}

// Catalog lists the practices members offer that match q (every word, in
// any of their texts), most recently shared first. Members only.
func (s *Service) Catalog(ctx context.Context, tenantID, q string) ([]community.View, error) {
	if _, err := s.db.CommunityMember(ctx, tenantID); err != nil {
		return nil, notMember(err)
	}
	ps, err := s.db.CommunityCatalog(ctx, CatalogLimit)
	if err != nil {
		return nil, err
	}
	out := []community.View{}
	for _, p := range ps {
		if community.Match(p, q) {
			out = append(out, community.ViewOf(p, tenantID))
		}
	}
	return out, nil
}

// Practice is one practice of the catalogue; a non-member finds none.
func (s *Service) Practice(ctx context.Context, tenantID, id string) (community.View, error) {
	p, err := s.practice(ctx, &s.db.Store, tenantID, id)
	if err != nil {
		return community.View{}, err
	}
	return community.ViewOf(p, tenantID), nil
}

func (s *Service) practice(ctx context.Context, st *store.Store, tenantID, id string) (community.Practice, error) {
	if !ids.Valid(id) {
		return community.Practice{}, community.ErrNotFound
	}
	if _, err := st.CommunityMember(ctx, tenantID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return community.Practice{}, community.ErrNotFound // not probed by non-members
		}
		return community.Practice{}, err
	}
	p, err := st.CommunityPractice(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, fmt.Errorf("%w: %w", community.ErrNotFound, err)
	}
	return p, err
}

// Adopt copies a practice into the actor's workspace as a work-in-progress
// article with the attribution line, and records where it came from.
func (s *Service) Adopt(ctx context.Context, actor Actor, id string) (knowledge.Article, community.AdoptionView, error) {
	p, err := s.practice(ctx, &s.db.Store, actor.TenantID, id)
	if err != nil {
		return knowledge.Article{}, community.AdoptionView{}, err
	}
	var ad community.Adoption
	a, err := s.articles.CreateAlso(ctx, articles.Actor{TenantID: actor.TenantID, UserID: actor.UserID, KeyID: actor.KeyID,
		Publisher: actor.Publisher}, community.Adopt(p), community.Attribution(p.SharerName),
		func(ctx context.Context, tx *outbox.Tx, a knowledge.Article) error {
			ad = community.Adoption{ID: ids.New(), TenantID: actor.TenantID, ArticleID: a.ID, PracticeID: p.ID,
				OriginName: p.SharerName, AdoptedBy: actor.by(), AdoptedAt: s.clock.Now()}
			return tx.AddCommunityAdoption(ctx, ad)
		})
	if err != nil {
		return a, community.AdoptionView{}, err
	}
	s.log.Info("community practice adopted", "tenant_id", actor.TenantID, "practice_id", p.ID, "article_id", a.ID)
	return a, community.AdoptionViewOf(ad), nil
}

// Adoptions lists the tenant's adoptions; articleID, when set, keeps the
// one its copy is.
func (s *Service) Adoptions(ctx context.Context, tenantID, articleID string) ([]community.AdoptionView, error) {
	as, err := s.db.CommunityAdoptions(ctx, tenantID, articleID, 200)
	if err != nil {
		return nil, err
	}
	out := make([]community.AdoptionView, len(as))
	for i, a := range as {
		out[i] = community.AdoptionViewOf(a)
	}
	return out, nil
}

func notFoundArticle(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %w", knowledge.ErrNotFound, err)
	}
	return err
}

func notMember(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return community.ErrNotMember
	}
	return err
}
