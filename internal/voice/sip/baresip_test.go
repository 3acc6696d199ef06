package sip_test

import (
	"context"
	"math"
	"strings"
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
			if f := media.freq(); math.Abs(f-440) > 30 {
				t.Fatalf("we heard %.0f Hz from baresip; want its 440 Hz sine", f)
			}
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

// TestDialBaresip: we call baresip (auto-answer) over UDP and TCP; the call
// is established, audio flows, and baresip's BYE ends it "remote hangup".
func TestDialBaresip(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			phone := baresiptest.Start(t, baresiptest.Options{SineHz: 600})
			srv := newServer(t, sip.Config{}, trunkTable(), make(calls))
			media := newRTPPeer(t)
			trunk := sip.Trunk{ID: "tr", TenantID: "ten", Numbers: []string{"+15550100"}, Provider: phone.Addr, Transport: transport}
			rang := false
			out, answer, err := srv.Dial(context.Background(), trunk, "baresip", media.sdp(), func() { rang = true })
			if err != nil {
				t.Fatalf("dial baresip: %v\n%s", err, phone.Log())
			}
			_ = rang // baresip in auto-answer mode may answer without a 180
			phone.WaitEvent("CALL_ESTABLISHED")
			if err := sip.CheckOffer(answer); err != nil {
				t.Fatalf("baresip's answer: %v", err)
			}
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			media.sendTone(ctx, t, answer, 1000)
			eventually(t, "baresip's sine reaches us", func() bool {
				n, rms, _ := media.stats()
				return n >= 50 && rms > 0.05
			})
			if f := media.freq(); math.Abs(f-600) > 30 {
				t.Fatalf("we heard %.0f Hz from baresip; want its 600 Hz sine", f)
			}
			time.Sleep(time.Second) // a second of our tone for baresip's recording
			if err := phone.Hangup(); err != nil {
				t.Fatal(err)
			}
			if r := waitEnded(t, out.Ended()); r != sip.ReasonRemoteHangup {
				t.Fatalf("ended %q, want %q", r, sip.ReasonRemoteHangup)
			}
			stop()
			st := baresiptest.Stats(t, phone.Recording())
			if st.RMS < 0.05 || math.Abs(st.Freq-1000) > 50 {
				t.Fatalf("baresip heard rms %.3f at %.0f Hz; want our 1000 Hz tone", st.RMS, st.Freq)
			}
		})
	}
}

