package ivr

import (
	"errors"
	"time"
)

// VoicemailConfig is how a number takes messages.
type VoicemailConfig struct {
	Language string
	// Greeting replaces the built-in "leave a message after the tone".
	Greeting string
	// MaxLength is the longest message (default 2 minutes, at most 10).
	MaxLength time.Duration
	// Silence ends the message after this long without speech (default 5s).
	Silence time.Duration
	// Threshold is the frame energy (RMS, 0..1 of full scale) above which a
	// frame counts as speech (default 0.01, about -40 dBFS: above a phone
	// line's hiss, below a quiet voice).
	Threshold float64
}

// speechTail is kept after the last speech, so a message does not end
// mid-breath.
const speechTail = 500 * time.Millisecond

// Voicemail takes one message: greeting, beep, then recording until the
// caller presses #, falls silent, hangs up, or the time runs out. # during
// the greeting skips to the beep. Feed it each frame's energy while it
// records (Audio).
type Voicemail struct {
	cfg   VoicemailConfig
	ph    phrases
	lang  string
	stage int // greeting, beep, recording

	started, lastVoice time.Time
	heard              bool
	waiting
}

const (
	vmGreeting = iota
	vmBeep
	vmRecording
)

// NewVoicemail prepares a voicemail.
func NewVoicemail(cfg VoicemailConfig) (*Voicemail, error) {
	ph, lang, err := book(cfg.Language)
	if err != nil {
		return nil, err
	}
	if cfg.MaxLength == 0 {
		cfg.MaxLength = 2 * time.Minute
	}
	if cfg.Silence == 0 {
		cfg.Silence = 5 * time.Second
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = 0.01
	}
	switch {
	case cfg.MaxLength < 5*time.Second || cfg.MaxLength > 10*time.Minute:
		return nil, errors.New("ivr: voicemail max length must be between 5s and 10m")
	case cfg.Silence < time.Second || cfg.Silence > time.Minute:
		return nil, errors.New("ivr: voicemail silence must be between 1s and 1m")
	case cfg.Threshold <= 0 || cfg.Threshold >= 1:
		return nil, errors.New("ivr: voicemail threshold must be between 0 and 1")
	}
	if cfg.Greeting == "" {
		cfg.Greeting = ph.vmGreeting
	}
	return &Voicemail{cfg: cfg, ph: ph, lang: lang}, nil
}

// Start says the greeting.
func (v *Voicemail) Start(now time.Time) Step {
	return v.say(now, false, Sound{Text: v.cfg.Greeting, Lang: v.lang})
}

// PlayDone moves from the greeting to the beep, and from the beep to
// recording.
func (v *Voicemail) PlayDone(now time.Time) Step {
	if v.ended != nil || !v.playing {
		return v.idle()
	}
	switch v.stage {
	case vmGreeting:
		v.stage = vmBeep
		return v.say(now, false, Sound{Tone: ToneBeep})
	default:
		v.stage = vmRecording
		v.playing = false
		v.started, v.lastVoice = now, now
		v.until = v.deadline()
		return Step{Record: true, Until: v.until}
	}
}

// deadline is the earlier of the silence limit and the length limit.
func (v *Voicemail) deadline() time.Time {
	d := v.lastVoice.Add(v.cfg.Silence)
	if m := v.started.Add(v.cfg.MaxLength); m.Before(d) {
		d = m
	}
	return d
}

// Audio reports the energy (RMS, 0..1 of full scale) of a frame the caller
// said at now.
func (v *Voicemail) Audio(now time.Time, energy float64) Step {
	if v.ended != nil || v.stage != vmRecording {
		return v.idle()
	}
	if energy >= v.cfg.Threshold {
		v.heard = true
		v.lastVoice = now
		v.until = v.deadline()
	}
	return v.Tick(now)
}

// Tick ends the message on silence or at the length limit.
func (v *Voicemail) Tick(now time.Time) Step {
	if v.ended != nil || now.Before(v.until) {
		return v.idle()
	}
	if v.playing {
		return v.PlayDone(now)
	}
	if !now.Before(v.started.Add(v.cfg.MaxLength)) {
		return v.stop(now, ReasonMaxLength, false)
	}
	return v.stop(now, ReasonSilence, false)
}

// Digit: # skips the greeting, or ends the message.
func (v *Voicemail) Digit(now time.Time, d rune) Step {
	if v.ended != nil || d != '#' {
		return v.idle()
	}
	if v.stage == vmGreeting {
		v.stage = vmBeep
		return v.say(now, true, Sound{Tone: ToneBeep})
	}
	if v.stage == vmRecording {
		return v.stop(now, ReasonFinished, false)
	}
	return v.idle()
}

// Hangup ends the message where it is; what was said is kept.
func (v *Voicemail) Hangup(now time.Time) Step {
	if v.ended != nil {
		return v.idle()
	}
	return v.stop(now, ReasonHangup, true)
}

func (v *Voicemail) stop(now time.Time, reason string, gone bool) Step {
	e := End{Reason: reason, Heard: v.heard, Action: Action{Type: ActionHangup}}
	if v.stage == vmRecording {
		e.Recorded = min(now.Sub(v.started), v.cfg.MaxLength)
		if v.heard {
			e.Keep = min(v.lastVoice.Sub(v.started)+speechTail, e.Recorded)
		}
	}
	s := Step{Interrupt: true}
	if !gone {
		say := v.ph.vmNothing
		if v.heard {
			say = v.ph.vmThanks
		}
		s.Play = []Sound{{Text: say, Lang: v.lang}}
	}
	return v.finish(s, e)
}
