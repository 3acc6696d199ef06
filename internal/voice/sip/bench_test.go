package sip_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// BenchmarkDialHangup measures call set-up and tear-down through a trunk:
// INVITE, 180, 200 with SDP, ACK, BYE, 200 — against the sipgo provider of
// the tests, over UDP on loopback, one call at a time.
func BenchmarkDialHangup(b *testing.B) {
	p := newProviderTB(b, "u", "p")
	answer := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	p.answerWith(b, false, 200, answer)
	srv, err := sip.New(sip.Config{ListenUDP: "127.0.0.1:0", Guard: loopbackGuard(b), Log: testLog(b)}, trunkTable(), handlerFunc(func(context.Context, *sip.Inbound) {}))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	trunk := sip.Trunk{ID: "tr", Provider: p.addr}
	offer := answer
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		out, _, err := srv.Dial(context.Background(), trunk, "+15550199", offer, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := out.Hangup(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if b.N > 1 {
		fmt.Printf("\nBENCH sip_dial_hangup_per_sec %.0f calls/s\n", float64(b.N)/time.Since(start).Seconds())
	}
}
