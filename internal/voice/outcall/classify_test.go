package outcall

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err     error
		want    Failure
		outcome string
	}{
		{&sip.CallError{Code: 480, Reason: "Temporarily Unavailable", Kind: sip.ErrNoAnswer}, Failure{Reason: ReasonNoAnswer, Reached: true}, "no_answer"},
		{&sip.CallError{Kind: sip.ErrNoAnswer}, Failure{Reason: ReasonNoAnswer, Reached: true}, "no_answer"},
		{fmt.Errorf("sip: call to +15550100: %w", context.DeadlineExceeded), Failure{Reason: ReasonNoAnswer, Reached: true}, "no_answer"},
		{&sip.CallError{Code: 486, Reason: "Busy Here", Kind: sip.ErrBusy}, Failure{Reason: ReasonBusy, Reached: true}, "busy"},
		{&sip.CallError{Code: 603, Reason: "Decline", Kind: sip.ErrDeclined}, Failure{Reason: ReasonDeclined, Reached: true}, "no_answer"},
		{&sip.CallError{Code: 404, Reason: "Not Found", Kind: sip.ErrNotFound}, Failure{Reason: ReasonNotFound, Final: true}, "wrong_number"},
		{&sip.CallError{Code: 407, Reason: "Proxy Authentication Required", Kind: sip.ErrUnauthorized}, Failure{Reason: ReasonUnauthorized, Final: true}, ""},
		{&sip.CallError{Code: 488, Reason: "Not Acceptable Here", Kind: sip.ErrNoCommonCodec}, Failure{Reason: ReasonNoCodec, Final: true}, ""},
		{fmt.Errorf("%w: no trunk", ErrNoTrunk), Failure{Reason: ReasonNoTrunk, Final: true}, ""},
		{&sip.CallError{Code: 503, Reason: "Service Unavailable", Kind: sip.ErrCallFailed}, Failure{Reason: ReasonFailed}, ""},
		{errors.New("sip: trunk tr: provider refused by the guard"), Failure{Reason: ReasonFailed}, ""},
	} {
		got := Classify(c.err)
		if got != c.want || got.Outcome() != c.outcome {
			t.Errorf("Classify(%v) = %+v, outcome %q; want %+v, %q", c.err, got, got.Outcome(), c.want, c.outcome)
		}
	}
}
