package helpcenter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/helpcenter"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const shopOrigin = "https://shop.example"

// center is a help center on a real database, inbox, search index, web chat
// channel and HTTP server, with two workspaces: shop (the visitor's) and
// rival (whose articles and sessions must never show in shop's).
type center struct {
	t           testing.TB
	db          *store.DB
	clock       *clock.Fake
	srv         *httptest.Server
	handler     *helpcenter.Handler
	index       *kbindex.Index
	shop, rival tenant.Tenant
	widget      channel.Account
	rivalWidget channel.Account
}

func newCenter(t testing.TB, open func(testing.TB) *store.DB, cfg helpcenter.Config) *center {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	index, err := kbindex.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { index.Close() })
	svc, err := helpcenter.New(helpcenter.Deps{DB: db, Articles: helpcenter.Library{DB: db, Index: index},
		Search: helpcenter.Library{DB: db, Index: index}, Render: knowledge.Render, Inbox: core.Inbox, Clock: clk, Log: core.Log})
	if err != nil {
		t.Fatal(err)
	}
	core.Inbox.OnInbound(svc.InboundHook)
	chat, err := webchat.New(webchat.Deps{DB: db, Inbox: core.Inbox, Bus: core.Bus, Key: bytes.Repeat([]byte("k"), 32), Clock: clk, Log: core.Log}, webchat.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := core.Channels.Register(chat); err != nil {
		t.Fatal(err)
	}
	c := &center{t: t, db: db, clock: clk, index: index}
	c.srv = httptest.NewUnstartedServer(nil)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + c.srv.Listener.Addr().String()
	}
	c.handler, err = helpcenter.NewHandler(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/help/", c.handler)
	chat.Mount(mux)
	c.handler.MountWidget(mux)
	c.srv.Config.Handler = c.handler.Domains(mux)
	c.srv.Start()
	t.Cleanup(c.srv.Close)

	c.shop, c.rival = c.tenant("shop"), c.tenant("rival")
	c.widget = c.newWidget(c.shop.ID, map[string]string{webchat.SettingAllowedOrigins: shopOrigin,
		webchat.SettingBrandColor: "#0B6E4F", webchat.SettingLogoURL: "https://cdn.shop.example/logo.png"})
	c.rivalWidget = c.newWidget(c.rival.ID, nil)
	return c
}

// tenant makes a workspace (storetest.NewTenant, for benchmarks too).
func (c *center) tenant(slug string) tenant.Tenant {
	tn := tenant.Tenant{ID: ids.New(), Slug: slug, Name: "Tenant " + slug, CreatedAt: c.clock.Now()}
	if err := c.db.CreateTenant(context.Background(), tn); err != nil {
		c.t.Fatal(err)
	}
	return tn
}

func (c *center) newWidget(tenantID string, settings map[string]string) channel.Account {
	a := channel.Account{ID: ids.New(), TenantID: tenantID, Channel: "webchat", Address: "wk_" + strings.ReplaceAll(ids.New(), "-", ""),
		Name: "Site", Settings: settings}
	if err := c.db.CreateChannelAccount(context.Background(), a, c.clock.Now()); err != nil {
		c.t.Fatal(err)
	}
	return a
}

// article stores an article and indexes it, as the knowledge service and
// the index's follower would.
func (c *center) article(tenantID, slug, title string, change func(*knowledge.Article)) knowledge.Article {
	c.t.Helper()
	a := knowledge.Article{ID: ids.New(), TenantID: tenantID, Slug: slug, Title: title,
		Issue: "I forgot my password and cannot sign in", Resolution: "Choose **Forgot password** on the sign-in page.",
		Audience: knowledge.Customers, Locale: "en", Category: "Your account", State: knowledge.Published, Version: 1,
		StateChangedAt: c.clock.Now(), PublishedAt: c.clock.Now(), CreatedAt: c.clock.Now(), UpdatedAt: c.clock.Now()}
	if change != nil {
		change(&a)
	}
	ctx := context.Background()
	if err := c.db.CreateArticle(ctx, a); err != nil {
		c.t.Fatal(err)
	}
	if err := c.index.Upsert(ctx, a); err != nil {
		c.t.Fatal(err)
	}
	return a
}

// browser is a visitor with cookies, on one host.
type browser struct {
	c      *center
	client *http.Client
	host   string
	origin string
}

