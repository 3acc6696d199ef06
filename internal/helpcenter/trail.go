package helpcenter

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what a step of the self-service trail was.
type Kind string

// The kinds of step.
const (
	KindPage     Kind = "page"     // the help center's home, a category, the contact page
	KindArticle  Kind = "article"  // an article read (in the help center or in the widget)
	KindSearch   Kind = "search"   // a search and how many articles it found
	KindFeedback Kind = "feedback" // "did this help?" answered on an article
)

// Event is one step of a visitor's trail as the agent sees it.
type Event struct {
	At      time.Time `json:"at"`
	Kind    Kind      `json:"kind"`
	Title   string    `json:"title"`
	Slug    string    `json:"slug"`
	Query   string    `json:"query"`
	Results int       `json:"results"`
	Helpful string    `json:"helpful"` // "yes" or "no" on feedback, "" otherwise
	Reason  string    `json:"reason"`  // why it did not help, in the visitor's words
	// Seconds is the time spent on a page or an article: until the next
	// step, or until the conversation started for the last one.
	Seconds int `json:"seconds"`
}

// typingWindow is how long after a search a longer (or shorter) version of
// it counts as the same search, still being typed.
const typingWindow = 15 * time.Second

// maxDwell caps the time counted on one page: a tab left open overnight says
// nothing about reading.
const maxDwell = 30 * time.Minute

// Absorbs reports whether next is prev still being typed — the same search
// grown or trimmed a few letters within moments — so the trail keeps one
// search instead of one per keystroke.
func Absorbs(prev, next Event) bool {
	if prev.Kind != KindSearch || next.Kind != KindSearch || next.At.Sub(prev.At) > typingWindow {
		return false
	}
	p, n := fold(prev.Query), fold(next.Query)
	return strings.HasPrefix(n, p) || strings.HasPrefix(p, n)
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// WithDwell fills each page's and article's Seconds: the time until the next
// step, or until end for the last (the conversation's start), capped at
// maxDwell. It works without script in the visitor's browser: the times are
// the server's.
func WithDwell(events []Event, end time.Time) []Event {
	out := make([]Event, len(events))
	copy(out, events)
	for i := range out {
		if out[i].Kind != KindPage && out[i].Kind != KindArticle {
			continue
		}
		until := end
		if i+1 < len(out) {
			until = out[i+1].At
		}
		d := min(max(until.Sub(out[i].At), 0), maxDwell)
		out[i].Seconds = int(d / time.Second)
	}
	return out
}

// Summary is the line the conversation's timeline shows where the trail was
// carried in: how long the visitor helped themselves, what they searched and
// read, and what did not help, in a few words. It is "" for an empty trail.
func Summary(events []Event, end time.Time) string {
	if len(events) == 0 {
		return ""
	}
	var searches, read, notHelped []string
	for _, e := range events {
		switch e.Kind {
		case KindSearch:
			searches = append(searches, fmt.Sprintf("“%s” (%s)", clip(e.Query, 60), plural(e.Results, "result")))
		case KindArticle:
			read = append(read, "“"+clip(e.Title, 80)+"”")
		case KindFeedback:
			if e.Helpful == "no" {
				s := "“" + clip(e.Title, 80) + "”"
				if e.Reason != "" {
					s += ": " + clip(e.Reason, 120)
				}
				notHelped = append(notHelped, s)
			}
		}
	}
	parts := []string{"Self-service before this conversation (" + duration(end.Sub(events[0].At)) + ")"}
	if len(searches) > 0 {
		parts = append(parts, "searched "+list(searches, 5))
	}
	if len(read) > 0 {
		parts = append(parts, "read "+list(read, 5))
	}
	if len(notHelped) > 0 {
		parts = append(parts, "did not help: "+list(notHelped, 3))
	}
	return strings.Join(parts, "; ") + "."
}

// list joins items, naming how many more there were past max.
func list(items []string, limit int) string {
	if len(items) <= limit {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:limit], ", ") + fmt.Sprintf(" and %d more", len(items)-limit)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// duration is a span for people: "40 s", "3 min", "1 h 5 min".
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(int(d/time.Second), 0))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	default:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// clip shortens s to at most n runes, with an ellipsis when it cut.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
