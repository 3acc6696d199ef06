package ivr_test

import (
	"context"
	"io"
	"math"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// The audio path: prompts rendered by espeak-ng, played frame by frame to a
// simulated caller whose keys come back as in-band DTMF tones mixed with
// the echo of the prompt, found by the Goertzel detector and fed to the
// machine. Time is the frames' time: 20 ms a frame.

// caller is what the far end does: press keys, talk, or stay silent.
type caller struct {
	// keys[i] is pressed 800 ms after the i-th time the line fell quiet
	// (a prompt ended); bargeIn presses it that long into the first prompt
	// instead.
	keys    string
	bargeIn time.Duration
	// voice is said once recording has started (voicemail).
	voice speech.PCM
}

type call struct {
	t       *testing.T
	d       ivr.Dialogue
	sp      speech.Speaker
	now     time.Time
	step    ivr.Step
	playing speech.AudioSource
	sent    speech.PCM // everything played to the caller
	det     speech.DTMFDetector
	keys    []rune
	rec     bool
	recAt   time.Time
	end     *ivr.End
}

func (c *call) apply(s ivr.Step) {
	c.t.Helper()
	c.step = s
	if s.Interrupt {
		c.playing = nil
	}
	if len(s.Play) > 0 {
		pcm, err := ivr.Render(context.Background(), c.sp, s.Play)
		if err != nil {
			c.t.Fatal(err)
		}
		if c.playing != nil {
			c.playing = speech.Then(c.playing, pcm.Source())
		} else {
			c.playing = pcm.Source()
		}
	}
	if s.Record {
		c.rec, c.recAt = true, c.now
	}
	if s.End != nil {
		c.end = s.End
		c.rec = false
	}
}

func frameRMS(f []int16) float64 {
	var s float64
	for _, v := range f {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s/float64(len(f))) / math.MaxInt16
}

// dial runs a call to its end (and the end of its last words) and returns
// how it ended.
func dial(t *testing.T, d ivr.Dialogue, sp speech.Speaker, who caller) (*ivr.End, *call) {
	t.Helper()
	c := &call{t: t, d: d, sp: sp, now: t0}
	c.apply(d.Start(c.now))
	var in speech.PCM // the caller's side, scheduled ahead
	quiets, started := 0, t0
	pending := []rune(who.keys)
	press := func(at int) {
		tone := append(speech.DTMF(pending[0], 800), speech.Silence(800)...) // 100 ms on, 100 ms off
		pending = pending[1:]
		for len(in) < at+len(tone) {
			in = append(in, 0)
		}
		for i, v := range tone {
			in[at+i] += v
		}
	}
	out := make([]int16, speech.FrameSamples)
	for frame := 0; ; frame++ {
		if frame > 10*60*50 {
			t.Fatal("call still going after 10 minutes")
		}
		pos := frame * speech.FrameSamples
		c.now = t0.Add(time.Duration(frame) * 20 * time.Millisecond)
		// Out: the prompt.
		clear(out)
		if c.playing != nil {
			if err := c.playing.ReadFrame(out); err == io.EOF {
				c.playing = nil
				if c.end != nil {
					return c.end, c
				}
				c.apply(d.PlayDone(c.now))
				quiets++
				if len(pending) > 0 && (who.bargeIn == 0 || quiets > 1) {
					press(pos + 800*8)
				}
			} else if err != nil {
				t.Fatal(err)
			}
		} else if c.end != nil {
			return c.end, c
		}
		c.sent = append(c.sent, out...)
		if who.bargeIn > 0 && len(pending) == len(who.keys) && c.now.Sub(started) >= who.bargeIn {
			press(pos)
		}
		if c.rec && len(who.voice) > 0 && c.now.Equal(c.recAt) {
			for len(in) < pos+len(who.voice) {
				in = append(in, 0)
			}
			copy(in[pos:], who.voice)
		}
		// In: the caller's frame plus the prompt's echo at -12 dB.
		frameIn := make([]int16, speech.FrameSamples)
		for i := range frameIn {
			v := int(out[i]) / 4
			if pos+i < len(in) {
				v += int(in[pos+i])
			}
			frameIn[i] = int16(max(-32768, min(32767, v)))
		}
		if c.rec {
			c.apply(d.(*ivr.Voicemail).Audio(c.now, frameRMS(frameIn)))
		}
		if k, ok := c.det.Feed(frameIn); ok && c.end == nil {
			c.keys = append(c.keys, k)
			c.apply(d.Digit(c.now, k))
		}
		if c.end == nil && !c.step.Until.IsZero() && !c.now.Before(c.step.Until) {
			c.apply(d.Tick(c.now))
		}
	}
}

func TestMenuOverAudio(t *testing.T) {
	e, err := speech.NewEspeak(speech.EspeakConfig{})
	if err != nil {
		t.Fatalf("%v — apt-get install espeak-ng (make test-deps does)", err)
	}
	sp := speech.NewCache(e, 0)
	cfg, err := ivr.ParseMenu([]byte(bankMenu))
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		m, err := ivr.NewMenu(cfg, "en", true)
		if err != nil {
			t.Fatal(err)
		}
		end, c := dial(t, m, sp, caller{keys: "12"})
		if end.Reason != ivr.ReasonChosen || end.Action != (ivr.Action{Type: ivr.ActionQueue, Queue: "q_cards"}) || end.Digits != "12" {
			t.Fatalf("round %d: ended %+v; heard keys %q", round, end, string(c.keys))
		}
		// The caller heard a greeting, two menus and "please hold": speech
		// for several seconds, not silence.
		if d := c.sent.Duration(); d < 8*time.Second || frameRMS(c.sent) < 0.01 {
			t.Fatalf("round %d: played %v at RMS %.4f", round, d, frameRMS(c.sent))
		}
	}
	// The second caller's prompts came from the cache.
	if s := sp.Stats(); s.Hits < 3 || s.Misses != 4 {
		t.Errorf("cache %+v; want the second call's four prompts as hits", s)
	}
}