func (c *center) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{c: c, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values, body any) page {
	b.c.t.Helper()
	var r io.Reader
	var ct string
	switch {
	case form != nil:
		r, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case body != nil:
		raw, _ := json.Marshal(body)
		r, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, b.c.srv.URL+path, r)
	if err != nil {
		b.c.t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (test)")
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if b.host != "" {
		req.Host = b.host
	}
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(raw)}
}

func (p page) want(t *testing.T, status int) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d: %s", p.status, status, p.body)
	}
	return p
}

// meta reads what a search engine reads of a page.
func meta(t *testing.T, html string) (title, description, canonical string) {
	t.Helper()
	get := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(html)
		if m == nil {
			return ""
		}
		return m[1]
	}
	return get(`<title>([^<]*)</title>`), get(`<meta name="description" content="([^"]*)">`), get(`<link rel="canonical" href="([^"]*)">`)
}

func TestPagesWorkWithoutScript(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newCenter(t, e.Open, helpcenter.Config{})
			c.article(c.shop.ID, "reset-password", "Reset your password", func(a *knowledge.Article) {
				a.Issue = "I forgot my password <script>alert(1)</script><img src=x onerror=alert(2)>"
				a.Resolution = "[Click here](javascript:alert(3)) or choose **Forgot password**."
			})
			c.article(c.shop.ID, "card-limits", "Card limits", func(a *knowledge.Article) { a.Category = "Cards"; a.Audience = knowledge.Everyone })
			c.article(c.shop.ID, "agents-only", "Internal escalation path", func(a *knowledge.Article) { a.Audience = knowledge.AgentsOnly })
			c.article(c.shop.ID, "draft", "Draft answer", func(a *knowledge.Article) { a.State = knowledge.Validated })
			c.article(c.shop.ID, "konto", "Passwort zurücksetzen", func(a *knowledge.Article) { a.Locale = "de" })
			c.article(c.rival.ID, "rival-secret", "Rival's own article", nil)
			b := c.browser()
			base := c.srv.URL + "/help/shop"

			home := b.do("GET", "/help/shop/", nil, nil).want(t, http.StatusOK)
			title, desc, canon := meta(t, home.body)
			if title != "Tenant shop · Help center" || !strings.Contains(desc, "Tenant shop") || canon != base+"/" {
				t.Errorf("home: title %q, description %q, canonical %q", title, desc, canon)
			}
			for _, want := range []string{`<html lang="en">`, "Your account", "Cards", `href="/help/shop/a/reset-password"`, `href="/help/shop/a/card-limits"`,
				`hreflang="de" href="` + base + `/?lang=de"`, "--brand:#0b6e4f", `src="https://cdn.shop.example/logo.png"`, `data-widget="` + c.widget.Address + `"`} {
				if !strings.Contains(home.body, want) {
					t.Errorf("home lacks %s", want)
				}
			}
			for _, never := range []string{"Internal escalation", "Draft answer", "Rival", "Passwort"} {
				if strings.Contains(home.body, never) {
					t.Errorf("home shows %q", never)
				}
			}
			if de := b.do("GET", "/help/shop/?lang=de", nil, nil).want(t, http.StatusOK); !strings.Contains(de.body, "Passwort zurücksetzen") ||
				!strings.Contains(de.body, `<html lang="de">`) || strings.Contains(de.body, "Card limits") {
				t.Errorf("the German home page is not German")
			}

			art := b.do("GET", "/help/shop/a/reset-password", nil, nil).want(t, http.StatusOK)
			title, desc, canon = meta(t, art.body)
			if title != "Reset your password · Tenant shop" || !strings.HasPrefix(desc, "I forgot my password") || canon != base+"/a/reset-password" {
				t.Errorf("article: title %q, description %q, canonical %q", title, desc, canon)
			}
			body := art.body[strings.Index(art.body, "<article>"):strings.Index(art.body, "</article>")]
			for _, never := range []string{"<script", "onerror", "javascript:", "alert(1)"} {
				if strings.Contains(body, never) {
					t.Errorf("the article's HTML keeps %q: %s", never, body)
				}
			}
			if !strings.Contains(body, "<strong>Forgot password</strong>") {
				t.Errorf("the Markdown was not rendered: %s", body)
			}
			if h := art.header.Get("Cache-Control"); !strings.Contains(h, "private") {
				t.Errorf("Cache-Control %q: a page carries the visitor's session", h)
			}

			for _, path := range []string{"/help/shop/a/agents-only", "/help/shop/a/draft", "/help/shop/a/rival-secret", "/help/rival/a/reset-password", "/help/shop/nothing"} {
				if p := b.do("GET", path, nil, nil); p.status != http.StatusNotFound || !strings.Contains(p.body, `noindex`) {
					t.Errorf("GET %s: %d, want a 404 page", path, p.status)
				}
			}
			b.do("GET", "/help/nobody/", nil, nil).want(t, http.StatusNotFound)
			if p := b.do("GET", "/help/shop", nil, nil); p.status != http.StatusMovedPermanently || p.header.Get("Location") != "/help/shop/" {
				t.Errorf("/help/shop: %d to %q", p.status, p.header.Get("Location"))
			}

			res := b.do("GET", "/help/shop/search?q=forgot+password", nil, nil).want(t, http.StatusOK)
			if !strings.Contains(res.body, `href="/help/shop/a/reset-password"`) || !strings.Contains(res.body, `<meta name="robots" content="noindex">`) ||
				strings.Contains(res.body, "rival-secret") || strings.Contains(res.body, "agents-only") {
				t.Errorf("search page: %s", res.body)
			}
			if p := b.do("GET", "/help/shop/search?q=zzzqqq", nil, nil).want(t, http.StatusOK); !strings.Contains(p.body, "No article matches") {
				t.Errorf("an empty search says nothing")
			}

			sm := b.do("GET", "/help/shop/sitemap.xml", nil, nil).want(t, http.StatusOK)
			var set struct {
				URLs []struct {
					Loc string `xml:"loc"`
				} `xml:"url"`
			}
			if err := xml.Unmarshal([]byte(sm.body), &set); err != nil {
				t.Fatalf("sitemap: %v\n%s", err, sm.body)
			}
			var locs []string
			for _, u := range set.URLs {
				locs = append(locs, u.Loc)
			}
			want := []string{base + "/", base + "/?lang=de", base + "/a/card-limits", base + "/a/konto", base + "/a/reset-password"}
			if strings.Join(locs, " ") != strings.Join(want, " ") {
				t.Errorf("sitemap lists %v, want %v", locs, want)
			}
		})
	}
}

