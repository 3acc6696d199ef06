package kbindex

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// articles is a Source over articles held in memory, standing for the
// articles store in the tests of the index alone (the store's own Source is
// tested with real SQL in internal/store/storetest).
type articles struct {
	mu sync.Mutex
	m  map[key]knowledge.Article
}

func newArticles() *articles { return &articles{m: map[key]knowledge.Article{}} }

func (s *articles) put(a knowledge.Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key{a.TenantID, a.ID}] = a
}

func (s *articles) remove(tenantID, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key{tenantID, id})
}

func (s *articles) Article(_ context.Context, tenantID, id string) (knowledge.Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.m[key{tenantID, id}]
	if !ok {
		return a, fmt.Errorf("article %s: %w", id, knowledge.ErrNotFound)
	}
	return a, nil
}

func (s *articles) EachTenantArticle(_ context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error {
	s.mu.Lock()
	all := make([]knowledge.Article, 0, len(s.m))
	for _, a := range s.m {
		if a.TenantID == tenantID && !a.UpdatedAt.Before(since) {
			all = append(all, a)
		}
	}
	s.mu.Unlock()
	for _, a := range all {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

func (s *articles) ArticleStatsByTenant(context.Context) ([]TenantStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := map[string]TenantStats{}
	for _, a := range s.m {
		st := by[a.TenantID]
		st.TenantID = a.TenantID
		st.Count++
		if a.UpdatedAt.After(st.Latest) {
			st.Latest = a.UpdatedAt
		}
		by[a.TenantID] = st
	}
	out := make([]TenantStats, 0, len(by))
	for _, st := range by {
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b TenantStats) int { return strings.Compare(a.TenantID, b.TenantID) })
	return out, nil
}

func (s *articles) ArticleStats(context.Context) (int, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var latest time.Time
	for _, a := range s.m {
		if a.UpdatedAt.After(latest) {
			latest = a.UpdatedAt
		}
	}
	return len(s.m), latest, nil
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// article is a published English article for everyone, with the given
// title and resolution, unless change says otherwise.
func article(tenantID, id, title, resolution string, change ...func(*knowledge.Article)) knowledge.Article {
	a := knowledge.Article{ID: id, TenantID: tenantID, Slug: id, Title: title, Resolution: resolution,
		Audience: knowledge.Everyone, Locale: "en", State: knowledge.Published, Version: 1,
		CreatedAt: t0, UpdatedAt: t0, Tags: []string{}}
	for _, c := range change {
		c(&a)
	}
	return a
}

func openIndex(t *testing.T) *Index {
	t.Helper()
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func upsert(t *testing.T, x *Index, as ...knowledge.Article) {
	t.Helper()
	if err := x.Upsert(context.Background(), as...); err != nil {
		t.Fatal(err)
	}
}

// ids searches and returns the hits' article ids, best first.
func ids(t *testing.T, x *Index, q Query) []string {
	t.Helper()
	res, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.ArticleID)
	}
	return out
}

func wantIDs(t *testing.T, x *Index, q Query, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := ids(t, x, q); !slices.Equal(got, want) {
		t.Errorf("search %q (%+v) finds %v, want %v", q.Text, q, got, want)
	}
}

func wantFound(t *testing.T, x *Index, q Query, id string) {
	t.Helper()
	if got := ids(t, x, q); !slices.Contains(got, id) {
		t.Errorf("search %q (locale %q) finds %v, want it to find %s", q.Text, q.Locale, got, id)
	}
}
