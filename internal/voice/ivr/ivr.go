// Package ivr holds what is said and pressed around a call as pure state
// machines: a number's keypad menu, voicemail, and the spoken notice with a
// keypad answer, plus the sentences of queue-position announcements. Nothing
// here plays audio, reads the clock or does I/O: a driver (the call service)
// feeds each machine what happened — its prompts finished, a digit, the
// energy of a frame, time passing — with the time it happened, and gets back
// a Step saying what to play, whether to record, when to come back, and, at
// the end, why it ended and what to do next.
//
// Every dialogue ends by itself: a caller who never presses anything is
// re-prompted a bounded number of times and then handed on (a property test
// drives every machine with no input at all and sees it end with a reason).
package ivr

import (
	"strings"
	"time"
)

// Sound is one thing to play: text to speak in a language, or a tone.
type Sound struct {
	Text string `json:"text,omitempty"`
	Lang string `json:"lang,omitempty"`
	Tone string `json:"tone,omitempty"` // ToneBeep
}

// ToneBeep is the tone before a recording starts (speech.Beep).
const ToneBeep = "beep"

// Step is what a machine asks of the call after an input.
type Step struct {
	// Interrupt stops what is playing (a digit pressed during a prompt
	// barges in).
	Interrupt bool `json:"interrupt,omitempty"`
	// Play is played in order, after what is playing unless Interrupt.
	// The driver reports the end of it with PlayDone.
	Play []Sound `json:"play,omitempty"`
	// Record starts recording the caller (voicemail) now.
	Record bool `json:"record,omitempty"`
	// Until is when to call Tick if nothing else happens first; zero once
	// the dialogue has ended.
	Until time.Time `json:"until,omitzero"`
	// End is set when the dialogue is over: play Play, then do End.Action.
	End *End `json:"end,omitempty"`
}

// Action is where a call goes when a dialogue ends.
type Action struct {
	Type  string `json:"type"`
	Queue string `json:"queue,omitempty"` // ActionQueue: the queue's id
}

// Action types. Repeat and Back are menu choices that never end a
// dialogue; the others do.
const (
	ActionQueue     = "queue"     // wait for an agent in Queue
	ActionVoicemail = "voicemail" // leave a message
	ActionOperator  = "operator"  // the number's default queue, at once
	ActionHangup    = "hangup"    // say goodbye and end the call
	ActionRepeat    = "repeat"    // say this menu again
	ActionBack      = "back"      // go up to the menu before
)

// Reasons a dialogue ended.
const (
	ReasonChosen    = "chosen"     // the caller pressed a choice
	ReasonNoInput   = "no input"   // nothing pressed after every retry
	ReasonInvalid   = "invalid"    // only wrong keys after every retry
	ReasonClosed    = "closed"     // the number is outside its hours
	ReasonHangup    = "hangup"     // the caller hung up
	ReasonFinished  = "finished"   // voicemail: the caller pressed #
	ReasonSilence   = "silence"    // voicemail: the caller stopped talking
	ReasonMaxLength = "max length" // voicemail: the time allowed ran out
)

// End is how a dialogue ended and what comes next.
type End struct {
	Reason string `json:"reason"`
	Action Action `json:"action"`
	// Digits are the keys that led here ("12" for option 2 of submenu 1).
	Digits string `json:"digits,omitempty"`
	// Collected are the numbers entered at the menu's collect nodes, by
	// field.
	Collected map[string]string `json:"collected,omitempty"`
	// Response is the notice's response option the caller chose.
	Response string `json:"response,omitempty"`
	// Context travels with the call into a queue: the notice it came from
	// (ContextDelivery).
	Context map[string]string `json:"context,omitempty"`
	// Voicemail: how long was recorded, how much of it to keep (up to the
	// last speech and a short tail), and whether anything was said at all.
	Recorded time.Duration `json:"recorded,omitempty"`
	Keep     time.Duration `json:"keep,omitempty"`
	Heard    bool          `json:"heard,omitempty"`
}

// Dialogue is what every machine here does. Inputs must come in time order.
type Dialogue interface {
	// Start begins the dialogue.
	Start(now time.Time) Step
	// PlayDone reports that everything the last steps asked to play has
	// been played.
	PlayDone(now time.Time) Step
	// Digit reports a key: '0'-'9', '*' or '#'.
	Digit(now time.Time, d rune) Step
	// Tick reports that time has passed (at or after the last Until).
	Tick(now time.Time) Step
	// Hangup reports that the caller is gone; the dialogue ends.
	Hangup(now time.Time) Step
}

// playGuard is how long the prompts of sounds may take before the machine
// stops waiting for PlayDone and counts them as played: twice a slow
// speaker's pace (12 characters a second) plus five seconds. A driver that
// loses a PlayDone delays a dialogue; it cannot hang it.
func playGuard(sounds []Sound) time.Duration {
	chars := 0
	for _, s := range sounds {
		chars += len(s.Text)
		if s.Tone != "" {
			chars += 12
		}
	}
	return 2*time.Duration(chars)*time.Second/12 + 5*time.Second
}

// digitOK reports whether d is a key of a phone's keypad.
func digitOK(d rune) bool { return d >= '0' && d <= '9' || d == '*' || d == '#' }

// keys are the keypad's keys, for validation messages.
const keys = "0123456789*#"

func validKey(k string) bool { return len(k) == 1 && strings.Contains(keys, k) }
