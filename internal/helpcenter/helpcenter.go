// Package helpcenter is a tenant's public help center: server-rendered pages
// of its published knowledge (/help/{workspace}, or a domain of its own) that
// work with JavaScript off, search as you type when it is on, "did this
// help?" on every article, and "Chat with us" / "Email us" that carry the
// visitor's self-service trail — pages and articles seen, searches and what
// they found, the answers that did not help, time spent — into the
// conversation, where the agent sees it.
//
// It also serves the chat widget's article search and inline article view
// (deflection: the customer reads an answer before starting a chat), which
// record into the same trail.
package helpcenter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Articles is where the published articles come from: the knowledge store.
// Both methods return only what customers may read now (published, with an
// audience that includes them).
type Articles interface {
	// CustomerArticles lists them in a locale ("" for every locale).
	CustomerArticles(ctx context.Context, tenantID, locale string) ([]knowledge.Article, error)
	// CustomerArticle is one by its slug; knowledge.ErrNotFound when
	// customers may not read it (or it does not exist).
	CustomerArticle(ctx context.Context, tenantID, slug string) (knowledge.Article, error)
}

// Hit is one article a search found, as the help center shows it.
type Hit struct {
	Slug  string
	Title string
	// SnippetHTML is escaped text with <mark> around the matches only.
	SnippetHTML string
}

// Searcher finds the articles customers may read (the search index).
type Searcher interface {
	SearchCustomers(ctx context.Context, tenantID, text, locale string, limit int) (hits []Hit, total int, err error)
}

// Deps are what the help center works with.
type Deps struct {
	DB       *store.DB
	Articles Articles
	Search   Searcher
	// Render turns an article's Markdown into HTML; the help center
	// sanitises it again (htmlsafe) whatever it gets.
	Render func(markdown string) string
	// Inbox takes "Email us" messages and writes the trail's line into the
	// conversation's timeline.
	Inbox *inbox.Service
	Clock clock.Clock
	Log   *slog.Logger
}

// Service is the help center of every tenant.
type Service struct {
	d Deps
}