func TestNoticeOverAudio(t *testing.T) {
	e, err := speech.NewEspeak(speech.EspeakConfig{})
	if err != nil {
		t.Fatalf("%v — apt-get install espeak-ng (make test-deps does)", err)
	}
	for _, tc := range []struct {
		name   string
		lang   string
		who    caller
		reason string
		resp   string
		action string
	}{
		{"confirm after hearing it", "en", caller{keys: "1"}, ivr.ReasonChosen, "confirm", ivr.ActionHangup},
		{"talk, barging in", "de", caller{keys: "2", bargeIn: 2 * time.Second}, ivr.ReasonChosen, "talk", ivr.ActionQueue},
		{"wrong key then pound", "en", caller{keys: "7#"}, ivr.ReasonChosen, "refuse", ivr.ActionHangup},
		{"silence", "en", caller{}, ivr.ReasonNoInput, "", ivr.ActionHangup},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ivr.NewNoticeDialogue(payment(tc.lang))
			if err != nil {
				t.Fatal(err)
			}
			end, c := dial(t, d, e, tc.who)
			if end.Reason != tc.reason || end.Response != tc.resp || end.Action.Type != tc.action {
				t.Fatalf("ended %+v; heard keys %q", end, string(c.keys))
			}
			if tc.who.bargeIn > 0 && c.now.Sub(t0) > 10*time.Second {
				t.Errorf("barge-in did not cut the notice short: the call took %v", c.now.Sub(t0))
			}
			if tc.action == ivr.ActionQueue && end.Context[ivr.ContextDelivery] != "dlv_1" {
				t.Errorf("context %v", end.Context)
			}
		})
	}
}

func TestVoicemailOverAudio(t *testing.T) {
	e, err := speech.NewEspeak(speech.EspeakConfig{})
	if err != nil {
		t.Fatalf("%v — apt-get install espeak-ng (make test-deps does)", err)
	}
	msg, err := e.Speak(context.Background(), "Hello, this is Maria. Please call me back about my card. Thank you.", "en")
	if err != nil {
		t.Fatal(err)
	}
	vm, err := ivr.NewVoicemail(ivr.VoicemailConfig{Language: "en", Silence: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	end, _ := dial(t, vm, e, caller{voice: msg})
	if end.Reason != ivr.ReasonSilence || !end.Heard {
		t.Fatalf("ended %+v", end)
	}
	// Kept: the message and half a second, give or take a frame and the
	// quiet ends of the speech; recorded: that plus the silence.
	if d := end.Keep - msg.Duration() - 500*time.Millisecond; d < -600*time.Millisecond || d > 100*time.Millisecond {
		t.Errorf("kept %v of a %v message", end.Keep, msg.Duration())
	}
	if end.Recorded < end.Keep+2*time.Second {
		t.Errorf("recorded %v, kept %v", end.Recorded, end.Keep)
	}
}
