package sip_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// TestBaresipCallsUs: baresip calls a trunk's number over UDP, the handler
// rings and answers, audio flows both ways (baresip's recording has our
// 1 kHz tone; we hear its 440 Hz sine), baresip's DTMF "1" arrives as an
// RFC 4733 event, and our hangup closes the call at baresip.
func TestBaresipCallsUs(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			phone := baresiptest.Start(t, baresiptest.Options{})
			in := make(calls, 1)
			trunk := sip.Trunk{ID: "tr1", TenantID: "ten1", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
			srv := newServer(t, sip.Config{}, trunkTable(trunk), in)
			media := newRTPPeer(t)

			target := "sip:+15550100@" + srv.UDPAddr()
			if transport == "tcp" {
				target = "sip:+15550100@" + srv.TCPAddr() + ";transport=tcp"
			}
			if err := phone.Dial(target); err != nil {
				t.Fatal(err)
			}
			c := in.next(t)
			if c.To != "+15550100" || c.Trunk.ID != "tr1" || c.From != "baresip" {
				t.Fatalf("inbound call %+v", c)
			}
			if err := sip.CheckOffer(c.Offer); err != nil {
				t.Fatalf("baresip's offer: %v\n%s", err, c.Offer)
			}
			if err := c.Ringing(); err != nil {
				t.Fatal(err)
			}
			phone.WaitEvent("CALL_RINGING")
			if err := c.Answer(media.sdp()); err != nil {
				t.Fatal(err)
			}
			phone.WaitEvent("CALL_ESTABLISHED")

			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			media.sendTone(ctx, t, c.Offer, 1000)
			eventually(t, "baresip's sine reaches us", func() bool {
				n, rms, _ := media.stats()
				return n >= 50 && rms > 0.05
			})
			if err := phone.SendDTMF('1'); err != nil {
				t.Fatal(err)
			}
			eventually(t, "DTMF 1 reaches us as a telephone-event", func() bool {
				_, _, d := media.stats()
				return d[1] > 0
			})
			time.Sleep(time.Second) // let a second of our tone reach baresip's recording
			if err := c.Hangup(); err != nil {
				t.Fatal(err)
			}
			phone.WaitEvent("CALL_CLOSED")
			if r := waitEnded(t, c.Ended()); r != sip.ReasonHangup {
				t.Fatalf("ended %q, want %q", r, sip.ReasonHangup)
			}
			stop()
			st := baresiptest.Stats(t, phone.Recording())
			if st.RMS < 0.05 || math.Abs(st.Freq-1000) > 50 {
				t.Fatalf("baresip heard rms %.3f at %.0f Hz; want our 1000 Hz tone", st.RMS, st.Freq)
			}
		})
	}
}