func TestSearchAsYouTypeIsOneStepOfTheTrail(t *testing.T) {
	c := newCenter(t, storetest.OpenSQLite, helpcenter.Config{})
	c.article(c.shop.ID, "reset-password", "Reset your password", nil)
	b := c.browser()
	b.do("GET", "/help/shop/", nil, nil).want(t, http.StatusOK)
	for _, q := range []string{"pa", "pass", "passw", "password"} {
		c.clock.Advance(300 * time.Millisecond)
		p := b.do("GET", "/help/shop/search.json?q="+q, nil, nil).want(t, http.StatusOK)
		var out struct {
			Items []struct{ Slug, Title string } `json:"items"`
		}
		json.Unmarshal([]byte(p.body), &out)
		if q == "password" && (len(out.Items) != 1 || out.Items[0].Slug != "reset-password") {
			t.Errorf("search.json for %q: %s", q, p.body)
		}
	}
	sid := cookie(t, b, "/help/shop/")
	events, err := c.db.HelpEvents(context.Background(), c.shop.ID, sid, time.Time{})
	if err != nil || len(events) != 2 || events[1].Kind != "search" || events[1].Query != "password" || events[1].Results != 1 {
		t.Fatalf("trail = %+v, %v; want the page and one search for \"password\"", events, err)
	}
}

func cookie(t *testing.T, b *browser, path string) string {
	t.Helper()
	u, _ := url.Parse(b.c.srv.URL + path)
	for _, ck := range b.client.Jar.Cookies(u) {
		if ck.Name == "sb_help" {
			return ck.Value
		}
	}
	t.Fatal("no help session cookie")
	return ""
}

// chat starts a widget session and writes one message carrying the help
// session, as the widget opened by "Chat with us" does; it returns the
// conversation.
func (c *center) chat(t *testing.T, widget channel.Account, helpSession, body string) string {
	t.Helper()
	b := c.browser()
	b.origin = shopOrigin
	p := b.do("POST", "/channels/webchat/"+widget.Address+"/session", nil, map[string]any{}).want(t, http.StatusOK)
	var s struct {
		VisitorToken string `json:"visitor_token"`
	}
	json.Unmarshal([]byte(p.body), &s)
	ctx := map[string]any{"url": shopOrigin + "/help", "title": "Help", "search": "", "referrer": ""}
	if helpSession != "" {
		ctx["help_session"] = helpSession
	}
	p = b.do("POST", "/channels/webchat/"+widget.Address+"/messages?token="+url.QueryEscape(s.VisitorToken), nil,
		map[string]any{"client_id": ids.New(), "body": body, "context": ctx}).want(t, http.StatusCreated)
	var m struct {
		Message struct {
			ConversationID string `json:"conversation_id"`
		} `json:"message"`
	}
	json.Unmarshal([]byte(p.body), &m)
	return m.Message.ConversationID
}

