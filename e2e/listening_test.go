package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/listening/mastodon/mastodontest"
)

// TestBrowserListening: a demo center listens on a Mastodon instance (a
// fake one speaking Mastodon's REST and streaming shapes) for the rule the
// admin wrote; a public post matching it becomes an urgent conversation in
// the Support queue, its SLA clock running; in Chromium Ana answers it
// publicly after the warning, then privately; the instance receives a
// public reply to the post and a direct status.
func TestBrowserListening(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	const token = "e2e-mastodon-access-token"
	masto := mastodontest.New(token, "northwind")
	t.Cleanup(masto.Close)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8"}}) // the instance is on loopback
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")
	admin.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "mastodon", "address": masto.Owner(), "name": "Northwind on Mastodon",
		"settings": map[string]string{"instance_url": masto.URL, "access_token": token}}, 201, nil)
	const rule = "Card complaints"
	admin.do("POST", "/api/v1/listening/rules", map[string]any{"name": rule, "hashtags": []string{"northwind"}, "keywords": []string{"card"},
		"priority": 3, "queue": "Support"}, 201, nil)
	if !masto.Connected("tag:northwind", 60*time.Second) {
		t.Fatal("the center never listened on #northwind")
	}
	ann := masto.Author("ann", "Ann Example", 2400)
	text := "My Northwind card was declined twice today"
	post := masto.Publish(ann, text, mastodontest.Opts{Tags: []string{"Northwind"}})
	masto.Publish(ann, "Lovely weather for a walk", mastodontest.Opts{Tags: []string{"northwind"}}) // no keyword: not taken

	out := runScript(t, chromium, "listening.mjs", "--base", n.URL, "--password", demoPassword, "--text", text, "--rule", rule, "--timeout", "20000")
	if !strings.Contains(out, "PASS listening") {
		t.Fatal("the script did not reach its end")
	}
	posted := masto.Posted()
	if len(posted) != 2 {
		t.Fatalf("the instance received %d statuses, want 2: %+v", len(posted), posted)
	}
	pub, dm := posted[0], posted[1]
	if pub.Visibility != "public" || pub.InReplyToID != post.ID || !strings.HasPrefix(pub.Status, "@ann@"+masto.Host+" We are sorry") {
		t.Errorf("public reply posted as %+v; want a public reply to %s addressed to ann", pub, post.ID)
	}
	if dm.Visibility != "direct" || !strings.HasPrefix(dm.Status, "@ann@"+masto.Host+" Could you send") {
		t.Errorf("private reply posted as %+v; want a direct status to ann", dm)
	}
	if strings.Contains(n.Output(), token) {
		t.Error("the access token reached the node's log")
	}
}
