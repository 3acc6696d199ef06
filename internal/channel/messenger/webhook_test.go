package messenger_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/messenger"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const ana = "6254010714638117" // a customer's PSID towards tenant a's Page

func TestChallenge(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	get := func(ch, id string, q url.Values) (int, string) {
		resp, err := http.Get(f.center.URL + "/channels/" + ch + "/webhook/" + id + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	q := func(mode, token string) url.Values {
		return url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {"1158201444"}}
	}
	for _, tc := range []struct {
		name, ch, id string
		q            url.Values
		status       int
		body         string
	}{
		{"the Page's token", "messenger", f.a.id, q("subscribe", f.a.verify), 200, "1158201444"},
		{"the Instagram account's token", "instagram", f.ins.id, q("subscribe", f.ins.verify), 200, "1158201444"},
		{"another Page's token", "messenger", f.a.id, q("subscribe", f.b.verify), 403, ""},
		{"no token", "messenger", f.a.id, q("subscribe", ""), 403, ""},
		{"not subscribe", "messenger", f.a.id, q("unsubscribe", f.a.verify), 403, ""},
		{"an unknown Page", "messenger", "999", q("subscribe", f.a.verify), 404, ""},
		{"a Page on the Instagram route", "instagram", f.a.id, q("subscribe", f.a.verify), 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(tc.ch, tc.id, tc.q)
			if status != tc.status || (tc.body != "" && body != tc.body) {
				t.Fatalf("answered %d %q, want %d %q", status, body, tc.status, tc.body)
			}
		})
	}
}

func TestInboundMessage(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			now := f.clock.Now()
			body := envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in0001", "Is my card blocked?", now))

			// Unsigned, signed with another app's secret, or a body changed
			// after signing: refused, nothing stored.
			if status, _ := f.post(t, "messenger", f.a, body, ""); status != 403 {
				t.Fatalf("unsigned webhook answered %d, want 403", status)
			}
			if status, _ := f.post(t, "messenger", f.a, body, f.b.secret); status != 403 {
				t.Fatalf("webhook signed by another app answered %d, want 403", status)
			}
			if _, err := f.db.MessageByExternalID(ctx, f.a.tenantID, "messenger", "m_in0001"); err == nil {
				t.Fatal("a refused webhook stored its message")
			}

			f.deliver(t, "messenger", f.a, body)
			f.deliver(t, "messenger", f.a, body) // Meta's redelivery
			m := f.message(t, f.a.tenantID, "messenger", "m_in0001")
			if m.Body != "Is my card blocked?" || m.Direction != conversation.Inbound || m.Channel != "messenger" {
				t.Fatalf("stored %+v", m)
			}
			msgs, err := f.svc.Timeline(ctx, f.a.tenantID, m.ConversationID, storePage())
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 {
				t.Fatalf("a redelivered webhook stored %d messages, want 1", len(msgs))
			}
			c, _ := f.svc.Conversation(ctx, f.a.tenantID, m.ConversationID)
			p, err := f.svc.Persona(ctx, f.a.tenantID, c.PersonaID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Ana Lima" || len(p.Identifiers) != 1 || p.Identifiers[0].Kind != persona.KindPSID ||
				p.Identifiers[0].Value != ana || p.Identifiers[0].VerifiedBy != persona.MethodMetaSender {
				t.Fatalf("persona %+v, want Ana Lima (from her profile) holding her proven PSID", p)
			}
			// The other tenant has nothing.
			if _, err := f.db.MessageByExternalID(ctx, f.b.tenantID, "messenger", "m_in0001"); err == nil {
				t.Fatal("another tenant sees the message")
			}
		})
	}
}

