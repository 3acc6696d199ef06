// Package speech is what a caller hears that is not another person: text
// spoken by a text-to-speech engine, hold music, ring-back and beeps, all as
// telephone audio — 8 kHz mono int16 PCM, read in 20 ms frames of 160
// samples, the form every audio leg of internal/voice/media uses.
//
// The default engine is espeak-ng from Debian (Espeak), run once per prompt;
// Cache keeps rendered prompts so a menu's fixed sentences are rendered once.
// Its output (22.05 kHz) is resampled to 8 kHz in Go rather than by a second
// process (sox): one process per prompt instead of a pipeline, no runtime
// dependency beyond espeak-ng, and a filter we can test.
package speech

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Rate is the sample rate of all audio here: telephone audio, 8 kHz.
const Rate = 8000

// FrameSamples is one 20 ms frame at Rate.
const FrameSamples = 160

// PCM is telephone audio: 8 kHz mono signed 16-bit samples. A PCM returned
// by a Speaker may be shared (Cache hands out the same slice); do not modify it.
type PCM []int16

// Duration is how long p plays.
func (p PCM) Duration() time.Duration {
	return time.Duration(len(p)) * time.Second / Rate
}

// Speaker turns text into telephone audio in a language ("en", "de", "fr",
// "es"; a region such as "en-GB" is reduced to its language).
type Speaker interface {
	Speak(ctx context.Context, text, lang string) (PCM, error)
}

// Engine is a Speaker that names itself and the voice it uses for a
// language, so that Cache can key rendered prompts by engine, voice and text.
type Engine interface {
	Speaker
	Name() string
	// Voice is the engine's voice for lang, or an error wrapping
	// ErrLanguage when the engine does not speak it.
	Voice(lang string) (string, error)
}

// Languages are the languages every engine here must speak.
var Languages = []string{"en", "de", "fr", "es"}

// ErrLanguage means the language is not one the engine speaks.
var ErrLanguage = errors.New("unsupported language")

// ErrText means the text cannot be spoken (empty, or too long).
var ErrText = errors.New("unspeakable text")

// MaxText is the longest text spoken in one prompt, in bytes: a notice's
// text fits; anything longer is a mistake and would hold the engine.
const MaxText = 4000

// BaseLanguage reduces a language tag to the two-letter language it names:
// "en-GB" and "en_gb" are "en".
func BaseLanguage(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}

// checkText refuses text that no engine should be asked to speak.
func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: empty", ErrText)
	}
	if len(text) > MaxText {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrText, len(text), MaxText)
	}
	return nil
}

// languageError says which language was asked for and which are spoken.
func languageError(lang string, spoken []string) error {
	s := slices.Clone(spoken)
	slices.Sort(s)
	return fmt.Errorf("%w %q: use one of %s", ErrLanguage, lang, strings.Join(s, ", "))
}