func TestTheTrailIsCarriedIntoTheChat(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newCenter(t, e.Open, helpcenter.Config{})
			c.article(c.shop.ID, "reset-password", "Reset your password", nil)
			b := c.browser()
			b.do("GET", "/help/shop/", nil, nil).want(t, http.StatusOK)
			c.clock.Advance(5 * time.Second)
			b.do("GET", "/help/shop/search?q=forgot+password", nil, nil).want(t, http.StatusOK)
			c.clock.Advance(3 * time.Second)
			b.do("GET", "/help/shop/a/reset-password", nil, nil).want(t, http.StatusOK)
			c.clock.Advance(70 * time.Second)
			fb := b.do("POST", "/help/shop/a/reset-password/feedback", url.Values{"helpful": {"no"}, "reason": {"the link expired"}}, nil)
			if fb.status != http.StatusSeeOther || fb.header.Get("Location") != "/help/shop/a/reset-password?feedback=no#feedback" {
				t.Fatalf("feedback: %d to %q", fb.status, fb.header.Get("Location"))
			}
			thanks := b.do("GET", "/help/shop/a/reset-password?feedback=no", nil, nil).want(t, http.StatusOK)
			if !strings.Contains(thanks.body, "Thank you for telling us") || !strings.Contains(thanks.body, "data-chat") {
				t.Errorf("the page after \"no\" does not offer help")
			}
			b.do("POST", "/help/shop/a/reset-password/feedback", url.Values{"helpful": {"maybe"}}, nil).want(t, http.StatusBadRequest)
			c.clock.Advance(10 * time.Second)
			sid := cookie(t, b, "/help/shop/")
			conv := c.chat(t, c.widget, sid, "I still cannot sign in")

			trail, err := helpcenter.TrailOf(context.Background(), c.db, c.shop.ID, conv)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range trail.Events {
				got = append(got, string(ev.Kind))
			}
			if strings.Join(got, ",") != "page,search,article,feedback" {
				t.Fatalf("trail kinds %v", got)
			}
			if ev := trail.Events[1]; ev.Query != "forgot password" || ev.Results != 1 {
				t.Errorf("search step %+v", ev)
			}
			if ev := trail.Events[2]; ev.Title != "Reset your password" || ev.Seconds != 70 {
				t.Errorf("article step %+v, want 70 s on it", ev)
			}
			if ev := trail.Events[3]; ev.Helpful != "no" || ev.Reason != "the link expired" {
				t.Errorf("feedback step %+v", ev)
			}
			if yes, no, _ := c.db.HelpFeedbackCounts(context.Background(), c.shop.ID, articleID(t, c, "reset-password")); yes != 0 || no != 1 {
				t.Errorf("feedback counts %d yes, %d no", yes, no)
			}
			msgs, err := c.db.Messages(context.Background(), c.shop.ID, conv, store.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var line string
			for _, m := range msgs {
				if m.Kind == conversation.KindSystem {
					line = m.Body
				}
			}
			for _, want := range []string{"Self-service before this conversation (1 min)", "“forgot password” (1 result)",
				"read “Reset your password”", "did not help: “Reset your password”: the link expired"} {
				if !strings.Contains(line, want) {
					t.Errorf("the timeline's line %q lacks %q", line, want)
				}
			}
			// A second message, or a later session, does not add another trail.
			c.chat(t, c.widget, sid, "hello again")
			if l, _ := c.db.HelpLinkOf(context.Background(), c.shop.ID, conv); l.SessionID != sid {
				t.Errorf("the link changed: %+v", l)
			}
		})
	}
}

