package webpush_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
)

// BenchmarkSend is one notification to one browser through a push service
// that takes every message without reading it, over TLS with keep-alive as
// a real push service: what remains is the channel's own cost per send
// (payload, encryption, VAPID, the request) and the server's read.
// Run with -cpu 1 to make ns/op the CPU of both sides.
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	public, private, err := webpush.GenerateKeys()
	if err != nil {
		b.Fatal(err)
	}
	ch, err := webpush.New(webpush.Config{PublicKey: public, PrivateKey: private, Subscriber: "mailto:ops@center.example", HTTP: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	out := channel.Outbound{MessageID: "01JBENCH.0", To: webpushtest.NewBrowser().Subscription(srv.URL + "/push/laptop").JSON(),
		Subject: "Your order A-1042 has shipped", Body: "It is on its way and arrives on Friday. Track it with the link.",
		Headers: map[string]string{webpush.LinkHeader: "https://center.example/n/0123456789abcdef0123456789abcdef"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ch.Send(ctx, out); err != nil {
			b.Fatal(err)
		}
	}
}
