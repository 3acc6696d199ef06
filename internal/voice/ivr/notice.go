package ivr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// ContextDelivery is the key in End.Context naming the notice's delivery a
// call comes from; it is notify.MetaDelivery, the key an inbound reply uses
// to say which notice it answers.
const ContextDelivery = "notification_delivery_id"

// NoticeChoice is one keypad answer to a spoken notice. A notice whose type
// expects a reply (notice.Type.ReplyExpected) is answered on its response
// channel (notice.Delivery.Response); on the phone that answer is a key, and
// Response is what the key means — recorded as the delivery's reply the way
// a text reply is.
type NoticeChoice struct {
	Key string `json:"key"` // "1"
	// Label completes "Press 1 …": "to confirm the payment" (en), "um die
	// Zahlung zu bestätigen" (de), "pour confirmer le paiement" (fr), "para
	// confirmar el pago" (es).
	Label    string `json:"label"`
	Response string `json:"response"` // "confirm"
	// Talk puts the caller into a queue with the notice as context.
	Talk bool `json:"talk,omitempty"`
}

// SpokenNotice is a notice read out in a call to the customer's phone.
type SpokenNotice struct {
	DeliveryID string
	Language   string
	// Text is the notice as rendered for this customer (its template's
	// Short or Body).
	Text    string
	Choices []NoticeChoice
	// Queue is where a Talk choice goes; empty is the operator (the number's
	// default queue).
	Queue string
	// Timeout is how long to wait for a key after the choices are said
	// (default 8s).
	Timeout time.Duration
}

// NoticeDialogue speaks a notice and its choices, collects one key, and maps
// it to the notice's response. No key or a wrong one says it all once more;
// a second miss ends the call without a response.
type NoticeDialogue struct {
	n      SpokenNotice
	ph     phrases
	lang   string
	misses int
	waiting
}

// NewNoticeDialogue checks the notice and prepares its dialogue.
func NewNoticeDialogue(n SpokenNotice) (*NoticeDialogue, error) {
	ph, lang, err := book(n.Language)
	if err != nil {
		return nil, &tenant.FieldError{Field: "language", Reason: err.Error()}
	}
	if strings.TrimSpace(n.Text) == "" {
		return nil, &tenant.FieldError{Field: "text", Reason: "a spoken notice needs its text"}
	}
	if len(n.Choices) == 0 {
		return nil, &tenant.FieldError{Field: "choices", Reason: "a spoken notice needs at least one keypad choice"}
	}
	seen := map[string]bool{}
	for i, c := range n.Choices {
		f := fmt.Sprintf("choices[%d]", i)
		switch {
		case !validKey(c.Key):
			return nil, &tenant.FieldError{Field: f + ".key", Reason: "a key is one of 0-9, * or #"}
		case seen[c.Key]:
			return nil, &tenant.FieldError{Field: f + ".key", Reason: "key " + c.Key + " is used twice"}
		case strings.TrimSpace(c.Label) == "":
			return nil, &tenant.FieldError{Field: f + ".label", Reason: "say what the key does"}
		case strings.TrimSpace(c.Response) == "":
			return nil, &tenant.FieldError{Field: f + ".response", Reason: "name the response the key gives"}
		}
		seen[c.Key] = true
	}
	if n.Timeout == 0 {
		n.Timeout = 8 * time.Second
	}
	if n.Timeout < time.Second || n.Timeout > time.Minute {
		return nil, errors.New("ivr: a notice's key timeout must be between 1s and 1m")
	}
	return &NoticeDialogue{n: n, ph: ph, lang: lang}, nil
}

// sounds are the notice and its choices: "… Press 1 to confirm the
// payment. Press 2 to talk to someone."
func (d *NoticeDialogue) sounds(prefix ...string) []Sound {
	parts := append(prefix, strings.TrimSpace(d.n.Text))
	for _, c := range d.n.Choices {
		parts = append(parts, fmt.Sprintf(d.ph.press, d.ph.keyName(rune(c.Key[0])), strings.TrimSpace(c.Label)))
	}
	return []Sound{{Text: strings.Join(parts, " "), Lang: d.lang}}
}

// Start speaks the notice and its choices.
func (d *NoticeDialogue) Start(now time.Time) Step { return d.say(now, false, d.sounds()...) }

// PlayDone starts the wait for a key.
func (d *NoticeDialogue) PlayDone(now time.Time) Step { return d.played(now, d.n.Timeout) }

// Tick says it all again after the timeout, or ends after the second.
func (d *NoticeDialogue) Tick(now time.Time) Step {
	if d.ended != nil || now.Before(d.until) {
		return d.idle()
	}
	if d.playing {
		return d.PlayDone(now)
	}
	return d.miss(now, false, ReasonNoInput, d.ph.noInput)
}

// Digit answers the notice, or counts a wrong key.
func (d *NoticeDialogue) Digit(now time.Time, k rune) Step {
	if d.ended != nil || !digitOK(k) {
		return d.idle()
	}
	for _, c := range d.n.Choices {
		if c.Key != string(k) {
			continue
		}
		e := End{Reason: ReasonChosen, Digits: c.Key, Response: c.Response, Action: Action{Type: ActionHangup}}
		say := d.ph.thanks
		if c.Talk {
			e.Action = Action{Type: ActionOperator}
			if d.n.Queue != "" {
				e.Action = Action{Type: ActionQueue, Queue: d.n.Queue}
			}
			e.Context = map[string]string{ContextDelivery: d.n.DeliveryID}
			say = d.ph.connecting
		}
		return d.finish(Step{Interrupt: true, Play: []Sound{{Text: say, Lang: d.lang}}}, e)
	}
	return d.miss(now, true, ReasonInvalid, d.ph.invalid)
}

// Hangup ends the dialogue without a response.
func (d *NoticeDialogue) Hangup(now time.Time) Step {
	if d.ended != nil {
		return d.idle()
	}
	return d.finish(Step{Interrupt: true}, End{Reason: ReasonHangup, Action: Action{Type: ActionHangup}})
}

func (d *NoticeDialogue) miss(now time.Time, interrupt bool, reason, sorry string) Step {
	d.misses++
	if d.misses > 1 {
		return d.finish(Step{Interrupt: interrupt, Play: []Sound{{Text: d.ph.goodbye, Lang: d.lang}}},
			End{Reason: reason, Action: Action{Type: ActionHangup}})
	}
	return d.say(now, interrupt, d.sounds(sorry)...)
}
