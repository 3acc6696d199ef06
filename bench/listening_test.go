package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/listening"
	"github.com/switchboard-cx/switchboard/internal/listening/mastodon"
	"github.com/switchboard-cx/switchboard/internal/listening/mastodon/mastodontest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

var words = strings.Fields(`the my our card router app account refund broken slow great love support help order delivery
	today again still waiting phone bank payment declined thanks please why when never good bad service team new update`)

func randomPost(rng *rand.Rand, n int) listening.Post {
	w := make([]string, n)
	for i := range w {
		w[i] = words[rng.IntN(len(words))]
	}
	return listening.Post{Text: strings.Join(w, " "), Language: "en", Hashtags: []string{words[rng.IntN(len(words))]},
		Author: listening.Author{Followers: rng.IntN(5000)}}
}

// TestListeningDecide measures the pure core: posts of 40 words decided
// against a workspace of 100 rules, on one core.
func TestListeningDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var rules []listening.Rule
	for i := range 100 {
		r, err := listening.Normalize(listening.Rule{Name: fmt.Sprint("r", i), Enabled: true, Priority: conversation.Priority(i % 4),
			Keywords: []string{words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))], words[rng.IntN(len(words))]},
			Hashtags: []string{words[rng.IntN(len(words))]}, MinFollowers: rng.IntN(100)})
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	posts := make([]listening.Post, 1000)
	for i := range posts {
		posts[i] = randomPost(rng, 40)
	}
	taken := 0
	start := time.Now()
	const rounds = 20
	for range rounds {
		for _, p := range posts {
			if _, ok := listening.Decide(rules, p); ok {
				taken++
			}
		}
	}
	el := time.Since(start)
	n := rounds * len(posts)
	fmt.Printf("BENCH listening_decide %.0f posts/s (100 rules, 40-word posts, %.0f%% taken)\n", float64(n)/el.Seconds(), 100*float64(taken)/float64(n))
}

// TestListeningThroughput measures the listener end to end on SQLite: posts
// published on a hashtag stream of a Mastodon instance (the test server)
// until each is a stored message in its conversation.
func TestListeningThroughput(t *testing.T) {
	db := storetest.OpenSQLite(t)
	core := inboxtest.Start(t, db, inboxtest.Options{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const token = "bench-token"
	masto := mastodontest.New(token, "support")
	defer masto.Close()
	rules := listening.NewRulebook(db, core.Clock)
	box, _ := secretbox.New([]byte("bench key"), "mastodon-access-token")
	allow, _ := netguard.ParseAllow("127.0.0.0/8")
	net, err := mastodon.New(mastodon.Deps{DB: db, Intake: listening.NewIntake(rules, db, core.Inbox, log), Rules: rules,
		Guard: netguard.New(netguard.Options{Allow: allow}), Secrets: box, Clock: core.Clock, Log: log}, mastodon.Config{Refresh: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tn := storetest.NewTenant(t, db, "bench")
	if _, err := core.Inbox.CreateAccount(ctx, inbox.Actor{TenantID: tn.ID}, channel.Account{Channel: mastodon.Name, Address: masto.Owner(),
		Settings: map[string]string{mastodon.SettingInstance: masto.URL, mastodon.SettingToken: token}}); err == nil {
		t.Fatal("the account was taken although the channel is not registered")
	}
	for _, c := range []channel.Channel{net, net.Direct()} {
		if err := core.Channels.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := core.Inbox.CreateAccount(ctx, inbox.Actor{TenantID: tn.ID}, channel.Account{Channel: mastodon.Name, Address: masto.Owner(),
		Settings: map[string]string{mastodon.SettingInstance: masto.URL, mastodon.SettingToken: token}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rules.Create(ctx, tn.ID, listening.Rule{Name: "all", Hashtags: []string{"acme"}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	go net.Run(ctx)
	if !masto.Connected("tag:acme", 10*time.Second) {
		t.Fatal("never connected")
	}
	const n = 300
	authors := make([]mastodontest.Account, 50)
	for i := range authors {
		authors[i] = masto.Author(fmt.Sprint("user", i), fmt.Sprint("User ", i), i)
	}
	start := time.Now()
	var last mastodontest.Status
	for i := range n {
		last = masto.Publish(authors[i%len(authors)], fmt.Sprint("post number ", i), mastodontest.Opts{Tags: []string{"acme"}})
	}
	for {
		if _, err := db.MessageByExternalID(ctx, tn.ID, mastodon.Name, last.ID); err == nil {
			break
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if time.Since(start) > time.Minute {
			t.Fatal("posts not stored within a minute")
		}
		time.Sleep(2 * time.Millisecond)
	}
	el := time.Since(start)
	fmt.Printf("BENCH listening_stream_to_stored %.0f posts/s (%d posts on one hashtag stream, SQLite, 50 authors)\n", n/el.Seconds(), n)
}
