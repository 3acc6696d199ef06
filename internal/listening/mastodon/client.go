package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
)

// The account settings the channel reads.
const (
	// SettingInstance is the instance's base URL, https://social.example.
	SettingInstance = "instance_url"
	// SettingToken is the access token of the tenant's account (read,
	// write:statuses, read:notifications); a secret, never shown or logged.
	SettingToken = "access_token"
	// SettingReplyVisibility is how public replies are posted: "public"
	// (the default) or "unlisted".
	SettingReplyVisibility = "reply_visibility"
)

// Waiter waits d or until ctx ends; tests pass one that records the wait.
type Waiter func(ctx context.Context, d time.Duration) error

// Sleep is the real Waiter.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// client speaks one instance's REST API with one account's token.
type client struct {
	base        *url.URL
	token       string
	http        *http.Client // REST calls, each bounded
	stream      *http.Client // the streams, open as long as they last
	wait        Waiter
	clock       clock.Clock
	maxAttempts int
}

// maxWait bounds one wait on the instance's say-so (Retry-After).
const maxWait = 5 * time.Minute

// HTTPError is a refusal from the instance.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("mastodon answered %d: %s", e.Status, e.Body) }

// retryable reports whether a status is worth another try: the instance is
// busy (429) or failing (5xx).
func retryable(status int) bool { return status == http.StatusTooManyRequests || status >= 500 }

// instanceURL checks an account's instance URL.
func instanceURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("%s must be an http(s) URL like https://social.example", SettingInstance)
	}
	return u, nil
}

// do calls the API, retrying a 429 or 5xx after the instance's Retry-After
// (or X-RateLimit-Reset, Mastodon's own header), else after a growing
// backoff, up to attempts. A POST carries an Idempotency-Key, which
// Mastodon honours, so a retry never posts twice. The last refusal's wait
// travels with the error (channel.RetryLater), for a durable job to snooze.
func (c *client) do(ctx context.Context, attempts int, method, path string, q url.Values, body any, idem string, out any) (http.Header, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		resp, err := c.http.Do(req)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			err = fmt.Errorf("%s %s: %w", method, path, scrubURL(err))
			wait = backoff
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			defer resp.Body.Close()
			if out != nil {
				if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(out); err != nil {
					return resp.Header, fmt.Errorf("%s %s: decode: %w", method, path, err)
				}
			}
			return resp.Header, nil
		default:
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			err = &HTTPError{Status: resp.StatusCode, Body: strings.TrimSpace(string(msg))}
			if !retryable(resp.StatusCode) {
				return resp.Header, fmt.Errorf("%s %s: %w: %w", method, path, err, channel.ErrPermanent)
			}
			wait = retryAfter(resp.Header, c.clock.Now(), backoff)
		}
		if attempt >= attempts {
			return nil, channel.RetryLater(wait, fmt.Errorf("%s %s after %d attempts: %w", method, path, attempt, err))
		}
		if err := c.wait(ctx, wait); err != nil {
			return nil, err
		}
		backoff = min(2*backoff, time.Minute)
	}
}

// retryAfter is how long the instance asked to wait: Retry-After in seconds
// or as a date, else X-RateLimit-Reset (an ISO 8601 time, as Mastodon sends
// it), else fallback; never more than maxWait.
func retryAfter(h http.Header, now time.Time, fallback time.Duration) time.Duration {
	d := fallback
	if ra, ok := channel.ParseRetryAfter(h.Get("Retry-After"), now); ok {
		d = ra
	} else if v := h.Get("X-RateLimit-Reset"); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			d = t.Sub(now)
		}
	}
	return max(0, min(d, maxWait))
}

// scrubURL drops the URL from a transport error: the token is in a header,
// never a URL, but a query (since_id …) is noise in a log.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// PostStatus is the body of POST /api/v1/statuses.
type PostStatus struct {
	Status      string `json:"status"`
	InReplyToID string `json:"in_reply_to_id,omitempty"`
	Visibility  string `json:"visibility"`
}

// post posts a status once: a refusal worth retrying goes back to the
// delivery job with the instance's wait (channel.RetryAfter), which keeps
// it durably instead of holding a worker here.
func (c *client) post(ctx context.Context, s PostStatus, idem string) (Status, error) {
	var out Status
	_, err := c.do(ctx, 1, http.MethodPost, "/api/v1/statuses", nil, s, idem, &out)
	return out, err
}

// page reads one page of a timeline or of the notifications after minID,
// oldest first. Mastodon answers newest first; min_id asks for the page
// just after the cursor, so paging forward leaves no gap.
func (c *client) page(ctx context.Context, st stream, minID string) ([]item, error) {
	q := url.Values{"limit": {strconv.Itoa(pageSize)}}
	if minID != "" {
		q.Set("min_id", minID)
	}
	var items []item
	if st.kind == streamNotifications {
		q["types[]"] = []string{"mention"}
		var ns []Notification
		if _, err := c.do(ctx, c.maxAttempts, http.MethodGet, "/api/v1/notifications", q, nil, "", &ns); err != nil {
			return nil, err
		}
		for _, n := range ns {
			items = append(items, item{id: n.ID, status: n.Status, mention: n.Type == "mention"})
		}
	} else {
		if st.kind == streamPublic {
			q.Set("local", "false")
		}
		var ss []Status
		if _, err := c.do(ctx, c.maxAttempts, http.MethodGet, st.restPath(), q, nil, "", &ss); err != nil {
			return nil, err
		}
		for i := range ss {
			items = append(items, item{id: ss[i].ID, status: &ss[i]})
		}
	}
	// Oldest first, whatever order the instance used.
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && newer(items[j-1].id, items[j].id); j-- {
			items[j-1], items[j] = items[j], items[j-1]
		}
	}
	return items, nil
}

// pageSize is a page of catch-up: Mastodon's default for timelines.
const pageSize = 40