func TestInboundMedia(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ev := map[string]any{"sender": map[string]string{"id": ana}, "recipient": map[string]string{"id": f.a.id},
		"timestamp": f.clock.Now().UnixMilli(), "message": map[string]any{"mid": "m_img1", "attachments": []any{
			map[string]any{"type": "image", "payload": map[string]string{"url": f.graph.url("photo.jpg")}},
			map[string]any{"type": "file", "payload": map[string]string{"url": f.graph.url("gone.pdf")}},
			map[string]any{"type": "location", "payload": map[string]any{"coordinates": map[string]float64{"lat": 38.7223, "long": -9.1393}}},
		}}}
	f.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev))
	m := f.message(t, f.a.tenantID, "messenger", "m_img1")
	if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "image/jpeg" {
		t.Fatalf("attachments %+v, want the photo", m.Attachments)
	}
	_, data, err := f.svc.Attachment(context.Background(), f.a.tenantID, m.Attachments[0].ID)
	if err != nil || string(data) != "\xff\xd8\xff\xe0 a tiny jpeg" {
		t.Fatalf("stored photo %q, %v", data, err)
	}
	if !strings.Contains(m.Body, "could not be retrieved") || !strings.Contains(m.Body, "38.722300, -9.139300") {
		t.Fatalf("body %q, want the missing file and the location said", m.Body)
	}
	if md := metaOf(t, m); md["media_not_fetched"] == nil {
		t.Fatalf("meta %v, want the file that could not be fetched listed", md)
	}
	// A redelivery does not fetch again.
	before := len(f.graph.fetches())
	f.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev))
	if after := len(f.graph.fetches()); after != before {
		t.Fatalf("a redelivery fetched the media again (%d → %d fetches)", before, after)
	}
}

func TestMediaThroughGuard(t *testing.T) {
	// A center whose operator allowed no private address: the attachment on
	// loopback is refused by the guard, and the message is kept without it.
	f := newFixture(t, storetest.OpenSQLite)
	strict := newStrictChannel(t, f)
	ev := map[string]any{"sender": map[string]string{"id": ana}, "recipient": map[string]string{"id": f.a.id},
		"timestamp": f.clock.Now().UnixMilli(), "message": map[string]any{"mid": "m_ssrf", "text": "look",
			"attachments": []any{map[string]any{"type": "image", "payload": map[string]string{"url": f.graph.url("photo.jpg")}}}}}
	strict.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev))
	m := f.message(t, f.a.tenantID, "messenger", "m_ssrf")
	if len(m.Attachments) != 0 || len(f.graph.fetches()) != 0 {
		t.Fatalf("the guard let a loopback attachment through: %+v, fetches %v", m.Attachments, f.graph.fetches())
	}
}

func TestInstagramStories(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			const rui = "1784140530921184"
			now := f.clock.Now().UnixMilli()
			mention := map[string]any{"sender": map[string]string{"id": rui}, "recipient": map[string]string{"id": f.ins.id},
				"timestamp": now, "message": map[string]any{"mid": "aWdfZAG1mention", "attachments": []any{
					map[string]any{"type": "story_mention", "payload": map[string]string{"url": f.graph.url("story.mp4")}}}}}
			reply := map[string]any{"sender": map[string]string{"id": rui}, "recipient": map[string]string{"id": f.ins.id},
				"timestamp": now + 1000, "message": map[string]any{"mid": "aWdfZAG1reply", "text": "Love this!",
					"reply_to": map[string]any{"story": map[string]string{"id": "17920112008063024", "url": f.graph.url("story.mp4")}}}}
			f.deliver(t, "instagram", f.ins, envelope("instagram", f.ins.id, mention, reply))

			m := f.message(t, f.ins.tenantID, "instagram", "aWdfZAG1mention")
			if !strings.Contains(m.Body, "Mentioned you in their story") || len(m.Attachments) != 0 {
				t.Fatalf("mention stored as %q with %d files", m.Body, len(m.Attachments))
			}
			if sm, _ := metaOf(t, m)["story_mention"].(map[string]any); sm["url"] != f.graph.url("story.mp4") {
				t.Fatalf("mention meta %v, want the story's URL", metaOf(t, m))
			}
			r := f.message(t, f.ins.tenantID, "instagram", "aWdfZAG1reply")
			if !strings.Contains(r.Body, "Replied to your story") || !strings.Contains(r.Body, "Love this!") {
				t.Fatalf("story reply stored as %q", r.Body)
			}
			if sr, _ := metaOf(t, r)["story_reply"].(map[string]any); sr["id"] != "17920112008063024" {
				t.Fatalf("story reply meta %v", metaOf(t, r))
			}
			// Meta forbids keeping a story's media: it was never downloaded.
			if got := f.graph.fetches(); len(got) != 0 {
				t.Fatalf("the story's media was fetched: %v", got)
			}
			c, _ := f.svc.Conversation(context.Background(), f.ins.tenantID, r.ConversationID)
			p, _ := f.svc.Persona(context.Background(), f.ins.tenantID, c.PersonaID)
			if p.Name != "Rui Costa" || p.Identifiers[0].Kind != persona.KindIGSID || c.ID != m.ConversationID {
				t.Fatalf("persona %+v in %s, want Rui Costa by IGSID in one conversation", p, c.ID)
			}
		})
	}
}

