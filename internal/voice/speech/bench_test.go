package speech_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// BenchmarkPrompt measures one menu prompt rendered by espeak-ng against the
// same prompt from the cache, in one run, and prints
// "BENCH speech_prompt_render_ms", "BENCH speech_prompt_cached_us" and their ratio.
func BenchmarkPrompt(b *testing.B) {
	e, err := speech.NewEspeak(speech.EspeakConfig{})
	if err != nil {
		b.Fatalf("%v — apt-get install espeak-ng (make test-deps does)", err)
	}
	const text = "Press one for cards, two for loans, or zero to speak to someone."
	ctx := context.Background()
	const renders = 10
	start := time.Now()
	var audio speech.PCM
	for range renders {
		if audio, err = e.Speak(ctx, text, "en"); err != nil {
			b.Fatal(err)
		}
	}
	render := time.Since(start) / renders
	c := speech.NewCache(e, 0)
	if _, err := c.Speak(ctx, text, "en"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Speak(ctx, text, "en"); err != nil {
			b.Fatal(err)
		}
	}
	cached := b.Elapsed() / time.Duration(b.N)
	fmt.Printf("BENCH speech_prompt_render_ms %.1f ms (%v of audio)\n", float64(render)/1e6, audio.Duration())
	fmt.Printf("BENCH speech_prompt_cached_us %.2f us\n", float64(cached)/1e3)
	fmt.Printf("BENCH speech_prompt_cache_speedup %.0f x\n", float64(render)/float64(cached))
}

// BenchmarkDTMFDetector measures the detector per 20 ms frame and prints
// "BENCH dtmf_detect_frame_us" and the calls one core could watch.
func BenchmarkDTMFDetector(b *testing.B) {
	audio := append(speech.DTMF('5', 800), speech.HoldMusic()[:8000]...)
	var d speech.DTMFDetector
	i := 0
	for b.Loop() {
		d.Feed(audio[i : i+speech.FrameSamples])
		i = (i + speech.FrameSamples) % (len(audio) - speech.FrameSamples)
	}
	per := b.Elapsed() / time.Duration(b.N)
	fmt.Printf("BENCH dtmf_detect_frame_us %.2f us\n", float64(per)/1e3)
	fmt.Printf("BENCH dtmf_calls_per_core %.0f calls\n", float64(20*time.Millisecond)/float64(per))
}
