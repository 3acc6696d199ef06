package rooms_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// pushService stands in for a browser vendor's push service (RFC 8030): it
// holds its browsers' keys, takes only VAPID-authorised aes128gcm messages
// for the center's key, and decrypts them as the browser would (RFC 8291).
// A browser it does not know answers 410 Gone, as for one that unsubscribed.
type pushService struct {
	srv      *httptest.Server
	vapidKey string
	mu       sync.Mutex
	browsers map[string]webpushtest.Browser
	got      map[string][]string // browser → plaintexts
	busy     bool                // answer 503 to everything, as a service in trouble
}

func newPushService(t *testing.T, vapidKey string) *pushService {
	t.Helper()
	p := &pushService{vapidKey: vapidKey, browsers: map[string]webpushtest.Browser{}, got: map[string][]string{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.push))
	t.Cleanup(p.srv.Close)
	return p
}

// subscribe makes a browser called name; known false is one the service
// has forgotten since.
func (p *pushService) subscribe(name string, known bool) webpush.Subscription {
	b := webpushtest.NewBrowser()
	if known {
		p.mu.Lock()
		p.browsers[name] = b
		p.mu.Unlock()
	}
	return b.Subscription(p.srv.URL + "/push/" + name)
}

func (p *pushService) push(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	b, ok := p.browsers[strings.TrimPrefix(r.URL.Path, "/push/")]
	if !ok {
		http.Error(w, "push subscription has unsubscribed or expired", http.StatusGone)
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "vapid t=") || !strings.Contains(auth, "k="+p.vapidKey) ||
		r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		http.Error(w, "VAPID for the subscription's key, aes128gcm and a TTL required", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	plain, err := b.Decrypt(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/push/")
	p.got[name] = append(p.got[name], string(plain))
	w.WriteHeader(http.StatusCreated)
}

func (p *pushService) received(name string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got[name]...)
}

// TestTellAwayInviteesByPush: an away invitee's subscribed browsers get the
// invitation by Web Push through a push service that speaks the protocol —
// who asks, the question, the room's deep link — beside the mail; a browser
// the push service has forgotten is dropped; an available invitee's browser
// gets nothing; a job run again pushes nothing more. On both engines.
func TestTellAwayInviteesByPush(t *testing.T) {
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ps := newPushService(t, pub)
			push, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.example", HTTP: ps.srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			reg, err := channel.NewRegistry(push)
			if err != nil {
				t.Fatal(err)
			}
			c := newCenter(t, e.Open(t), reg)
			ctx := context.Background()
			tn := storetest.NewTenant(t, c.db, "push-"+e.Name)
			ann := c.user(t, tn, "ann@push.example", tenant.PresenceAvailable)
			ben := c.user(t, tn, "ben@push.example", tenant.PresenceAway)
			cat := c.user(t, tn, "cat@push.example", tenant.PresenceAvailable)
			subscribe := func(u tenant.User, sub webpush.Subscription) {
				t.Helper()
				if _, err := c.db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: tn.ID, ID: ids.New(), UserID: u.ID,
					Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, CreatedAt: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			subscribe(ben, ps.subscribe("ben-laptop", true))
			subscribe(ben, ps.subscribe("ben-old-phone", false))
			subscribe(cat, ps.subscribe("cat-laptop", true))

			conv := c.conversation(t, tn)
			me := rooms.Actor{TenantID: tn.ID, UserID: ann.ID}
			v, err := c.svc.Open(ctx, me, conv, "Card declined abroad with the travel flag on?")
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []tenant.User{ben, cat} {
				if _, err := c.svc.Invite(ctx, me, v.Room.ID, u.ID); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case m := <-c.sink.Messages:
				if len(m.To) != 1 || m.To[0] != ben.Email {
					t.Fatalf("mail to %v", m.To)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("ben got no mail")
			}
			// The mail follows the push, and the mark the mail.
			var got []string
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				got = ps.received("ben-laptop")
				subs, err := c.db.UserPushSubscriptions(ctx, tn.ID, ben.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) > 0 && len(subs) == 1 || time.Now().After(deadline) {
					if len(subs) != 1 || subs[0].Endpoint != ps.srv.URL+"/push/ben-laptop" {
						t.Fatalf("ben's subscriptions after the push: %+v", subs)
					}
					break
				}
			}
			if len(got) != 1 {
				t.Fatalf("ben's laptop got %d pushes", len(got))
			}
			var msg struct{ Title, Body, URL, ID string }
			if err := json.Unmarshal([]byte(got[0]), &msg); err != nil {
				t.Fatal(err)
			}
			link := base + "/desktop/c/" + conv + "?room=" + v.Room.ID
			if msg.Title != "User ann@push.example asks for your help in Tenant push-"+e.Name ||
				msg.Body != "Card declined abroad with the travel flag on?" || msg.URL != link || msg.ID == "" {
				t.Fatalf("the push: %+v", msg)
			}
			if n := len(ps.received("cat-laptop")); n != 0 {
				t.Fatalf("available cat's browser got %d pushes", n)
			}
			// A retry after the mark (it follows the mail) tells nobody again.
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				ms, err := c.db.SwarmMembers(ctx, tn.ID, v.Room.ID)
				if err != nil {
					t.Fatal(err)
				}
				if i := slices.IndexFunc(ms, func(m swarm.Member) bool { return m.UserID == ben.ID }); i >= 0 && !ms[i].ToldAt.IsZero() {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("ben is never marked told")
				}
			}
			if err := c.teller.Work(ctx, &river.Job[rooms.TellArgs]{Args: rooms.TellArgs{TenantID: tn.ID, RoomID: v.Room.ID, UserID: ben.ID}}); err != nil {
				t.Fatal(err)
			}
			if n := len(ps.received("ben-laptop")); n != 1 {
				t.Fatalf("told again: %d pushes", n)
			}
		})
	}
}

