package httpapi

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

var signInCode = regexp.MustCompile(`code is (\d{6})`)

// mailedCode waits for the sign-in mail to reach the node's SMTP sink and
// returns its code.
func (n *node) mailedCode(t *testing.T, to string) string {
	t.Helper()
	select {
	case m := <-n.mail.Messages:
		if len(m.To) != 1 || m.To[0] != to {
			t.Fatalf("mail to %v, want %s", m.To, to)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatalf("parse mail: %v", err)
		}
		var body io.Reader = msg.Body
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		text, _ := io.ReadAll(body)
		c := signInCode.FindStringSubmatch(string(text))
		if c == nil {
			t.Fatalf("no code in the mail:\n%s", text)
		}
		return c[1]
	case <-time.After(20 * time.Second):
		t.Fatalf("no sign-in mail to %s", to)
		return ""
	}
}

// signIn signs the customer in with the code mailed to them.
func (n *node) signIn(t *testing.T, email string) *client {
	t.Helper()
	c := n.anonymous(t, "customer:"+email)
	c.do("POST", "/portal/api/sign-in", map[string]string{"identifier": email}).want(http.StatusAccepted)
	code := n.mailedCode(t, email)
	c.do("POST", "/portal/api/verify", map[string]string{"identifier": email, "code": code}).want(http.StatusOK)
	return c
}