func TestRefusedWebhooks(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	for _, tc := range []struct {
		name, ch string
		body     string
		status   int
	}{
		{"not JSON", "messenger", "{", 400},
		{"an Instagram batch on the Messenger route", "messenger", string(envelope("instagram", f.a.id)), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, out := f.post(t, tc.ch, f.a, []byte(tc.body), f.a.secret); status != tc.status {
				t.Fatalf("answered %d %s, want %d", status, out, tc.status)
			}
		})
	}
	// An event Meta sent wrong (a sender that is no PSID) is skipped; the
	// rest of the batch is stored and Meta is told it was received.
	f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent("ana@example.com", f.a.id, "m_bad", "hi", f.clock.Now()),
		textEvent(ana, f.a.id, "m_good", "hi", f.clock.Now())))
	if _, err := f.db.MessageByExternalID(context.Background(), f.a.tenantID, "messenger", "m_bad"); err == nil {
		t.Fatal("an event with a bad sender was stored")
	}
	f.message(t, f.a.tenantID, "messenger", "m_good")

	// An entry for another tenant's Page in a batch signed with this app's
	// secret is skipped: that Page's app did not sign it.
	body := envelope("page", f.b.id, textEvent(ana, f.b.id, "m_foreign", "hi", f.clock.Now()))
	f.deliver(t, "messenger", f.a, body)
	if _, err := f.db.MessageByExternalID(context.Background(), f.b.tenantID, "messenger", "m_foreign"); err == nil {
		t.Fatal("an entry for another app's Page was stored")
	}
}