// TestTellByPushAlone: a center with no SMTP relay tells an invitee by push
// alone and marks them told; when every push fails for a while the job
// fails, to be retried, and marks nothing.
func TestTellByPushAlone(t *testing.T) {
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	ps := newPushService(t, pub)
	push, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.example", HTTP: ps.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := channel.NewRegistry(push)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Engines()[0].Open(t)
	c := newCenter(t, db, nil) // its own teller has no channels; the one below has no relay
	ctx := context.Background()
	tn := storetest.NewTenant(t, db, "push-alone")
	ann := c.user(t, tn, "ann@alone.example", tenant.PresenceAvailable)
	// Available when invited: no job is enqueued, the test runs the teller itself.
	ben := c.user(t, tn, "ben@alone.example", tenant.PresenceAvailable)
	cat := c.user(t, tn, "cat@alone.example", tenant.PresenceAvailable)
	for u, sub := range map[tenant.User]webpush.Subscription{ben: ps.subscribe("ben", true), cat: ps.subscribe("cat", false)} {
		if _, err := db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: tn.ID, ID: ids.New(), UserID: u.ID,
			Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	me := rooms.Actor{TenantID: tn.ID, UserID: ann.ID}
	v, err := c.svc.Open(ctx, me, c.conversation(t, tn), "Why was the card declined?")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []tenant.User{ben, cat} {
		if _, err := c.svc.Invite(ctx, me, v.Room.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	teller := rooms.NewTeller(db, nil, reg, clock.System{}, slog.New(slog.NewTextHandler(io.Discard, nil)), base)
	work := func(u tenant.User) error {
		return teller.Work(ctx, &river.Job[rooms.TellArgs]{Args: rooms.TellArgs{TenantID: tn.ID, RoomID: v.Room.ID, UserID: u.ID}})
	}
	told := func(u tenant.User) bool {
		t.Helper()
		ms, err := db.SwarmMembers(ctx, tn.ID, v.Room.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ms, func(m swarm.Member) bool { return m.UserID == u.ID })
		return i >= 0 && !ms[i].ToldAt.IsZero()
	}
	if err := work(ben); err != nil || !told(ben) || len(ps.received("ben")) != 1 {
		t.Fatalf("ben by push alone: %v, told %v, pushes %d", err, told(ben), len(ps.received("ben")))
	}
	// Cat's browser is gone (410): dropped, and nobody told — not an error
	// to retry, there is nothing left to try.
	if err := work(cat); err != nil || told(cat) {
		t.Fatalf("cat with a gone browser: %v, told %v", err, told(cat))
	}
	if subs, _ := db.UserPushSubscriptions(ctx, tn.ID, cat.ID); len(subs) != 0 {
		t.Fatalf("cat's gone browser kept: %+v", subs)
	}
	// A push service failing for a while: the job fails, to be retried.
	ps.mu.Lock()
	ps.busy = true
	ps.mu.Unlock()
	dan := c.user(t, tn, "dan@alone.example", tenant.PresenceAvailable)
	sub := ps.subscribe("dan", true)
	if _, err := db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: tn.ID, ID: ids.New(), UserID: dan.ID,
		Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Invite(ctx, me, v.Room.ID, dan.ID); err != nil {
		t.Fatal(err)
	}
	if err := work(dan); err == nil || told(dan) {
		t.Fatalf("every push failing: %v, told %v", err, told(dan))
	}
}
