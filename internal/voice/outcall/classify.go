package outcall

import (
	"context"
	"errors"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// Reasons an outbound call was not answered, as the timeline and a
// delivery's steps say them.
const (
	ReasonNoAnswer     = "no answer"
	ReasonBusy         = "busy"
	ReasonDeclined     = "declined"
	ReasonNotFound     = "number not found"
	ReasonUnauthorized = "the provider refused the trunk's credentials"
	ReasonNoCodec      = "no common codec"
	ReasonNoTrunk      = "no trunk for outbound calls"
	ReasonFailed       = "call failed"
)

// Failure is why a call we placed came to nothing, and what that means.
type Failure struct {
	// Reason is one of the Reason constants.
	Reason string
	// Reached is true when the far end was there and said no (busy, no
	// answer, declined): the line works, the person did not take the call.
	Reached bool
	// Final is true when dialling the same number again through the same
	// trunk cannot go better (the number does not exist, the trunk is
	// refused, no codec in common, no trunk).
	Final bool
}

// Classify reads a Dial error (a *sip.CallError, or the context ending
// while it rang) as a Failure.
func Classify(err error) Failure {
	switch {
	case errors.Is(err, sip.ErrNoAnswer), errors.Is(err, context.DeadlineExceeded):
		return Failure{Reason: ReasonNoAnswer, Reached: true}
	case errors.Is(err, sip.ErrBusy):
		return Failure{Reason: ReasonBusy, Reached: true}
	case errors.Is(err, sip.ErrDeclined):
		return Failure{Reason: ReasonDeclined, Reached: true}
	case errors.Is(err, sip.ErrNotFound):
		return Failure{Reason: ReasonNotFound, Final: true}
	case errors.Is(err, sip.ErrUnauthorized):
		return Failure{Reason: ReasonUnauthorized, Final: true}
	case errors.Is(err, sip.ErrNoCommonCodec):
		return Failure{Reason: ReasonNoCodec, Final: true}
	case errors.Is(err, ErrNoTrunk):
		return Failure{Reason: ReasonNoTrunk, Final: true}
	}
	return Failure{Reason: ReasonFailed}
}

// ErrNoTrunk is a tenant with no trunk that calls out.
var ErrNoTrunk = errors.New("the tenant has no SIP trunk for outbound calls")

// Outcome is the callback attempt's outcome (dispatch.Outcomes) for a call
// that was not answered; "" when the attempt never reached the customer's
// line (no trunk, the provider refused us, no codec in common, a network
// failure), which is ours to fix and no attempt of the customer's.
func (f Failure) Outcome() string {
	switch f.Reason {
	case ReasonNoAnswer, ReasonDeclined:
		return "no_answer"
	case ReasonBusy:
		return "busy"
	case ReasonNotFound:
		return "wrong_number"
	}
	return ""
}
