package ivr

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// pause is the gap between two sounds of a step, so that "Sorry, …" and
// the menu after it do not run together.
const pause = 300 // ms

// Render turns a step's sounds into telephone audio: text through sp (an
// engine, or a speech.Cache in front of one), tones generated. It is the
// edge between the machines, which only name what to say, and a room that
// plays it (media.Room.Play(leg, pcm.Source())); the machines never call it.
func Render(ctx context.Context, sp speech.Speaker, sounds []Sound) (speech.PCM, error) {
	var out speech.PCM
	for i, s := range sounds {
		if i > 0 {
			out = append(out, speech.Silence(pause*speech.Rate/1000)...)
		}
		switch {
		case s.Tone == ToneBeep:
			out = append(out, speech.Beep()...)
		case s.Tone != "":
			return nil, fmt.Errorf("ivr: unknown tone %q", s.Tone)
		default:
			pcm, err := sp.Speak(ctx, s.Text, s.Lang)
			if err != nil {
				return nil, fmt.Errorf("ivr: say %q: %w", s.Text, err)
			}
			out = append(out, pcm...)
		}
	}
	return out, nil
}
