package speech_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// newEspeak is the real engine; the tests fail, never skip, without it.
func newEspeak(t *testing.T) *speech.Espeak {
	t.Helper()
	e, err := speech.NewEspeak(speech.EspeakConfig{})
	if err != nil {
		t.Fatalf("%v — apt-get install espeak-ng (make test-deps does)", err)
	}
	return e
}

// rms is the root mean square of p, in full-scale units (0..1).
func rms(p []int16) float64 {
	var s float64
	for _, v := range p {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s/float64(max(len(p), 1))) / math.MaxInt16
}

// frameRMS is the RMS of each 20 ms frame.
func frameRMS(p speech.PCM) []float64 {
	var out []float64
	for i := 0; i+speech.FrameSamples <= len(p); i += speech.FrameSamples {
		out = append(out, rms(p[i:i+speech.FrameSamples]))
	}
	return out
}

func TestEspeakSpeaksEachLanguage(t *testing.T) {
	e := newEspeak(t)
	texts := map[string]string{
		"en": "Press one for cards, two for loans, or stay on the line for an agent.",
		"de": "Drücken Sie die Eins für Karten, die Zwei für Kredite, oder bleiben Sie dran.",
		"fr": "Appuyez sur un pour les cartes, deux pour les prêts, ou restez en ligne.",
		"es": "Pulse uno para tarjetas, dos para préstamos, o espere en línea.",
	}
	for _, lang := range speech.Languages {
		t.Run(lang, func(t *testing.T) {
			pcm, err := e.Speak(context.Background(), texts[lang], lang)
			if err != nil {
				t.Fatal(err)
			}
			// About 13 words at 150 a minute: 5 s; allow a wide margin.
			if d := pcm.Duration(); d < 2*time.Second || d > 12*time.Second {
				t.Fatalf("%d samples = %v of speech for %d words; want 2-12 s", len(pcm), d, len(strings.Fields(texts[lang])))
			}
			if r := rms(pcm); r < 0.02 {
				t.Fatalf("RMS %.4f of full scale: silent", r)
			}
			// Speech comes in syllables and pauses: some frames are loud,
			// some nearly quiet — unlike a tone or noise.
			frames := frameRMS(pcm)
			peak := 0.0
			for _, f := range frames {
				peak = max(peak, f)
			}
			loud, quiet := 0, 0
			for _, f := range frames {
				switch {
				case f > peak/4:
					loud++
				case f < peak/20:
					quiet++
				}
			}
			if loud < len(frames)/5 || quiet < len(frames)/20 {
				t.Fatalf("of %d frames %d loud, %d quiet: not speech-like", len(frames), loud, quiet)
			}
		})
	}
}

func TestEspeakRefuses(t *testing.T) {
	e := newEspeak(t)
	for _, tc := range []struct {
		text, lang string
		want       error
		says       string
	}{
		{"hello", "xx", speech.ErrLanguage, "en, es"},
		{"hello", "", speech.ErrLanguage, "use one of"},
		{"   ", "en", speech.ErrText, "empty"},
		{strings.Repeat("a", speech.MaxText+1), "en", speech.ErrText, "at most"},
	} {
		_, err := e.Speak(context.Background(), tc.text, tc.lang)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Speak(%.10q, %q) = %v; want %v saying %q", tc.text, tc.lang, err, tc.want, tc.says)
		}
	}
	// A region is reduced to the language.
	if _, err := e.Speak(context.Background(), "hello", "en-GB"); err != nil {
		t.Errorf("en-GB: %v", err)
	}
	// Text that looks like an option is spoken, not obeyed.
	if pcm, err := e.Speak(context.Background(), "--version", "en"); err != nil || rms(pcm) < 0.01 {
		t.Errorf("--version: %v, rms %.3f", err, rms(pcm))
	}
}

func TestEspeakMissingNamesThePackage(t *testing.T) {
	_, err := speech.NewEspeak(speech.EspeakConfig{Path: "espeak-ng-not-installed"})
	if err == nil || !strings.Contains(err.Error(), "apt-get install espeak-ng") {
		t.Fatalf("err = %v; want it to name the package", err)
	}
}

func TestEspeakHonoursCancellation(t *testing.T) {
	e := newEspeak(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Speak(ctx, "hello", "en"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
}

func TestCache(t *testing.T) {
	e := newEspeak(t)
	c := speech.NewCache(e, 0)
	ctx := context.Background()
	a, err := c.Speak(ctx, "Your call is important to us.", "en")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Speak(ctx, "Your call is important to us.", "en")
	if err != nil {
		t.Fatal(err)
	}
	if &a[0] != &b[0] {
		t.Error("second Speak rendered again")
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 1 || s.Entries != 1 || s.Samples != len(a) {
		t.Errorf("stats %+v; want 1 hit, 1 miss, 1 entry of %d samples", s, len(a))
	}
	// Another language is another voice: another entry.
	if _, err := c.Speak(ctx, "Your call is important to us.", "de"); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Misses != 2 || s.Entries != 2 {
		t.Errorf("stats %+v; want 2 misses, 2 entries", s)
	}
	if _, err := c.Speak(ctx, "hello", "xx"); !errors.Is(err, speech.ErrLanguage) {
		t.Errorf("bad language through the cache: %v", err)
	}
	if s := c.Stats(); s.Misses != 2 {
		t.Errorf("a refused language counted as a render: %+v", s)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	e := newEspeak(t)
	ctx := context.Background()
	one, err := e.Speak(ctx, "one", "en")
	if err != nil {
		t.Fatal(err)
	}
	c := speech.NewCache(e, len(one)*5/2) // room for two short words
	for _, w := range []string{"one", "two", "one", "three"} {
		if _, err := c.Speak(ctx, w, "en"); err != nil {
			t.Fatal(err)
		}
	}
	s := c.Stats()
	if s.Samples > len(one)*5/2 {
		t.Fatalf("kept %d samples over the bound %d", s.Samples, len(one)*5/2)
	}
	// "one" was used after "two": it survived, "two" did not.
	if _, err := c.Speak(ctx, "one", "en"); err != nil {
		t.Fatal(err)
	}
	if c.Stats().Hits != s.Hits+1 {
		t.Errorf("recently used prompt was evicted: %+v then %+v", s, c.Stats())
	}
	if _, err := c.Speak(ctx, "two", "en"); err != nil {
		t.Fatal(err)
	}
	if c.Stats().Misses != s.Misses+1 {
		t.Errorf("least recently used prompt was kept: %+v then %+v", s, c.Stats())
	}
}

func TestCacheRendersConcurrentRequestsOnce(t *testing.T) {
	c := speech.NewCache(newEspeak(t), 0)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := c.Speak(context.Background(), "Please hold.", "fr"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if s := c.Stats(); s.Misses != 1 || s.Hits+s.Misses > 6 {
		t.Errorf("stats %+v; want one render", s)
	}
}

// With one slot, concurrent prompts still all render (one after another).
func TestEspeakParallelLimit(t *testing.T) {
	e, err := speech.NewEspeak(speech.EspeakConfig{Parallel: 1})
	if err != nil {
		t.Fatalf("%v — apt-get install espeak-ng (make test-deps does)", err)
	}
	var wg sync.WaitGroup
	for _, lang := range speech.Languages {
		wg.Go(func() {
			if pcm, err := e.Speak(context.Background(), "un dos tres", lang); err != nil || len(pcm) == 0 {
				t.Errorf("%s: %v", lang, err)
			}
		})
	}
	wg.Wait()
	// A caller that gives up while waiting for the slot is told so.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Speak(ctx, "hello", "en"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
