package helpcenter_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/helpcenter"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A workspace's standing decides its public pages: a suspended one's help
// center, search, sitemap, feedback, "Email us", widget search and chat
// answer 404 with nothing of it in them (and come back when it is resumed);
// one whose deletion is pending answers 410; a sandbox is served but kept out
// of search engines.
func TestStandingDecidesThePublicPages(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newCenter(t, e.Open, helpcenter.Config{Limits: helpcenter.Limits{PerSecond: 1000, Burst: 1000}})
			c.article(c.shop.ID, "reset-password", "Reset your password", nil)
			ctx := context.Background()
			b := c.browser()
			w := c.browser()
			w.origin = shopOrigin
			widget := "/channels/webchat/" + c.widget.Address
			// every public way in, with what a live workspace answers
			type probe struct {
				name, method, path string
				form               url.Values
				json               any
				via                *browser
				live               int
			}
			probes := []probe{
				{"home", "GET", "/help/shop/", nil, nil, b, http.StatusOK},
				{"article", "GET", "/help/shop/a/reset-password", nil, nil, b, http.StatusOK},
				{"search", "GET", "/help/shop/search?q=password", nil, nil, b, http.StatusOK},
				{"search as you type", "GET", "/help/shop/search.json?q=password", nil, nil, b, http.StatusOK},
				{"sitemap", "GET", "/help/shop/sitemap.xml", nil, nil, b, http.StatusOK},
				{"feedback", "POST", "/help/shop/a/reset-password/feedback", url.Values{"helpful": {"yes"}}, nil, b, http.StatusSeeOther},
				{"contact page", "GET", "/help/shop/contact", nil, nil, b, http.StatusOK},
				{"email us", "POST", "/help/shop/contact", url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "message": {"Hello"}}, nil, b, http.StatusSeeOther},
				{"widget search", "GET", widget + "/articles?q=password", nil, nil, w, http.StatusOK},
				{"widget article", "GET", widget + "/articles/reset-password", nil, nil, w, http.StatusOK},
				{"chat with us", "POST", widget + "/session", nil, map[string]any{}, w, http.StatusOK},
			}
			check := func(state string, want func(p probe) int) {
				t.Helper()
				for _, p := range probes {
					got := p.via.do(p.method, p.path, p.form, p.json)
					if got.status != want(p) {
						t.Errorf("%s: %s answers %d, want %d: %.200s", state, p.name, got.status, want(p), got.body)
					}
					if want(p) >= 400 && (strings.Contains(got.body, "Reset your password") || strings.Contains(got.body, "Tenant shop")) {
						t.Errorf("%s: %s still shows the workspace: %.300s", state, p.name, got.body)
					}
				}
			}
			live := func(p probe) int { return p.live }
			check("live", live)
			if home := b.do("GET", "/help/shop/", nil, nil); strings.Contains(home.body, `name="robots"`) || home.header.Get("X-Robots-Tag") != "" {
				t.Errorf("a live help center is kept out of search engines")
			}

			if err := c.db.Suspend(ctx, c.shop.ID, tenant.Suspension{Reason: "unpaid", By: "op", Since: c.clock.Now()}); err != nil {
				t.Fatal(err)
			}
			check("suspended", func(probe) int { return http.StatusNotFound })
			if p := b.do("GET", "/help/shop/", nil, nil); !strings.Contains(p.body, "This help center is not available.") || p.header.Get("X-Robots-Tag") != "noindex" {
				t.Errorf("the suspended page: %v %s", p.header, p.body)
			}
			if _, err := c.db.Resume(ctx, c.shop.ID); err != nil {
				t.Fatal(err)
			}
			check("resumed", live)

			if err := c.db.RequestTenantDeletion(ctx, store.TenantDeletion{TenantID: c.shop.ID, RequestedBy: "admin", RequestedAt: c.clock.Now(), DueAt: c.clock.Now().AddDate(0, 0, 30)}); err != nil {
				t.Fatal(err)
			}
			check("deletion pending", func(probe) int { return http.StatusGone })
			if err := c.db.CancelTenantDeletion(ctx, c.shop.ID); err != nil {
				t.Fatal(err)
			}

			if _, err := c.db.SQL().ExecContext(ctx, `UPDATE tenants SET sandbox = TRUE WHERE id = $1`, c.shop.ID); err != nil {
				t.Fatal(err)
			}
			check("sandbox", func(p probe) int {
				if p.name == "sitemap" {
					return http.StatusNotFound
				}
				return p.live
			})
			for _, path := range []string{"/help/shop/", "/help/shop/a/reset-password"} {
				p := b.do("GET", path, nil, nil)
				if !strings.Contains(p.body, `<meta name="robots" content="noindex">`) || p.header.Get("X-Robots-Tag") != "noindex" {
					t.Errorf("the sandbox's %s is not kept out of search engines", path)
				}
			}
			// the other workspace is untouched by shop's standing
			c.browser().do("GET", "/help/rival/", nil, nil).want(t, http.StatusOK)
		})
	}
}
