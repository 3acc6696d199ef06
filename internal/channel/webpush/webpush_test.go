package webpush_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// center is a channel with fresh VAPID keys and the push service its
// browsers subscribe at.
func center(t *testing.T) (*webpush.Channel, *pushService) {
	t.Helper()
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	ps := newPushService(t, pub, "mailto:ops@center.example")
	ch, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.example", HTTP: ps.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return ch, ps
}

type payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	ID    string `json:"id"`
}

func TestSend(t *testing.T) {
	ch, ps := center(t)
	_, sub := ps.subscribe(t, "zoe-laptop")
	ctx := context.Background()
	out := channel.Outbound{TenantID: "acme", MessageID: "01JDELIVERY.2", To: sub.JSON(), Subject: "Payment due",
		Body:    "Your payment of 40 € is due on Friday. <Pay now> & relax.",
		Headers: map[string]string{webpush.LinkHeader: "https://center.example/n/tok3n", webpush.UrgencyHeader: "high"}}

	sent, err := ch.Send(ctx, out)
	if err != nil {
		t.Fatalf("send: %v (push service refused: %v)", err, ps.refused)
	}
	if sent.Status != "sent" || sent.ExternalID != ps.srv.URL+"/message/1" {
		t.Errorf("sent %+v", sent)
	}
	if len(ps.got) != 1 {
		t.Fatalf("push service took %d messages; refused %v", len(ps.got), ps.refused)
	}
	var got payload
	if err := json.Unmarshal(ps.got[0].plaintext, &got); err != nil {
		t.Fatalf("payload %q: %v", ps.got[0].plaintext, err)
	}
	want := payload{Title: "Payment due", Body: out.Body, URL: "https://center.example/n/tok3n", ID: "01JDELIVERY.2"}
	if got != want {
		t.Errorf("payload %+v, want %+v", got, want)
	}
	h := ps.got[0].header
	if h.Get("TTL") != "86400" || h.Get("Urgency") != "high" || h.Get("Topic") == "" {
		t.Errorf("TTL %q, Urgency %q, Topic %q", h.Get("TTL"), h.Get("Urgency"), h.Get("Topic"))
	}
	if h.Get("Content-Encoding") != "aes128gcm" || h.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("Content-Encoding %q, Content-Type %q", h.Get("Content-Encoding"), h.Get("Content-Type"))
	}
	// Not padded: the body is the payload, its delimiter and the coding's
	// header and tag.
	if size := ps.got[0].size; size != len(ps.got[0].plaintext)+86+1+16 {
		t.Errorf("%d bytes on the wire for %d of payload", size, len(ps.got[0].plaintext))
	}

	// A retry carries the same Topic, so the push service replaces a copy it
	// still holds; another message has another.
	if _, err := ch.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	other := out
	other.MessageID, other.Headers = "01JDELIVERY.3", nil
	if _, err := ch.Send(ctx, other); err != nil {
		t.Fatal(err)
	}
	if len(ps.got) != 3 || ps.got[1].header.Get("Topic") != h.Get("Topic") || ps.got[2].header.Get("Topic") == h.Get("Topic") {
		t.Errorf("topics %q %q %q", h.Get("Topic"), ps.got[1].header.Get("Topic"), ps.got[2].header.Get("Topic"))
	}
	if ps.got[2].header.Get("Urgency") != "" {
		t.Errorf("urgency without asking: %q", ps.got[2].header.Get("Urgency"))
	}
	if len(ps.refused) != 0 {
		t.Errorf("refused: %v", ps.refused)
	}
}

