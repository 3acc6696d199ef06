package mastodon

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReadEvents reads a stream as Mastodon writes it: heartbeats, events
// of other kinds, an event whose JSON is cut (skipped, not the stream),
// data split over lines, and a notification that is not a mention.
func TestReadEvents(t *testing.T) {
	stream := ":)\n" +
		":thump\n" +
		"event: update\ndata: {\"id\":\"101\",\"content\":\"<p>one</p>\",\"visibility\":\"public\",\"account\":{\"acct\":\"ann\"}}\n\n" +
		"event: delete\ndata: 100\n\n" +
		"event: update\ndata: {\"id\":\"102\",\"content\n\n" +
		"event: update\ndata: {\"id\":\"103\",\n" + "data: \"content\":\"<p>three</p>\",\"account\":{\"acct\":\"bob@elsewhere.example\"}}\n\n" +
		"event: notification\ndata: {\"id\":\"9\",\"type\":\"favourite\",\"status\":{\"id\":\"104\",\"account\":{\"acct\":\"x\"}}}\n\n" +
		"event: notification\ndata: {\"id\":\"10\",\"type\":\"mention\",\"status\":{\"id\":\"105\",\"visibility\":\"direct\",\"account\":{\"acct\":\"cy\"}}}\n\n"
	var got []string
	err := readEvents(strings.NewReader(stream), func(it item) error {
		s := "<nil>"
		if it.status != nil {
			s = it.status.ID + "/" + it.status.Post("social.example").Author.Handle
		}
		if it.mention {
			s += "/mention"
		}
		got = append(got, it.id+":"+s)
		return nil
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("end of stream: %v, want io.ErrUnexpectedEOF (a stream does not end on its own)", err)
	}
	want := "101:101/ann@social.example 103:103/bob@elsewhere.example 9:104/x@social.example 10:105/cy@social.example/mention"
	if strings.Join(got, " ") != want {
		t.Fatalf("events\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	stop := errors.New("stop")
	if err := readEvents(strings.NewReader(stream), func(item) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("a refused item ends the read with %v", err)
	}
}

func TestNewerAndRetryAfter(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"110", "109", true}, {"109", "110", false}, {"1000", "999", true}, {"5", "5", false}, {"1", "0", true}} {
		if got := newer(c.a, c.b); got != c.want {
			t.Errorf("newer(%s, %s) = %v", c.a, c.b, got)
		}
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{http.Header{"Retry-After": {"Mon, 07 Dec 2026 10:00:30 GMT"}}, 30 * time.Second},
		{http.Header{"X-Ratelimit-Reset": {"2026-12-07T10:02:00.000Z"}}, 2 * time.Minute}, // Mastodon's own
		{http.Header{"Retry-After": {"86400"}}, maxWait},
		{http.Header{}, time.Second}, // the backoff
	} {
		if got := retryAfter(c.h, now, time.Second); got != c.want {
			t.Errorf("retryAfter(%v) = %s, want %s", c.h, got, c.want)
		}
	}
}