// TestBaresipCallEndings: the other ways an inbound call ends — the caller
// cancels while it rings, the handler rejects it, nobody answers, and the
// far end dies without a BYE.
func TestBaresipCallEndings(t *testing.T) {
	trunk := sip.Trunk{ID: "tr", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
	t.Run("cancel", func(t *testing.T) {
		phone := baresiptest.Start(t, baresiptest.Options{})
		in := make(calls, 1)
		srv := newServer(t, sip.Config{}, trunkTable(trunk), in)
		if err := phone.Dial("sip:+15550100@" + srv.UDPAddr()); err != nil {
			t.Fatal(err)
		}
		c := in.next(t)
		if err := c.Ringing(); err != nil {
			t.Fatal(err)
		}
		phone.WaitEvent("CALL_RINGING")
		if err := phone.Hangup(); err != nil {
			t.Fatal(err)
		}
		if r := waitEnded(t, c.Ended()); r != sip.ReasonCanceled {
			t.Fatalf("ended %q, want %q", r, sip.ReasonCanceled)
		}
		if err := c.Answer("v=0\r\n"); err == nil {
			t.Fatal("answered a cancelled call")
		}
	})
	t.Run("reject", func(t *testing.T) {
		phone := baresiptest.Start(t, baresiptest.Options{})
		in := make(calls, 1)
		srv := newServer(t, sip.Config{}, trunkTable(trunk), in)
		if err := phone.Dial("sip:+15550100@" + srv.UDPAddr()); err != nil {
			t.Fatal(err)
		}
		c := in.next(t)
		if err := c.Reject(486, "Busy Here"); err != nil {
			t.Fatal(err)
		}
		e := phone.WaitEvent("CALL_CLOSED")
		if !strings.Contains(e.Param, "486") {
			t.Fatalf("baresip closed the call with %q, want 486", e.Param)
		}
		if r := waitEnded(t, c.Ended()); r != "rejected: 486 Busy Here" {
			t.Fatalf("ended %q", r)
		}
	})
	t.Run("no answer", func(t *testing.T) {
		phone := baresiptest.Start(t, baresiptest.Options{})
		in := make(calls, 1)
		srv := newServer(t, sip.Config{RingTimeout: time.Second}, trunkTable(trunk), in)
		if err := phone.Dial("sip:+15550100@" + srv.UDPAddr()); err != nil {
			t.Fatal(err)
		}
		c := in.next(t)
		if r := waitEnded(t, c.Ended()); r != sip.ReasonNoAnswer {
			t.Fatalf("ended %q, want %q", r, sip.ReasonNoAnswer)
		}
		e := phone.WaitEvent("CALL_CLOSED")
		if !strings.Contains(e.Param, "480") {
			t.Fatalf("baresip closed the call with %q, want 480", e.Param)
		}
	})
	t.Run("far end dies", func(t *testing.T) {
		phone := baresiptest.Start(t, baresiptest.Options{})
		in := make(calls, 1)
		srv := newServer(t, sip.Config{KeepAlive: time.Second}, trunkTable(trunk), in)
		media := newRTPPeer(t)
		if err := phone.Dial("sip:+15550100@" + srv.UDPAddr()); err != nil {
			t.Fatal(err)
		}
		c := in.next(t)
		if err := c.Answer(media.sdp()); err != nil {
			t.Fatal(err)
		}
		phone.WaitEvent("CALL_ESTABLISHED")
		phone.Kill()
		if r := waitEnded(t, c.Ended()); r != sip.ReasonSessionLost {
			t.Fatalf("ended %q, want %q", r, sip.ReasonSessionLost)
		}
	})
}

// TestDialedFarEndDies: a call we placed ends "session lost" when baresip
// dies without a BYE, and Close ends the calls still up "server closed".
func TestDialedFarEndDies(t *testing.T) {
	phone := baresiptest.Start(t, baresiptest.Options{})
	srv := newServer(t, sip.Config{KeepAlive: time.Second}, trunkTable(), make(calls))
	trunk := sip.Trunk{ID: "tr", Provider: phone.Addr}
	out, _, err := srv.Dial(context.Background(), trunk, "baresip", newRTPPeer(t).sdp(), nil)
	if err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_ESTABLISHED")
	phone.Kill()
	if r := waitEnded(t, out.Ended()); r != sip.ReasonSessionLost {
		t.Fatalf("ended %q, want %q", r, sip.ReasonSessionLost)
	}

	other := baresiptest.Start(t, baresiptest.Options{})
	trunk.Provider = other.Addr
	out, _, err = srv.Dial(context.Background(), trunk, "baresip", newRTPPeer(t).sdp(), nil)
	if err != nil {
		t.Fatal(err)
	}
	other.WaitEvent("CALL_ESTABLISHED")
	srv.Close()
	if r := waitEnded(t, out.Ended()); r != sip.ReasonShutdown {
		t.Fatalf("ended %q, want %q", r, sip.ReasonShutdown)
	}
	other.WaitEvent("CALL_CLOSED")
}

// TestBaresipDigest: a trunk without AcceptFrom challenges baresip's
// INVITE; baresip answers with the trunk's credentials (an independent
// digest implementation) and gets through; with a wrong password it does not.
func TestBaresipDigest(t *testing.T) {
	trunk := sip.Trunk{ID: "tr", Numbers: []string{"+15550100"}, Username: "trunkuser", Password: "trunkpass"}
	for _, tc := range []struct {
		pass string
		ok   bool
	}{{"trunkpass", true}, {"wrong", false}} {
		t.Run(tc.pass, func(t *testing.T) {
			phone := baresiptest.Start(t, baresiptest.Options{AuthUser: "trunkuser", AuthPass: tc.pass})
			in := make(calls, 1)
			srv := newServer(t, sip.Config{}, trunkTable(trunk), in)
			if err := phone.Dial("sip:+15550100@" + srv.UDPAddr()); err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				e := phone.WaitEvent("CALL_CLOSED")
				if !strings.Contains(e.Param, "401") && !strings.Contains(e.Param, "Unauthorized") && !strings.Contains(e.Param, "authenticat") {
					t.Fatalf("baresip closed the call with %q, want 401", e.Param)
				}
				select {
				case c := <-in:
					t.Fatalf("a call with a wrong password reached the handler: %+v", c)
				default:
				}
				return
			}
			c := in.next(t)
			if err := c.Answer(newRTPPeer(t).sdp()); err != nil {
				t.Fatal(err)
			}
			phone.WaitEvent("CALL_ESTABLISHED")
			if err := c.Hangup(); err != nil {
				t.Fatal(err)
			}
			phone.WaitEvent("CALL_CLOSED")
		})
	}
}
