package mastodon

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type streamKind int

const (
	streamNotifications streamKind = iota // mentions and direct messages to the account
	streamTag                             // a hashtag's public posts
	streamPublic                          // the federated public timeline (keyword rules)
)

// stream is one of an account's streams, with the REST timeline that
// catches it up after a reconnect.
type stream struct {
	kind streamKind
	tag  string
}

// key names the stream's cursor.
func (s stream) key() string {
	switch s.kind {
	case streamTag:
		return "tag:" + s.tag
	case streamPublic:
		return "public"
	}
	return "notifications"
}

func (s stream) restPath() string {
	if s.kind == streamTag {
		return "/api/v1/timelines/tag/" + url.PathEscape(s.tag)
	}
	return "/api/v1/timelines/public"
}

func (s stream) streamPath() (string, url.Values) {
	switch s.kind {
	case streamTag:
		return "/api/v1/streaming/hashtag", url.Values{"tag": {s.tag}}
	case streamPublic:
		return "/api/v1/streaming/public", nil
	}
	return "/api/v1/streaming/user/notification", nil
}

// item is one entry of a stream or a catch-up page: a status (update), or
// a notification carrying one (mention is false for follows, favourites …).
type item struct {
	id      string
	status  *Status
	mention bool
}

// openStream connects to the stream's server-sent events. A 429 or 5xx
// comes back with how long the instance asked to wait.
func (c *client) openStream(ctx context.Context, st stream) (io.ReadCloser, time.Duration, error) {
	path, q := st.streamPath()
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.stream.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("stream %s: %w", st.key(), scrubURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		var wait time.Duration
		if retryable(resp.StatusCode) {
			wait = retryAfter(resp.Header, c.clock.Now(), 0)
		}
		return nil, wait, fmt.Errorf("stream %s: %w", st.key(), &HTTPError{Status: resp.StatusCode, Body: strings.TrimSpace(string(msg))})
	}
	return resp.Body, 0, nil
}

// maxEventBytes bounds one event; a status is a few kilobytes.
const maxEventBytes = 1 << 20

// readEvents parses server-sent events — "event:" and "data:" lines, a
// blank line ending each, ":" lines (Mastodon's heartbeat) ignored — and
// hands each update or notification to fn, until the stream ends or fn
// fails.
func readEvents(r io.Reader, fn func(item) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEventBytes)
	var event string
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if err := dispatch(event, data.String(), fn); err != nil {
				return err
			}
			event = ""
			data.Reset()
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF // a stream does not end on its own
}

func dispatch(event, data string, fn func(item) error) error {
	switch event {
	case "update":
		var s Status
		if err := json.Unmarshal([]byte(data), &s); err != nil || s.ID == "" {
			return nil // one unreadable event is skipped, not the stream
		}
		return fn(item{id: s.ID, status: &s})
	case "notification":
		var n Notification
		if err := json.Unmarshal([]byte(data), &n); err != nil || n.ID == "" {
			return nil
		}
		return fn(item{id: n.ID, status: n.Status, mention: n.Type == "mention"})
	}
	return nil // delete, status.update, filters_changed …
}
