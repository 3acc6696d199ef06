package channel

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps how long a provider may ask us to wait before one retry:
// a provider answering "in a day" is treated as down, not obeyed.
const MaxRetryAfter = time.Hour

// RetryAfterError is a provider's "not now, try again after this long" (a 429
// or 503 with Retry-After, Telegram's retry_after, Meta's throttling codes).
// The delivery jobs wait that long before the next try instead of their own
// backoff; it is never permanent.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryLater wraps err with the wait the provider asked for, capped at
// MaxRetryAfter. A wait of zero or less leaves err as it is.
func RetryLater(after time.Duration, err error) error {
	if after <= 0 || err == nil {
		return err
	}
	return &RetryAfterError{After: min(after, MaxRetryAfter), Err: err}
}

// RetryAfter is the wait a failed send asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		return ra.After, true
	}
	return 0, false
}

// ParseRetryAfter reads an HTTP Retry-After value (RFC 9110 §10.2.3): either
// delay-seconds or an HTTP-date, which is measured from now. It reports false
// for an empty, malformed or past value.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0, false
		}
		if s > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(s) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := at.Sub(now)
	if d <= 0 {
		return 0, false
	}
	return min(d, MaxRetryAfter), true
}

// Throttled wraps err with the response's Retry-After when the provider
// answered 429 or 503 with one; other answers leave err unchanged.
func Throttled(resp *http.Response, now time.Time, err error) error {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return err
	}
	if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		return RetryLater(d, err)
	}
	return err
}