// sent marks a notice sent, as the sender does once a channel took it.
func (n *node) sent(t *testing.T, tenantID, deliveryID string) {
	t.Helper()
	now := time.Now().UTC()
	err := n.db.UpdateDeliveries(context.Background(), []store.DeliveryUpdate{{TenantID: tenantID, ID: deliveryID,
		Status: notice.StatusSent, Channel: "email", At: now, Steps: []notice.Step{{At: now, Status: notice.StatusSent, Channel: "email"}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPortal is a customer known to two businesses by one email: signing in
// with the mailed code, both businesses, preferences, notices and writing in,
// on both engines.
func TestPortal(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testPortal(t, newWorld(t, withEngine(e), leaderless))
		})
	}
}

func testPortal(t *testing.T, w *world) {
	anaA := w.customer(t, w.A, "ana", "ana@example.com")
	anaB := w.customer(t, w.B, "ana-b", "ana@example.com")
	other := w.customer(t, w.A, "bea", "bea@example.com")
	c := w.anonymous(t, "customer")

	// The same answer for an unknown address, and no mail.
	c.do("POST", "/portal/api/sign-in", map[string]string{"identifier": "stranger@example.com"}).want(http.StatusAccepted)
	c.do("POST", "/portal/api/sign-in", map[string]string{"identifier": "not an address"}).wantProblem(http.StatusUnprocessableEntity, "validation")
	c.do("GET", "/portal/api/businesses", nil, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")

	c.do("POST", "/portal/api/sign-in", map[string]string{"identifier": "Ana@Example.com"}).want(http.StatusAccepted)
	code := w.mailedCode(t, "ana@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	c.do("POST", "/portal/api/verify", map[string]string{"identifier": "ana@example.com", "code": wrong}).wantProblem(http.StatusUnauthorized, "bad-code")
	res := c.do("POST", "/portal/api/verify", map[string]string{"identifier": "ana@example.com", "code": code}).want(http.StatusOK)
	cookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{portalCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	c.do("POST", "/portal/api/verify", map[string]string{"identifier": "ana@example.com", "code": code}).wantProblem(http.StatusUnauthorized, "bad-code")

	var me portal.Session
	c.do("GET", "/portal/api/me", nil).want(http.StatusOK).decode(&me)
	if me.Identifier != "email:ana@example.com" || me.Limited() {
		t.Errorf("me %+v", me)
	}

	// Both businesses, each with the customer's own persona there.
	var bs struct{ Items []portal.Business }
	c.do("GET", "/portal/api/businesses", nil).want(http.StatusOK).decode(&bs)
	if len(bs.Items) != 2 || bs.Items[0].PersonaID != anaA || bs.Items[1].PersonaID != anaB {
		t.Fatalf("businesses %+v", bs.Items)
	}

	// Preferences at A, recorded as the customer's consent.
	a := "/portal/api/businesses/" + w.A.Tenant.ID
	var v notify.PreferenceView
	c.do("PUT", a+"/preferences", map[string]any{"categories": map[string]any{"marketing": map[string]bool{"enabled": false}}}).
		want(http.StatusOK).decode(&v)
	v = notify.PreferenceView{}
	c.do("GET", a+"/preferences", nil).want(http.StatusOK).decode(&v)
	if v.PersonaID != anaA || v.Own.Categories["marketing"].Enabled == nil || *v.Own.Categories["marketing"].Enabled {
		t.Errorf("preferences %+v", v.Own)
	}
	recs := ledger(t, w, anaA)
	if len(recs) != 1 || recs[0].Actor != "customer:email:ana@example.com" || recs[0].Scope != "category:marketing" {
		t.Errorf("ledger %+v", recs)
	}
	c.do("PUT", a+"/momentary", map[string]any{"momentary": map[string]any{"state": "do not disturb", "until": "2099-01-01T00:00:00Z"}}).want(http.StatusOK)

	// A notice once sent shows, unread, and reading it marks it read.
	w.A.admin.in(t).do("POST", "/api/v1/notifications/types", statementType("statement")).want(http.StatusCreated)
	r := raise(t, w.A.admin, map[string]any{"type": "statement", "to": map[string]string{"persona_id": anaA}, "data": map[string]string{"month": "May"}})
	noticeID := r.Results[0].DeliveryID
	var notices struct{ Items []notify.DeliveryView }
	c.do("GET", a+"/notices", nil).want(http.StatusOK).decode(&notices)
	if len(notices.Items) != 0 {
		t.Errorf("a notice not sent yet shows: %+v", notices.Items)
	}
	w.sent(t, w.A.Tenant.ID, noticeID)
	c.do("GET", a+"/notices", nil).want(http.StatusOK).decode(&notices)
	if len(notices.Items) != 1 || notices.Items[0].ID != noticeID || notices.Items[0].Subject != "Your May statement" {
		t.Fatalf("notices %+v", notices.Items)
	}
	bs.Items = nil
	c.do("GET", "/portal/api/businesses", nil).want(http.StatusOK).decode(&bs)
	if bs.Items[0].Unread != 1 {
		t.Errorf("unread %+v", bs.Items[0])
	}
	var d notify.DeliveryView
	c.do("GET", a+"/notices/"+noticeID, nil).want(http.StatusOK).decode(&d)
	if d.Status != notice.StatusRead || d.Body == "" {
		t.Errorf("read notice %+v", d)
	}

	// Writing in, answering the notice; a retry with the key writes once.
	key := header("Idempotency-Key", "contact-1")
	var contact struct {
		ConversationID string `json:"conversation_id"`
	}
	c.do("POST", a+"/contact", map[string]string{"body": "It was not me.", "delivery_id": noticeID}, key).want(http.StatusCreated).decode(&contact)
	again := c.do("POST", a+"/contact", map[string]string{"body": "It was not me.", "delivery_id": noticeID}, key).want(http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retry was not replayed")
	}
	var msgs struct{ Items []portal.Message }
	c.do("GET", a+"/conversations/"+contact.ConversationID+"/messages", nil).want(http.StatusOK).decode(&msgs)
	written := 0
	for _, m := range msgs.Items {
		if m.Body == "It was not me." && m.Direction == "in" && m.Channel == portal.Name {
			written++
		}
	}
	if written != 1 {
		t.Errorf("the message is there %d times: %+v", written, msgs.Items)
	}
	// A suspended business takes no message (404), one being deleted is gone (410).
	ctx := context.Background()
	if err := w.db.Suspend(ctx, w.A.Tenant.ID, tenant.Suspension{Reason: "unpaid", By: "op", Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c.do("POST", a+"/contact", map[string]string{"body": "Anyone?"}, header("Idempotency-Key", "contact-suspended")).wantProblem(http.StatusNotFound, "workspace-unavailable")
	if _, err := w.db.Resume(ctx, w.A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.RequestTenantDeletion(ctx, store.TenantDeletion{TenantID: w.A.Tenant.ID, RequestedBy: "admin", RequestedAt: time.Now(), DueAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c.do("POST", a+"/contact", map[string]string{"body": "Anyone?"}, header("Idempotency-Key", "contact-deleted")).wantProblem(http.StatusGone, "workspace-unavailable")
	if err := w.db.CancelTenantDeletion(ctx, w.A.Tenant.ID); err != nil {
		t.Fatal(err)
	}

	var convs struct{ Items []portal.Conversation }
	c.do("GET", a+"/conversations", nil).want(http.StatusOK).decode(&convs)
	if len(convs.Items) == 0 {
		t.Errorf("no conversations")
	}

	// Nothing of anyone else's: another customer's notice and conversation at
	// A, a business that does not know the customer, a made-up one.
	theirs := raise(t, w.A.admin, map[string]any{"type": "statement", "to": map[string]string{"persona_id": other}, "data": map[string]string{"month": "May"}})
	w.sent(t, w.A.Tenant.ID, theirs.Results[0].DeliveryID)
	theirConversation := w.ingest(t, w.A.Tenant.ID, "bea", "my own question").Conversation.ID
	stranger, _ := w.seedTenant(t, "tenant-c")
	c.do("GET", a+"/notices/"+theirs.Results[0].DeliveryID, nil).wantProblem(http.StatusNotFound, "not-found")
	c.do("GET", a+"/conversations/"+theirConversation+"/messages", nil).wantProblem(http.StatusNotFound, "not-found")
	c.do("POST", a+"/contact", map[string]string{"body": "hi", "delivery_id": theirs.Results[0].DeliveryID}).wantProblem(http.StatusNotFound, "not-found")
	for _, tenantID := range []string{stranger.ID, ids.New()} {
		b := "/portal/api/businesses/" + tenantID
		c.do("GET", b+"/preferences", nil).wantProblem(http.StatusNotFound, "not-found")
		c.do("PUT", b+"/preferences", map[string]any{}).wantProblem(http.StatusNotFound, "not-found")
		c.do("GET", b+"/notices", nil).wantProblem(http.StatusNotFound, "not-found")
		c.do("POST", b+"/contact", map[string]string{"body": "hi"}, header("Idempotency-Key", "k-"+tenantID)).wantProblem(http.StatusNotFound, "not-found")
	}
	// Nor does an agent's session open the portal.
	w.A.admin.in(t).do("GET", "/portal/api/businesses", nil, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")

	// The portal's writes are refused from other sites, like the agents'.
	c.do("PUT", a+"/preferences", map[string]any{}, crossSite).wantProblem(http.StatusForbidden, "cross-origin")
	c.do("POST", "/portal/api/sign-out", nil).want(http.StatusNoContent)
	c.do("GET", "/portal/api/me", nil, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")
}

// TestPortalLinks opens the portal from a notice's links: the preference link
// and the read link give a session limited to that business and persona.
func TestPortalLinks(t *testing.T) {
	w := newWorld(t, leaderless)
	ana := w.customer(t, w.A, "ana", "ana@example.com")
	w.customer(t, w.B, "ana-b", "ana@example.com")
	w.A.admin.in(t).do("POST", "/api/v1/notifications/types", statementType("statement")).want(http.StatusCreated)
	noticeID := raise(t, w.A.admin, map[string]any{"type": "statement", "to": map[string]string{"persona_id": ana}, "data": map[string]string{"month": "May"}}).Results[0].DeliveryID
	w.sent(t, w.A.Tenant.ID, noticeID)
	token := func(link string) string { return link[strings.LastIndex(link, "/")+1:] }

	c := w.anonymous(t, "from the preference link")
	var opened linkOpened
	c.do("POST", "/portal/api/link", map[string]string{"token": token(w.links.Preferences(w.A.Tenant.ID, ana))}).want(http.StatusOK).decode(&opened)
	if opened.Session.TenantID != w.A.Tenant.ID || opened.Session.PersonaID != ana || opened.NoticeID != "" {
		t.Errorf("opened %+v", opened)
	}
	var bs struct{ Items []portal.Business }
	c.do("GET", "/portal/api/businesses", nil).want(http.StatusOK).decode(&bs)
	if len(bs.Items) != 1 || bs.Items[0].TenantID != w.A.Tenant.ID {
		t.Errorf("a limited session sees %+v", bs.Items)
	}
	c.do("GET", "/portal/api/businesses/"+w.B.Tenant.ID+"/preferences", nil).wantProblem(http.StatusNotFound, "not-found")

	r := w.anonymous(t, "from the read link")
	opened = linkOpened{}
	r.do("POST", "/portal/api/link", map[string]string{"token": token(w.links.Read(w.A.Tenant.ID, noticeID))}).want(http.StatusOK).decode(&opened)
	if opened.NoticeID != noticeID || opened.Session.PersonaID != ana {
		t.Errorf("opened %+v", opened)
	}
	var d notify.DeliveryView
	w.A.admin.in(t).do("GET", "/api/v1/notifications/deliveries/"+noticeID, nil).want(http.StatusOK).decode(&d)
	if d.Status != notice.StatusRead {
		t.Errorf("the read link did not mark the notice read: %s", d.Status)
	}

	// A link of another purpose, or forged, opens nothing.
	unsub := token(w.links.Unsubscribe(w.A.Tenant.ID, ana, "type:statement", noticeID))
	for _, tok := range []string{unsub, "a.b.c", url.PathEscape("x")} {
		w.anonymous(t, "forger").do("POST", "/portal/api/link", map[string]string{"token": tok}).wantProblem(http.StatusUnauthorized, "bad-code")
	}
}

// TestPortalSignInRateLimit checks code requests and guesses are slowed per
// client address.
func TestPortalSignInRateLimit(t *testing.T) {
	n := newNode(t, leaderless)
	c := n.anonymous(t, "guesser")
	for i := 1; ; i++ {
		r := c.do("POST", "/portal/api/verify", map[string]string{"identifier": "ana@example.com", "code": "123456"})
		if r.StatusCode == http.StatusTooManyRequests {
			if i <= 10 {
				t.Errorf("refused after %d attempts, want a burst of 10", i-1)
			}
			wantRetryAfter(t, r)
			break
		}
		r.wantProblem(http.StatusUnauthorized, "bad-code")
		if i > 20 {
			t.Fatalf("%d guesses in a row were all answered", i)
		}
	}
	wantRetryAfter(t, c.do("POST", "/portal/api/sign-in", map[string]string{"identifier": "ana@example.com"}))
}

// TestPortalCookieSecure checks the portal cookie is Secure when the node is
// configured for HTTPS, like the agents'.
func TestPortalCookieSecure(t *testing.T) {
	w := newWorld(t, leaderless, withConfig(func(c *Config) { c.SecureCookies = true }))
	ana := w.customer(t, w.A, "ana", "ana@example.com")
	link := w.links.Preferences(w.A.Tenant.ID, ana)
	res := w.anonymous(t, "customer").do("POST", "/portal/api/link", map[string]string{"token": link[strings.LastIndex(link, "/")+1:]}).want(http.StatusOK)
	if c := res.Header.Get("Set-Cookie"); !strings.Contains(c, "; Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("Set-Cookie %q, want Secure and HttpOnly", c)
	}
}