// TestSendLongBody: a body too long for one record is cut at a word with
// "…", keeps what fits, and stays valid UTF-8 when cut amid multi-byte text.
func TestSendLongBody(t *testing.T) {
	ch, ps := center(t)
	_, sub := ps.subscribe(t, "zoe-phone")
	for i, body := range []string{
		strings.Repeat("Your statement is ready to view. ", 400),
		strings.Repeat("Übergrößenträger 🧾 ", 400),
		strings.Repeat("\"quoted\" \\ <tags>\n", 400), // JSON escapes make the encoded text longer than the raw
		strings.Repeat("x", 9000),                     // no word to cut at
	} {
		out := channel.Outbound{MessageID: "01JLONG", To: sub.JSON(), Subject: strings.Repeat("Monthly statement ", 30), Body: body,
			Headers: map[string]string{webpush.LinkHeader: "https://center.example/n/" + strings.Repeat("t", 200)}}
		if _, err := ch.Send(context.Background(), out); err != nil {
			t.Fatalf("body %d: %v (refused %v)", i, err, ps.refused)
		}
		r := ps.got[len(ps.got)-1]
		if len(r.plaintext) > webpush.MaxPayload || r.size > 4096 {
			t.Errorf("body %d: payload %d bytes, %d on the wire", i, len(r.plaintext), r.size)
		}
		var got payload
		if err := json.Unmarshal(r.plaintext, &got); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		cut, ok := strings.CutSuffix(got.Body, "…")
		if !ok || !strings.HasPrefix(body, cut) || !utf8.ValidString(got.Body) {
			t.Errorf("body %d not cut cleanly: …%q", i, got.Body[max(0, len(got.Body)-40):])
		}
		if len(r.plaintext) < webpush.MaxPayload*3/4 {
			t.Errorf("body %d: only %d of %d bytes used", i, len(r.plaintext), webpush.MaxPayload)
		}
		if utf8.RuneCountInString(got.Title) != 200 || !strings.HasSuffix(got.Title, "…") {
			t.Errorf("body %d: title of %d characters", i, utf8.RuneCountInString(got.Title))
		}
	}
}

func TestSendOutcomes(t *testing.T) {
	ch, ps := center(t)
	ctx := context.Background()
	send := func(sub webpush.Subscription) error {
		_, err := ch.Send(ctx, channel.Outbound{MessageID: "01JOUT", To: sub.JSON(), Subject: "Hi", Body: "Hello"})
		return err
	}
	b := newBrowser(t)
	for _, tc := range []struct {
		id        string
		permanent bool
	}{
		{"gone", true},
		{"unknown", true},
		{"busy", false},
		{"broken", false},
	} {
		err := send(b.subscription(ps.srv.URL + "/push/" + tc.id))
		if err == nil || errors.Is(err, channel.ErrPermanent) != tc.permanent {
			t.Errorf("%s: %v, want permanent=%v", tc.id, err, tc.permanent)
		}
		if err != nil && strings.Contains(err.Error(), "/push/") {
			t.Errorf("%s: the endpoint's secret path is in the error: %v", tc.id, err)
		}
	}

	// A push service that cannot be reached is retried, and the error does
	// not quote the endpoint's path either.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "https://" + ln.Addr().String() + "/push/secret-path"
	ln.Close()
	if err := send(b.subscription(down)); err == nil || errors.Is(err, channel.ErrPermanent) || strings.Contains(err.Error(), "secret-path") {
		t.Errorf("push service down: %v, want a retryable error without the path", err)
	}

	// Another center's key: the push service refuses it, and that is the
	// center's configuration to fix, so it is retried.
	pub, priv, _ := webpush.GenerateKeys()
	stranger, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.example", HTTP: ps.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, sub := ps.subscribe(t, "zoe-tablet")
	before := len(ps.refused)
	if _, err := stranger.Send(ctx, channel.Outbound{MessageID: "01JX", To: sub.JSON(), Body: "x"}); err == nil || errors.Is(err, channel.ErrPermanent) {
		t.Errorf("foreign VAPID key: %v, want a retryable error", err)
	}
	if len(ps.refused) != before+1 || !strings.HasPrefix(ps.refused[before], "vapid:") {
		t.Errorf("push service did not refuse the foreign key: %v", ps.refused)
	}

	// Subscriptions no message can be sent to fail at once, without a request.
	calls := ps.calls
	good := b.subscription(ps.srv.URL + "/push/x")
	for name, to := range map[string]string{
		"not JSON":          "zoe@example.com",
		"plain http":        b.subscription("http://push.example/x").JSON(),
		"no endpoint":       b.subscription("").JSON(),
		"key off the curve": webpush.Subscription{Endpoint: good.Endpoint, Keys: webpush.Keys{P256dh: "BAAA" + good.Keys.P256dh[4:], Auth: good.Keys.Auth}}.JSON(),
		"short auth":        webpush.Subscription{Endpoint: good.Endpoint, Keys: webpush.Keys{P256dh: good.Keys.P256dh, Auth: "AAAA"}}.JSON(),
	} {
		if _, err := ch.Send(ctx, channel.Outbound{MessageID: "01JBAD", To: to, Body: "x"}); !errors.Is(err, channel.ErrPermanent) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
	}
	if _, err := ch.Send(ctx, channel.Outbound{MessageID: "01JBAD", To: good.JSON(), Body: "x",
		Headers: map[string]string{webpush.LinkHeader: "javascript:alert(1)"}}); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("javascript: link: %v", err)
	}
	// Without a client of the caller's, the channel posts to public
	// addresses only: an endpoint on loopback (or a private network) fails for
	// good.
	guarded, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, endpoint := range []string{ps.srv.URL + "/push/x", "https://localhost:1/push/x", "https://[::1]:1/push/x", "https://10.0.0.5/push/x",
		"https://169.254.169.254/push/x", "https://[::ffff:192.168.1.1]/push/x", "https://127.1/push/x", "https://[64:ff9b::a00:1]/push/x"} {
		_, err := guarded.Send(ctx, channel.Outbound{MessageID: "01JPRIV", To: b.subscription(endpoint).JSON(), Body: "x"})
		if !errors.Is(err, channel.ErrPermanent) || !errors.Is(err, netguard.ErrRefused) || !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("%s: %v, want refused as not public", endpoint, err)
		}
	}
	if ps.calls != calls {
		t.Errorf("%d requests for unusable subscriptions", ps.calls-calls)
	}
}

