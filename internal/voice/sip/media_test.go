package sip_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// tone is a 1 kHz AudioSource for a media room.
type tone struct{ n int }

func (s *tone) ReadFrame(frame []int16) error {
	for i := range frame {
		frame[i] = int16(12000 * math.Sin(2*math.Pi*1000*float64(s.n)/8000))
		s.n++
	}
	return nil
}

// TestBaresipWithMedia: baresip calls a trunk's number; the handler answers
// with the media package's phone leg (plain RTP) and plays a 1 kHz tone into
// it; baresip's recording carries the tone (sox), and baresip's DTMF "1"
// arrives as an Event on the leg.
func TestBaresipWithMedia(t *testing.T) {
	ms, err := media.New(media.Config{Bind: []string{"127.0.0.1"}, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	phone := baresiptest.Start(t, baresiptest.Options{})
	legs := make(chan *media.Phone, 1)
	h := handlerFunc(func(ctx context.Context, c *sip.Inbound) {
		leg, answer, err := ms.AnswerPhone(ctx, c.CallID, c.Offer)
		if errors.Is(err, media.ErrNoCommonCodec) {
			_ = c.Reject(488, "Not Acceptable Here")
			return
		}
		if err != nil {
			t.Errorf("answer phone: %v", err)
			_ = c.Reject(500, "Server Internal Error")
			return
		}
		room := ms.Room(c.CallID)
		room.Add(leg)
		room.Play(leg, &tone{})
		if err := c.Answer(answer); err != nil {
			t.Errorf("answer: %v", err)
		}
		legs <- leg
	})
	trunk := sip.Trunk{ID: "tr", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
	srv := newServer(t, sip.Config{}, trunkTable(trunk), h)
	if err := phone.Dial("sip:+15550100@" + srv.UDPAddr()); err != nil {
		t.Fatal(err)
	}
	var leg *media.Phone
	select {
	case leg = <-legs:
	case <-time.After(wait):
		t.Fatal("the call was not answered")
	}
	phone.WaitEvent("CALL_ESTABLISHED")
	time.Sleep(time.Second) // a second of tone for baresip's recording
	if err := phone.SendDTMF('1'); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(wait)
	for got := false; !got; {
		select {
		case ev := <-leg.Events():
			got = ev.Type == media.DTMF && ev.Digit == '1'
		case <-deadline:
			t.Fatal("DTMF 1 did not arrive on the media leg")
		}
	}
	if err := phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
	st := baresiptest.Stats(t, phone.Recording())
	if st.RMS < 0.05 || math.Abs(st.Freq-1000) > 50 {
		t.Fatalf("baresip heard rms %.3f at %.0f Hz; want the room's 1000 Hz tone", st.RMS, st.Freq)
	}
}

// TestDialBaresipWithMedia: the media package offers, we dial baresip with
// the offer, give the leg baresip's answer, and play a tone baresip records.
func TestDialBaresipWithMedia(t *testing.T) {
	ms, err := media.New(media.Config{Bind: []string{"127.0.0.1"}, Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	phone := baresiptest.Start(t, baresiptest.Options{})
	srv := newServer(t, sip.Config{}, trunkTable(), make(calls))
	leg, offer, err := ms.OfferPhone(context.Background(), "out1")
	if err != nil {
		t.Fatal(err)
	}
	out, answer, err := srv.Dial(context.Background(), sip.Trunk{ID: "tr", Provider: phone.Addr}, "baresip", offer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := leg.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	room := ms.Room("out1")
	room.Add(leg)
	room.Play(leg, &tone{})
	phone.WaitEvent("CALL_ESTABLISHED")
	time.Sleep(time.Second) // a second of tone for baresip's recording
	if err := out.Hangup(); err != nil {
		t.Fatal(err)
	}
	phone.WaitEvent("CALL_CLOSED")
	if r := waitEnded(t, out.Ended()); r != sip.ReasonHangup {
		t.Fatalf("ended %q", r)
	}
	st := baresiptest.Stats(t, phone.Recording())
	if st.RMS < 0.05 || math.Abs(st.Freq-1000) > 50 {
		t.Fatalf("baresip heard rms %.3f at %.0f Hz; want the room's 1000 Hz tone", st.RMS, st.Freq)
	}
}