func TestEchoes(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in1", "hello", f.clock.Now())))
			in := f.message(t, f.a.tenantID, "messenger", "m_in1")

			// An agent answers: the send's echo (our metadata, our app) is not
			// stored a second time.
			out := reply(t, f, f.a.tenantID, in.ConversationID, "Hi Ana, how can we help?")
			f.waitJob(t)
			sent := f.message(t, f.a.tenantID, "messenger", f.graph.requests()[0].MID)
			if sent.ID != out.ID {
				t.Fatalf("the send recorded %s, want %s", sent.ID, out.ID)
			}
			echo := func(mid, app, metadata, text string) map[string]any {
				msg := map[string]any{"is_echo": true, "app_id": app, "mid": mid, "text": text}
				if metadata != "" {
					msg["metadata"] = metadata
				}
				return map[string]any{"sender": map[string]string{"id": f.a.id}, "recipient": map[string]string{"id": ana},
					"timestamp": f.clock.Now().UnixMilli(), "message": msg}
			}
			// The echo of our send, arriving before the send's answer was
			// recorded (a new mid), is known by its metadata.
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, echo("m_race", "", "switchboard:"+out.ID, "Hi Ana, how can we help?")))
			// and by our app id.
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, echo("m_race2", appID, "", "Hi Ana, how can we help?")))
			// A colleague answers from Meta Business Suite (the Page inbox's app).
			suite := echo("m_suite1", "263902037430900", "", "We also sent you a letter.")
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, suite))
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, suite)) // redelivered

			msgs, err := f.svc.Timeline(ctx, f.a.tenantID, in.ConversationID, storePage())
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, m := range msgs {
				bodies = append(bodies, string(m.Direction)+":"+m.AuthorType+":"+m.Body)
			}
			want := []string{"in:persona:hello", "out:user:Hi Ana, how can we help?", "out:business:We also sent you a letter."}
			if strings.Join(bodies, "|") != strings.Join(want, "|") {
				t.Fatalf("timeline %q, want %q", bodies, want)
			}
			if s := f.message(t, f.a.tenantID, "messenger", "m_suite1"); s.Status != conversation.DeliverySent || s.AuthorID != "263902037430900" {
				t.Fatalf("the Business Suite message is %+v", s)
			}
			// An echo to a customer the center never heard of starts a
			// conversation that waits on the customer.
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, map[string]any{
				"sender": map[string]string{"id": f.a.id}, "recipient": map[string]string{"id": "7000000000000001"},
				"timestamp": f.clock.Now().UnixMilli(), "message": map[string]any{"is_echo": true, "app_id": 263902037430900, "mid": "m_suite2", "text": "Your order shipped"}}))
			s2 := f.message(t, f.a.tenantID, "messenger", "m_suite2")
			if c, _ := f.svc.Conversation(ctx, f.a.tenantID, s2.ConversationID); c.Status != conversation.StatusPending {
				t.Fatalf("the echo's new conversation is %s, want pending", c.Status)
			}
		})
	}
}