func articleID(t *testing.T, c *center, slug string) string {
	t.Helper()
	a, err := c.db.ArticleBySlug(context.Background(), c.shop.ID, slug)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestEmailUsCarriesTheTrail(t *testing.T) {
	c := newCenter(t, storetest.OpenSQLite, helpcenter.Config{})
	c.article(c.shop.ID, "reset-password", "Reset your password", nil)
	b := c.browser()
	b.do("GET", "/help/shop/search?q=password", nil, nil).want(t, http.StatusOK)
	contact := b.do("GET", "/help/shop/contact", nil, nil).want(t, http.StatusOK)
	if !strings.Contains(contact.body, "<noscript>") || !strings.Contains(contact.body, `action="/help/shop/contact"`) {
		t.Errorf("the contact page lacks the email form or the note about the chat")
	}
	bad := b.do("POST", "/help/shop/contact", url.Values{"email": {"not-an-address"}, "message": {"help me"}}, nil).want(t, http.StatusBadRequest)
	if !strings.Contains(bad.body, "a valid address is required") || !strings.Contains(bad.body, "help me") {
		t.Errorf("a bad address does not say so, keeping the message: %s", bad.body)
	}
	ok := b.do("POST", "/help/shop/contact", url.Values{"name": {"Zoë"}, "email": {"zoe@example.org"}, "message": {"My reset link never came"}}, nil)
	if ok.status != http.StatusSeeOther || ok.header.Get("Location") != "/help/shop/contact?sent=1#email" {
		t.Fatalf("contact: %d to %q", ok.status, ok.header.Get("Location"))
	}
	list, err := c.db.Conversations(context.Background(), c.shop.ID, store.ConversationFilter{}, store.Page{Limit: 5})
	if err != nil || len(list) != 1 {
		t.Fatalf("conversations %v, %v", list, err)
	}
	trail, err := helpcenter.TrailOf(context.Background(), c.db, c.shop.ID, list[0].ID)
	if err != nil || len(trail.Events) < 2 || trail.Events[0].Kind != helpcenter.KindSearch {
		t.Errorf("trail = %+v, %v", trail, err)
	}
	if list[0].Channel != "email" {
		t.Errorf("the conversation is on %q, want email (answered by email)", list[0].Channel)
	}
}

func TestIsolation(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newCenter(t, e.Open, helpcenter.Config{})
			c.article(c.shop.ID, "reset-password", "Reset your password", nil)
			c.article(c.rival.ID, "rival-reset", "Rival password reset", nil)
			b := c.browser()
			b.do("GET", "/help/shop/search?q=password", nil, nil).want(t, http.StatusOK)
			shopSession := cookie(t, b, "/help/shop/")

			// Rival's help center given shop's session starts its own.
			r := c.browser()
			u, _ := url.Parse(c.srv.URL + "/help/rival/")
			r.client.Jar.SetCookies(u, []*http.Cookie{{Name: "sb_help", Value: shopSession, Path: "/help/rival/"}})
			r.do("GET", "/help/rival/search?q=password", nil, nil).want(t, http.StatusOK)
			if got := cookie(t, r, "/help/rival/"); got == shopSession {
				t.Fatal("rival's help center joined shop's session")
			}
			if ev, _ := c.db.HelpEvents(context.Background(), c.shop.ID, shopSession, time.Time{}); len(ev) != 1 {
				t.Errorf("shop's trail has %d steps after rival's visit, want 1", len(ev))
			}
			// Search suggestions never cross.
			if p := b.do("GET", "/help/shop/search.json?q=rival", nil, nil).want(t, http.StatusOK); strings.Contains(p.body, "rival-reset") {
				t.Errorf("shop's search finds rival's article: %s", p.body)
			}
			// A chat in rival's widget naming shop's session carries nothing.
			conv := c.chat(t, c.rivalWidget, shopSession, "hello")
			if tr, err := helpcenter.TrailOf(context.Background(), c.db, c.rival.ID, conv); err != nil || len(tr.Events) != 0 {
				t.Errorf("rival's conversation got shop's trail: %+v, %v", tr, err)
			}
			// Shop's conversation's trail is not rival's to read.
			mine := c.chat(t, c.widget, shopSession, "hello")
			if _, err := helpcenter.TrailOf(context.Background(), c.db, c.rival.ID, mine); err == nil {
				t.Error("rival reads the trail of shop's conversation")
			}
			// The widget's endpoints: another widget's key finds another tenant's articles only.
			v := c.browser()
			v.origin = shopOrigin
			if p := v.do("GET", "/channels/webchat/"+c.widget.Address+"/articles/rival-reset", nil, nil); p.status != http.StatusNotFound {
				t.Errorf("shop's widget opens rival's article: %d", p.status)
			}
		})
	}
}