// New returns the help center.
func New(d Deps) (*Service, error) {
	if d.DB == nil || d.Articles == nil || d.Search == nil || d.Inbox == nil {
		return nil, errors.New("helpcenter: DB, Articles, Search and Inbox are required")
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Render == nil {
		return nil, errors.New("helpcenter: Render is required")
	}
	return &Service{d: d}, nil
}

// Site is one tenant's help center as its pages show it.
type Site struct {
	Tenant tenant.Tenant
	// WidgetKey is the tenant's chat widget that "Chat with us" opens; ""
	// when it has none (then only "Email us" is offered).
	WidgetKey string
	Brand     Brand
	// Exposure is how the workspace's standing lets its pages answer:
	// served, served but not indexed (sandbox), or not at all.
	Exposure tenant.Exposure
}

// Brand is the tenant's look: its logo and colour, from its chat widget's
// settings, so the help center and the
// chat look alike.
type Brand struct {
	Name    string
	LogoURL string // https: or a path on this center; "" for none
	Color   string // #rrggbb
}

// DefaultColor is the brand colour of a tenant that set none (the widget's).
const DefaultColor = "#2457d6"

// BrandOf is the look the widget's settings give (webchat.SettingBrandColor,
// webchat.SettingLogoURL); what does not hold (a colour that is not #rrggbb,
// a logo on plain http or javascript:) is left at the default rather than shown.
func BrandOf(name string, settings map[string]string) Brand {
	b := Brand{Name: name, Color: DefaultColor}
	if c := (webchat.Widget{Account: channel.Account{Settings: settings}}).BrandColor(); c != "" {
		b.Color = c
	}
	if u := strings.TrimSpace(settings[webchat.SettingLogoURL]); strings.HasPrefix(u, "https://") || (strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) {
		if !strings.ContainsAny(u, "\"'<> \\") {
			b.LogoURL = u
		}
	}
	return b
}

// SiteOf finds the tenant's help center by its workspace slug.
func (s *Service) SiteOf(ctx context.Context, workspace string) (Site, error) {
	t, err := s.d.DB.TenantBySlug(ctx, workspace)
	if err != nil {
		return Site{}, err
	}
	exp, err := s.d.DB.Exposure(ctx, t.ID)
	if err != nil {
		return Site{}, err
	}
	site := Site{Tenant: t, Brand: BrandOf(t.Name, nil), Exposure: exp}
	if !exp.Serves() {
		return site, nil // nothing more of it is shown
	}
	widgets, err := s.d.DB.ChannelAccounts(ctx, t.ID, "webchat")
	if err != nil {
		return Site{}, err
	}
	if w, ok := firstWidget(widgets); ok {
		site.WidgetKey = w.Address
		site.Brand = BrandOf(t.Name, w.Settings)
	}
	return site, nil
}

// firstWidget is the widget "Chat with us" opens: the tenant's first one.
func firstWidget(list []channel.Account) (channel.Account, bool) {
	if len(list) == 0 {
		return channel.Account{}, false
	}
	return list[0], true
}

// Article is an article ready to show: its fields rendered and sanitised.
type Article struct {
	knowledge.Article
	IssueHTML, EnvironmentHTML, CauseHTML, ResolutionHTML string
}

// Article returns a published article for customers, rendered.
func (s *Service) Article(ctx context.Context, tenantID, slug string) (Article, error) {
	a, err := s.d.Articles.CustomerArticle(ctx, tenantID, slug)
	if err != nil {
		return Article{}, err
	}
	if !a.ForCustomers() { // the store's word is checked again: a leak here is public
		return Article{}, knowledge.ErrNotFound
	}
	return Article{Article: a, IssueHTML: s.render(a.Issue), EnvironmentHTML: s.render(a.Environment),
		CauseHTML: s.render(a.Cause), ResolutionHTML: s.render(a.Resolution)}, nil
}

func (s *Service) render(md string) string {
	if strings.TrimSpace(md) == "" {
		return ""
	}
	return htmlsafe.Sanitize(s.d.Render(md))
}

// Articles lists the published articles for customers in a language of the
// help center ("" for all); an article in a language the help center does
// not speak is listed with the default language's.
func (s *Service) Articles(ctx context.Context, tenantID, locale string) ([]knowledge.Article, error) {
	list, err := s.d.Articles.CustomerArticles(ctx, tenantID, locale)
	if err != nil {
		return nil, err
	}
	out := list[:0:0]
	for _, a := range list {
		if a.ForCustomers() && (locale == "" || language(primary(a.Locale)) == locale) {
			out = append(out, a)
		}
	}
	return out, nil
}

// primary is a locale's language ("de" of "de-CH").
func primary(locale string) string {
	l, _, _ := strings.Cut(strings.ToLower(locale), "-")
	return l
}

// IdleSessionTTL is how long a help session no conversation came from is
// kept after its last step (ADR 0023); each node's housekeeping deletes
// older ones (store.DeleteIdleHelpSessions).
const IdleSessionTTL = 30 * 24 * time.Hour

// MaxQuery bounds a search's text.
const MaxQuery = 200

// Search finds published articles for customers in the page's language,
// or in any when none of that language matches.
func (s *Service) Search(ctx context.Context, tenantID, q, locale string, limit int) ([]Hit, int, error) {
	q = clip(q, MaxQuery)
	if q == "" {
		return nil, 0, nil
	}
	hits, total, err := s.d.Search.SearchCustomers(ctx, tenantID, q, locale, limit)
	if err == nil && total == 0 && locale != "" {
		// Nothing in the page's language: an answer in another beats none.
		hits, total, err = s.d.Search.SearchCustomers(ctx, tenantID, q, "", limit)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("help center search: %w", err)
	}
	for i := range hits {
		hits[i].SnippetHTML = htmlsafe.Sanitize(hits[i].SnippetHTML)
	}
	return hits, total, nil
}

// newSessionID is a help session's id: 128 random bits, the visitor's only
// credential for adding to and carrying their trail.
func newSessionID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// validSessionID reports whether id has the shape newSessionID gives.
func validSessionID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}