func TestNew(t *testing.T) {
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(pub)
	if err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("public key %q is not an uncompressed P-256 point (%v)", pub, err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(priv); err != nil || len(raw) != 32 {
		t.Fatalf("private key is not 32 bytes (%v)", err)
	}
	otherPub, _, _ := webpush.GenerateKeys()
	for _, tc := range []struct {
		name string
		cfg  webpush.Config
		ok   bool
	}{
		{"mailto", webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.example"}, true},
		{"https contact", webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "https://center.example/contact"}, true},
		{"padded keys", webpush.Config{PublicKey: pub + "=", PrivateKey: priv + "=", Subscriber: "mailto:ops@center.example"}, true},
		{"keys of two pairs", webpush.Config{PublicKey: otherPub, PrivateKey: priv, Subscriber: "mailto:ops@center.example"}, false},
		{"no private key", webpush.Config{PublicKey: pub, Subscriber: "mailto:ops@center.example"}, false},
		{"bare address", webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "ops@center.example"}, false},
		{"no contact", webpush.Config{PublicKey: pub, PrivateKey: priv}, false},
	} {
		ch, err := webpush.New(tc.cfg)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err == nil && ch.PublicKey() != pub {
			t.Errorf("%s: public key %q", tc.name, ch.PublicKey())
		}
	}
}

// TestPayloadRoom: a long link leaves the body little room, and a link that
// leaves none is an error rather than a payload no push service takes.
func TestPayloadRoom(t *testing.T) {
	link := "https://center.example/n/" + strings.Repeat("t", 3800)
	out := channel.Outbound{MessageID: "01JROOM", Subject: "Statement", Body: strings.Repeat("Your statement is ready. ", 20),
		Headers: map[string]string{"link": link}} // the key is read in any case
	b, err := webpush.Payload(out)
	if err != nil {
		t.Fatal(err)
	}
	var got payload
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	cut, ok := strings.CutSuffix(got.Body, "…")
	if len(b) > webpush.MaxPayload || got.URL != link || !ok || len(cut) < 40 || !strings.HasPrefix(out.Body, cut+" ") {
		t.Errorf("%d bytes, body %q: not cut at a word", len(b), got.Body)
	}
	out.Headers["link"] = link + strings.Repeat("t", 200)
	if _, err := webpush.Payload(out); err == nil {
		t.Error("a payload with no room for the body was made")
	}
	// A short notice goes as it is, without a url when there is no link.
	b, err = webpush.Payload(channel.Outbound{MessageID: "01JSHORT", Subject: " Your\ncard ", Body: " shipped \n"})
	if err != nil || string(b) != `{"title":"Your card","body":"shipped","id":"01JSHORT"}` {
		t.Errorf("short payload %s %v", b, err)
	}
}
