package speech_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

func TestHoldLine(t *testing.T) {
	music := speech.HoldMusic()
	h := speech.NewHoldLine(music)
	ref := speech.Loop(music) // the music alone, to compare against
	got := make([]int16, speech.FrameSamples)
	want := make([]int16, speech.FrameSamples)
	readMusic := func(frames int) {
		t.Helper()
		for range frames {
			_ = h.ReadFrame(got)
			_ = ref.ReadFrame(want)
			if !slices.Equal(got, want) {
				t.Fatal("music out of step")
			}
		}
	}
	readMusic(10)
	say := speech.Beep() // 3200 samples: 20 frames
	h.Say(say[:3100])    // 19.4 frames: the last one padded
	h.Say(nil)           // nothing to say is not queued
	if h.Pending() != 1 {
		t.Fatalf("pending %d", h.Pending())
	}
	var spoken []int16
	for range 20 {
		_ = h.ReadFrame(got)
		spoken = append(spoken, got...)
	}
	if !slices.Equal(spoken[:3100], say[:3100]) || slices.ContainsFunc(spoken[3100:], func(v int16) bool { return v != 0 }) {
		t.Fatal("the announcement was not played whole, then silence to the frame's end")
	}
	if h.Pending() != 0 {
		t.Fatalf("pending %d after the announcement", h.Pending())
	}
	readMusic(10) // the music resumes where it paused
}

func TestHoldLineConcurrentSay(t *testing.T) {
	h := speech.NewHoldLine(speech.HoldMusic())
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 50 {
			h.Say(speech.Beep()[:400])
		}
	})
	frame := make([]int16, speech.FrameSamples)
	for range 500 {
		if err := h.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for h.Pending() > 0 {
		_ = h.ReadFrame(frame)
	}
}
