package channel

import (
	"errors"
	"fmt"
	"time"
)

// RetryLaterError is a send the provider refused for now and said when to
// try again: HTTP 429 or 503 with Retry-After, Telegram's
// parameters.retry_after. The delivery job waits at least that long before
// its next try, so that a flood-controlled bot is not hammered and its next
// try is not wasted; it still counts as a try.
type RetryLaterError struct {
	After time.Duration
	Err   error
}

func (e *RetryLaterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryLaterError) Unwrap() error { return e.Err }

// RetryLater wraps err with the wait the provider asked for.
func RetryLater(after time.Duration, err error) error {
	return &RetryLaterError{After: after, Err: err}
}

// MaxRetryAfter bounds a wait a provider asks for: a longer one is a
// provider's mistake or an outage, and the message had better fail where an
// agent sees it than wait for a day.
const MaxRetryAfter = time.Hour

// RetryAfter is the wait a send's error asks for, if any, at most
// MaxRetryAfter.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RetryLaterError
	if !errors.As(err, &rl) || rl.After <= 0 {
		return 0, false
	}
	return min(rl.After, MaxRetryAfter), true
}