// reply has an agent of tenantID answer in the conversation.
func reply(t *testing.T, f *fixture, tenantID, conversationID, body string, files ...string) conversation.Message {
	t.Helper()
	agent := storetest.NewUser(t, f.db, tenantID, "agent"+time.Now().Format("150405.000000000")+"@acme.example", tenant.RoleAgent)
	m, err := f.svc.Reply(context.Background(), inbox.Actor{TenantID: tenantID, UserID: agent.ID}, conversationID,
		inbox.ReplyInput{Body: body, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func storePage() store.Page { return store.Page{Limit: 100} }

// newStrictChannel is f's center as an operator who allowed no private
// address would run it: the same database and inbox, a guard without
// exceptions.
func newStrictChannel(t *testing.T, f *fixture) *fixture {
	t.Helper()
	g := *f
	mux := http.NewServeMux()
	g.center = httptest.NewServer(mux)
	t.Cleanup(g.center.Close)
	ch, err := messenger.New(messenger.Messenger, messenger.Deps{DB: f.db, Inbox: f.svc, Clock: f.clock, Log: f.log,
		Guard: netguard.New(netguard.Options{}), ServerKey: serverKey}, messenger.Config{GraphBase: f.graph.srv.URL, GraphVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	ch.Mount(mux)
	return &g
}

func TestCreateAccount(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.b.tenantID}
			const igID = "17841400000000001"
			f.graph.tokens["EAAnewIG"] = igID
			f.graph.accounts[igID] = map[string]string{"id": igID, "username": "acme.shop"}
			settings := func(token string) map[string]string {
				return map[string]string{messenger.SettingPageToken: token, messenger.SettingAppSecret: "s3cret-of-the-app",
					messenger.SettingVerifyToken: "a phrase of ours", messenger.SettingAppID: appID}
			}

			// A token Meta refuses for the account: the admin is told, nothing is stored.
			_, err := f.svc.CreateAccount(ctx, actor, channel.Account{Channel: "instagram", Address: igID, Settings: settings("EAAtokenB")})
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != "settings.page_access_token" {
				t.Fatalf("a token for another account: %v, want a field error on the token", err)
			}
			_, err = f.svc.CreateAccount(ctx, actor, channel.Account{Channel: "instagram", Address: igID,
				Settings: map[string]string{messenger.SettingPageToken: "EAAnewIG", messenger.SettingAppSecret: "x"}})
			if !errors.As(err, &fe) || fe.Field != "settings.verify_token" {
				t.Fatalf("no verify token: %v, want a field error on it", err)
			}
			for _, bad := range []string{"", "my-page", "@acme"} {
				_, err := f.svc.CreateAccount(ctx, actor, channel.Account{Channel: "messenger", Address: bad, Settings: settings("EAAtokenB")})
				if !errors.As(err, &fe) || fe.Field != "address" {
					t.Errorf("address %q: %v, want a field error on the address", bad, err)
				}
			}

			acc, err := f.svc.CreateAccount(ctx, actor, channel.Account{Channel: "instagram", Address: " " + igID + " ", Settings: settings("EAAnewIG")})
			if err != nil {
				t.Fatal(err)
			}
			if acc.Address != igID || acc.Name != "acme.shop" {
				t.Fatalf("created %+v, want the trimmed id, named after the account", acc)
			}
			stored, err := f.db.ChannelAccount(ctx, f.b.tenantID, acc.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{messenger.SettingPageToken, messenger.SettingAppSecret, messenger.SettingVerifyToken} {
				if v := stored.Settings[k]; !strings.HasPrefix(v, "sealed:") || strings.Contains(v, "s3cret") || strings.Contains(v, "EAAnewIG") {
					t.Errorf("%s is stored as %q, want it sealed", k, v)
				}
				if v := acc.Settings[k]; !strings.HasPrefix(v, "••••") {
					t.Errorf("the answer shows %s as %q, want it masked", k, v)
				}
			}
			// Sealed, they still work: the handshake, a signed webhook, a send.
			resp, err := http.Get(f.center.URL + "/channels/instagram/webhook/" + igID + "?" +
				url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"a phrase of ours"}, "hub.challenge": {"42"}}.Encode())
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("handshake with the sealed verify token: %v %v", resp, err)
			}
			resp.Body.Close()
			p := page{tenantID: f.b.tenantID, id: igID, secret: "s3cret-of-the-app"}
			f.deliver(t, "instagram", p, envelope("instagram", igID, textEvent("1784140530921184", igID, "aWdfZAG1new", "hi", f.clock.Now())))
			reply(t, f, f.b.tenantID, f.message(t, f.b.tenantID, "instagram", "aWdfZAG1new").ConversationID, "hello")
			if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("a send with the sealed token: job %s", ev.Kind)
			}
			// An edit that sends the masks back keeps the secrets; a new app secret is sealed too.
			edited, err := f.svc.UpdateAccount(ctx, actor, acc.ID, inbox.AccountChange{Settings: map[string]string{
				messenger.SettingPageToken: acc.Settings[messenger.SettingPageToken], messenger.SettingAppSecret: "the-new-secret"}})
			if err != nil {
				t.Fatal(err)
			}
			stored, _ = f.db.ChannelAccount(ctx, f.b.tenantID, acc.ID)
			if !strings.HasPrefix(stored.Settings[messenger.SettingAppSecret], "sealed:") || !strings.HasPrefix(edited.Settings[messenger.SettingAppSecret], "••••") {
				t.Fatalf("after the edit: stored %q, shown %q", stored.Settings[messenger.SettingAppSecret], edited.Settings[messenger.SettingAppSecret])
			}
			p.secret = "the-new-secret"
			f.deliver(t, "instagram", p, envelope("instagram", igID, textEvent("1784140530921184", igID, "aWdfZAG1new2", "again", f.clock.Now())))
			if logs := f.logs.String(); strings.Contains(logs, "s3cret-of-the-app") || strings.Contains(logs, "EAAnewIG") || strings.Contains(logs, "the-new-secret") {
				t.Fatal("the log holds the new account's secrets")
			}
		})
	}
}
