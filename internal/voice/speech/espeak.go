package speech

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// EspeakConfig configures the espeak-ng engine. The zero value is usable.
type EspeakConfig struct {
	// Path is the espeak-ng program; empty looks "espeak-ng" up on PATH.
	Path string
	// WordsPerMinute is the speaking rate; 0 is 150, a little slower than
	// espeak-ng's 175, which is hard to follow on a phone line.
	WordsPerMinute int
	// Voices maps a language to an espeak-ng voice; nil uses DefaultVoices.
	Voices map[string]string
	// Parallel is how many espeak-ng processes may run at once (0 is the
	// number of CPUs): a burst of spoken notices queues rather than
	// starving the media server of CPU.
	Parallel int
}

// DefaultVoices are the espeak-ng voices for the supported languages.
var DefaultVoices = map[string]string{"en": "en", "de": "de", "fr": "fr", "es": "es"}

// Espeak speaks with espeak-ng (Debian package espeak-ng), one process per
// prompt: the text goes in on stdin (never as an argument, so text cannot
// become an option), a WAV comes out on stdout and is resampled to 8 kHz.
type Espeak struct {
	path   string
	wpm    int
	voices map[string]string
	slots  chan struct{}
}

// NewEspeak finds espeak-ng. Without it, it fails with an error that names
// the package to install.
func NewEspeak(cfg EspeakConfig) (*Espeak, error) {
	name := cfg.Path
	if name == "" {
		name = "espeak-ng"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("speech: espeak-ng not found (%w): install the Debian package espeak-ng (apt-get install espeak-ng)", err)
	}
	e := &Espeak{path: path, wpm: cfg.WordsPerMinute, voices: cfg.Voices}
	if e.wpm == 0 {
		e.wpm = 150
	}
	if e.wpm < 80 || e.wpm > 450 {
		return nil, fmt.Errorf("speech: words per minute %d out of range 80-450", cfg.WordsPerMinute)
	}
	if e.voices == nil {
		e.voices = DefaultVoices
	}
	n := cfg.Parallel
	if n <= 0 {
		n = runtime.NumCPU()
	}
	e.slots = make(chan struct{}, n)
	return e, nil
}

// Name is "espeak-ng".
func (e *Espeak) Name() string { return "espeak-ng" }

// Voice is the espeak-ng voice for lang.
func (e *Espeak) Voice(lang string) (string, error) {
	v, ok := e.voices[BaseLanguage(lang)]
	if !ok {
		return "", languageError(lang, slices.Collect(maps.Keys(e.voices)))
	}
	return fmt.Sprintf("%s@%dwpm", v, e.wpm), nil
}

// Speak renders text in lang as 8 kHz PCM.
func (e *Espeak) Speak(ctx context.Context, text, lang string) (PCM, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	voice, ok := e.voices[BaseLanguage(lang)]
	if !ok {
		return nil, languageError(lang, slices.Collect(maps.Keys(e.voices)))
	}
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("espeak-ng: waiting for a free slot: %w", ctx.Err())
	}
	cmd := exec.CommandContext(ctx, e.path, "--stdout", "--stdin", "-v", voice, "-s", strconv.Itoa(e.wpm))
	cmd.Stdin = strings.NewReader(text)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("espeak-ng: %w", ctx.Err())
		}
		return nil, fmt.Errorf("espeak-ng -v %s: %w: %s", voice, err, strings.TrimSpace(stderr.String()))
	}
	samples, rate, err := decodeWAV(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("espeak-ng output: %w", err)
	}
	if len(samples) == 0 {
		return nil, errors.New("espeak-ng produced no audio")
	}
	return Resample(samples, rate, Rate), nil
}
