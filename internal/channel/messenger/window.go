package messenger

import (
	"errors"
	"fmt"
	"time"
)

// Meta's messaging windows: a business answers freely for StandardWindow after
// the customer's last message; a human agent may answer for HumanAgentWindow
// with the HUMAN_AGENT tag, if Meta granted the app that permission.
const (
	StandardWindow   = 24 * time.Hour
	HumanAgentWindow = 7 * 24 * time.Hour
)

// The Send API's messaging types and the one tag the channel uses.
const (
	typeResponse   = "RESPONSE"
	typeMessageTag = "MESSAGE_TAG"
	tagHumanAgent  = "HUMAN_AGENT"
)

// ErrWindowClosed is a send refused because Meta's messaging window with the
// customer is closed; retrying cannot help until the customer writes again.
var ErrWindowClosed = errors.New("the customer's messaging window is closed")

// How a send may go: its messaging_type and tag.
type how struct {
	messagingType, tag string
}

// window decides how a reply may go, given when the customer last wrote
// (zero: never, as far as the center knows), now, and whether the account may
// use the HUMAN_AGENT tag. Outside every window it returns ErrWindowClosed
// wrapped with what the agent needs to know.
func window(lastInbound, now time.Time, humanAgent bool) (how, error) {
	if lastInbound.IsZero() {
		return how{}, fmt.Errorf("%w: this customer has never written to this account, and Meta lets a business message only people who wrote to it first", ErrWindowClosed)
	}
	age := now.Sub(lastInbound)
	switch {
	case age < StandardWindow:
		return how{messagingType: typeResponse}, nil
	case humanAgent && age < HumanAgentWindow:
		return how{messagingType: typeMessageTag, tag: tagHumanAgent}, nil
	case humanAgent:
		return how{}, fmt.Errorf("%w: the customer last wrote %s ago, and Meta allows a human agent's reply for 7 days only; it can be sent once they write again",
			ErrWindowClosed, ago(age))
	default:
		return how{}, fmt.Errorf("%w: the customer last wrote %s ago, and Meta allows replies for 24 hours only (7 days for human agents, with the account's human_agent setting once Meta granted the Human Agent permission); it can be sent once they write again",
			ErrWindowClosed, ago(age))
	}
}

// ago is a duration as an agent reads it: "3 days 4 hours", "26 hours".
func ago(d time.Duration) string {
	h := int(d.Hours())
	if h < 48 {
		return fmt.Sprintf("%d hours", h)
	}
	return fmt.Sprintf("%d days %d hours", h/24, h%24)
}