func TestWidgetDeflection(t *testing.T) {
	c := newCenter(t, storetest.OpenSQLite, helpcenter.Config{})
	c.article(c.shop.ID, "reset-password", "Reset your password", func(a *knowledge.Article) {
		a.Resolution = "Choose **Forgot password**. <script>alert(1)</script>"
	})
	v := c.browser()
	v.origin = shopOrigin
	p := v.do("GET", "/channels/webchat/"+c.widget.Address+"/articles?q=forgot+password", nil, nil).want(t, http.StatusOK)
	if p.header.Get("Access-Control-Allow-Origin") != shopOrigin {
		t.Errorf("no CORS for the widget's site")
	}
	var found struct {
		Items   []struct{ Slug string } `json:"items"`
		Session string                  `json:"session"`
	}
	json.Unmarshal([]byte(p.body), &found)
	if len(found.Items) != 1 || found.Items[0].Slug != "reset-password" || found.Session == "" {
		t.Fatalf("widget search: %s", p.body)
	}
	art := v.do("GET", "/channels/webchat/"+c.widget.Address+"/articles/reset-password?session="+found.Session, nil, nil).want(t, http.StatusOK)
	var opened struct{ HTML, URL, Session string }
	json.Unmarshal([]byte(art.body), &opened)
	if strings.Contains(opened.HTML, "<script") || !strings.Contains(opened.HTML, "<strong>Forgot password</strong>") ||
		opened.URL != c.srv.URL+"/help/shop/a/reset-password" || opened.Session != found.Session {
		t.Errorf("widget article: %s", art.body)
	}
	other := c.browser()
	other.origin = "https://evil.example"
	other.do("GET", "/channels/webchat/"+c.widget.Address+"/articles?q=password", nil, nil).want(t, http.StatusForbidden)

	conv := c.chat(t, c.widget, found.Session, "I read it but it did not work")
	trail, err := helpcenter.TrailOf(context.Background(), c.db, c.shop.ID, conv)
	if err != nil || len(trail.Events) != 2 || trail.Events[0].Kind != helpcenter.KindSearch || trail.Events[1].Kind != helpcenter.KindArticle {
		t.Errorf("the widget's trail = %+v, %v", trail, err)
	}
}

func TestOwnDomain(t *testing.T) {
	c := newCenter(t, storetest.OpenSQLite, helpcenter.Config{Domains: map[string]string{"help.shop.example": "shop"}})
	c.article(c.shop.ID, "reset-password", "Reset your password", nil)
	b := c.browser()
	b.host = "help.shop.example"
	home := b.do("GET", "/", nil, nil).want(t, http.StatusOK)
	if _, _, canon := meta(t, home.body); canon != "http://help.shop.example/" || !strings.Contains(home.body, `href="/a/reset-password"`) ||
		!strings.Contains(home.body, `href="/assets/help.css"`) {
		t.Errorf("own domain's home: canonical %q\n%s", canon, home.body)
	}
	art := b.do("GET", "/a/reset-password", nil, nil).want(t, http.StatusOK)
	if _, _, canon := meta(t, art.body); canon != "http://help.shop.example/a/reset-password" {
		t.Errorf("own domain's article canonical %q", canon)
	}
	b.do("GET", "/assets/help.js", nil, nil).want(t, http.StatusOK)
	if sm := b.do("GET", "/sitemap.xml", nil, nil).want(t, http.StatusOK); !strings.Contains(sm.body, "<loc>http://help.shop.example/a/reset-password</loc>") {
		t.Errorf("own domain's sitemap: %s", sm.body)
	}
	// Nothing else of the center answers there; other hosts are untouched.
	b.do("GET", "/help/rival/", nil, nil).want(t, http.StatusNotFound)
	if fb := b.do("POST", "/a/reset-password/feedback", url.Values{"helpful": {"yes"}}, nil); fb.header.Get("Location") != "/a/reset-password?feedback=yes#feedback" {
		t.Errorf("feedback on the own domain leads to %q", fb.header.Get("Location"))
	}
	plain := c.browser()
	plain.do("GET", "/help/shop/a/reset-password", nil, nil).want(t, http.StatusOK)
}

func TestRateLimit(t *testing.T) {
	c := newCenter(t, storetest.OpenSQLite, helpcenter.Config{Limits: helpcenter.Limits{PerSecond: 0.001, Burst: 3}})
	b := c.browser()
	for range 3 {
		b.do("GET", "/help/shop/", nil, nil).want(t, http.StatusOK)
	}
	if p := b.do("GET", "/help/shop/", nil, nil); p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Errorf("the fourth page: %d, want 429 with Retry-After", p.status)
	}
}
