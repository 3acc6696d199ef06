package webpush_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/clock"
)

// vapidClaims are the claims of the token in a request's Authorization.
type vapidClaims struct {
	Aud string `json:"aud"`
	Exp int64  `json:"exp"`
	Sub string `json:"sub"`
}

func claimsOf(t *testing.T, authorization string) vapidClaims {
	t.Helper()
	params, _ := strings.CutPrefix(authorization, "vapid ")
	token, _, _ := strings.Cut(strings.TrimPrefix(params, "t="), ",")
	parts := strings.Split(token, ".")
	var c vapidClaims
	if len(parts) != 3 {
		t.Fatalf("no JWT in %q", authorization)
	}
	if err := decodePart(parts[1], &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestVAPIDTokenReused: a token is signed once per push service's origin and
// sent until an hour before it expires; then a new one is signed. Both push
// services verify every token (signature, audience, expiry, contact).
func TestVAPIDTokenReused(t *testing.T) {
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	subject := "mailto:ops@center.example"
	one, two := newPushService(t, pub, subject), newPushService(t, pub, subject)
	// The push services check exp against the wall clock, so the fake one
	// starts there.
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	// httptest's TLS servers share one certificate: one client trusts both.
	ch, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: subject, HTTP: one.srv.Client(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	_, atOne := one.subscribe(t, "zoe-laptop")
	_, alsoAtOne := one.subscribe(t, "zoe-phone")
	_, atTwo := two.subscribe(t, "zoe-tablet")
	send := func(ps *pushService, sub webpush.Subscription) string {
		t.Helper()
		if _, err := ch.Send(context.Background(), channel.Outbound{MessageID: "01JVAPID", To: sub.JSON(), Subject: "Hi", Body: "Hello"}); err != nil {
			t.Fatalf("send: %v (refused %v)", err, ps.refused)
		}
		return ps.got[len(ps.got)-1].header.Get("Authorization")
	}

	first := send(one, atOne)
	if c := claimsOf(t, first); c.Aud != one.srv.URL || c.Exp != clk.Now().Add(12*time.Hour).Unix() || c.Sub != subject {
		t.Errorf("claims %+v", c)
	}
	if !strings.HasSuffix(first, ", k="+pub) {
		t.Errorf("authorization %q does not end with the public key", first)
	}
	clk.Advance(10 * time.Hour)
	if again := send(one, alsoAtOne); again != first {
		t.Errorf("the same origin signed anew after 10 hours")
	}
	other := send(two, atTwo)
	if other == first || claimsOf(t, other).Aud != two.srv.URL {
		t.Errorf("another origin got %+v", claimsOf(t, other))
	}

	// Eleven hours after signing, an hour before its expiry, the token is
	// replaced; the new one lasts 12 hours from now.
	clk.Advance(time.Hour)
	renewed := send(one, atOne)
	if renewed == first {
		t.Fatal("the token was sent in its last hour")
	}
	if c := claimsOf(t, renewed); c.Aud != one.srv.URL || c.Exp != clk.Now().Add(12*time.Hour).Unix() {
		t.Errorf("renewed claims %+v", c)
	}
	if again := send(one, atOne); again != renewed {
		t.Error("the renewed token was not reused")
	}
	if len(one.refused)+len(two.refused) != 0 {
		t.Errorf("refused: %v %v", one.refused, two.refused)
	}
}

// TestSendConcurrent: senders share the channel and its tokens; every
// message arrives signed and readable. Run with -race.
func TestSendConcurrent(t *testing.T) {
	ch, ps := center(t)
	subs := make([]webpush.Subscription, 4)
	for i := range subs {
		_, subs[i] = ps.subscribe(t, fmt.Sprintf("browser-%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			out := channel.Outbound{MessageID: fmt.Sprintf("01JCONC.%d", i), To: subs[i%len(subs)].JSON(), Subject: "Hi", Body: "Hello"}
			if _, err := ch.Send(context.Background(), out); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(ps.got) != 64 || len(ps.refused) != 0 {
		t.Errorf("took %d of 64; refused %v", len(ps.got), ps.refused)
	}
}
