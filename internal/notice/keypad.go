package notice

import (
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Voice is the channel that reads a notice out in a call to the customer's
// phone and takes the answer from the keypad (internal/voice/outcall).
const Voice = "voice"

// KeypadChoice is one answer to a spoken notice: "Press 1 to confirm the
// payment". A voice template lists them; the key pressed becomes the
// delivery's reply, recorded as a typed reply is.
type KeypadChoice struct {
	Key string `json:"key"` // one of 0-9, * or #
	// Label completes "Press 1 …" in the template's language: "to confirm
	// the payment".
	Label string `json:"label"`
	// Response is what the key means, recorded with the reply: "confirm".
	Response string `json:"response"`
	// Talk puts the caller into a queue with the notice as the
	// conversation's context.
	Talk bool `json:"talk,omitempty"`
}

// DefaultKeypad is what a spoken notice offers when its voice template
// lists no choices: confirm (when the type expects a reply) and talk to
// someone, in the languages the phone speaks.
func DefaultKeypad(lang string, replyExpected bool) []KeypadChoice {
	labels := map[string][2]string{
		"en": {"to confirm", "to talk to someone"},
		"de": {"zum Bestätigen", "um mit jemandem zu sprechen"},
		"fr": {"pour confirmer", "pour parler à quelqu'un"},
		"es": {"para confirmar", "para hablar con alguien"},
	}
	l, ok := labels[strings.SplitN(strings.ToLower(lang), "-", 2)[0]]
	if !ok {
		l = labels["en"]
	}
	talk := KeypadChoice{Key: "2", Label: l[1], Response: "talk", Talk: true}
	if !replyExpected {
		return []KeypadChoice{talk}
	}
	return []KeypadChoice{{Key: "1", Label: l[0], Response: "confirm"}, talk}
}

// Keypad is the choices a spoken notice of t offers in lang.
func (t Type) Keypad(lang string) []KeypadChoice {
	if _, tpl, ok := t.template(lang, Voice); ok && len(tpl.Keypad) > 0 {
		return tpl.Keypad
	}
	return DefaultKeypad(lang, t.ReplyExpected)
}

// checkKeypad refuses a keypad on a channel other than voice, and keys
// that are not keys, used twice, or say nothing.
func checkKeypad(field, channel string, keypad []KeypadChoice) error {
	if len(keypad) == 0 {
		return nil
	}
	if channel != Voice {
		return &tenant.FieldError{Field: field + ".keypad", Reason: "only a voice template has keypad choices"}
	}
	if len(keypad) > 12 {
		return &tenant.FieldError{Field: field + ".keypad", Reason: "at most 12 choices (a keypad has 12 keys)"}
	}
	seen := map[string]bool{}
	for i, c := range keypad {
		f := fmt.Sprintf("%s.keypad[%d]", field, i)
		switch {
		case len(c.Key) != 1 || !strings.Contains("0123456789*#", c.Key):
			return &tenant.FieldError{Field: f + ".key", Reason: "a key is one of 0-9, * or #"}
		case seen[c.Key]:
			return &tenant.FieldError{Field: f + ".key", Reason: "key " + c.Key + " is used twice"}
		case strings.TrimSpace(c.Label) == "" || len(c.Label) > 200:
			return &tenant.FieldError{Field: f + ".label", Reason: "say what the key does in 1–200 characters (\"to confirm the payment\")"}
		case strings.TrimSpace(c.Response) == "" || len(c.Response) > 100:
			return &tenant.FieldError{Field: f + ".response", Reason: "name the response the key gives in 1–100 characters (\"confirm\")"}
		}
		seen[c.Key] = true
	}
	return nil
}

// Headers the sender puts on a voice notice's channel.Outbound, so the voice
// channel knows which notice it reads out, in which language, and which
// keys answer it.
const (
	HeaderDelivery = "X-Switchboard-Delivery"
	HeaderLanguage = "X-Switchboard-Language"
	HeaderKeypad   = "X-Switchboard-Keypad" // JSON: []KeypadChoice
)
