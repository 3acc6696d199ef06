package listening

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// Limits on a rule, so one rule stays something an admin can read.
const (
	MaxTerms     = 50  // entries in one list
	MaxTermBytes = 100 // one keyword, hashtag or handle
)

// FieldError names the rule's field that is wrong and why.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Normalize cleans a rule as typed (trimmed, '#' and '@' dropped, lower
// case, duplicates removed) and checks it; the error is a *FieldError.
func Normalize(r Rule) (Rule, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 200 {
		return r, &FieldError{"name", "required, at most 200 characters"}
	}
	var err error
	if r.Keywords, err = terms("keywords", r.Keywords, ""); err != nil {
		return r, err
	}
	for _, k := range r.Keywords {
		if len(Words(k)) == 0 {
			return r, &FieldError{"keywords", fmt.Sprintf("%q has no letters or digits", k)}
		}
	}
	if r.Hashtags, err = terms("hashtags", r.Hashtags, "#"); err != nil {
		return r, err
	}
	if r.Mentions, err = terms("mentions", r.Mentions, "@"); err != nil {
		return r, err
	}
	if r.Languages, err = terms("languages", r.Languages, ""); err != nil {
		return r, err
	}
	for _, l := range r.Languages {
		if len(l) < 2 || len(l) > 3 || strings.IndexFunc(l, func(c rune) bool { return c < 'a' || c > 'z' }) >= 0 {
			return r, &FieldError{"languages", fmt.Sprintf("%q is not an ISO 639 code (en, fr, deu)", l)}
		}
	}
	for _, h := range r.Hashtags {
		if strings.IndexFunc(h, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' }) >= 0 {
			return r, &FieldError{"hashtags", fmt.Sprintf("%q: a hashtag is letters, digits and _", h)}
		}
	}
	if len(r.Keywords)+len(r.Hashtags)+len(r.Mentions) == 0 {
		return r, &FieldError{"keywords", "a rule needs at least one keyword, hashtag or mention"}
	}
	if r.MinFollowers < 0 {
		return r, &FieldError{"min_followers", "must not be negative"}
	}
	if r.MaxSentiment != nil && (*r.MaxSentiment < -1 || *r.MaxSentiment > 1) {
		return r, &FieldError{"max_sentiment", "must be between -1 and 1"}
	}
	if r.Priority < conversation.PriorityLow || r.Priority > conversation.PriorityUrgent {
		return r, &FieldError{"priority", "must be 0 (low) to 3 (urgent)"}
	}
	r.Queue = strings.TrimSpace(r.Queue)
	if len(r.Queue) > 200 {
		return r, &FieldError{"queue", "at most 200 characters"}
	}
	return r, nil
}

func terms(field string, in []string, prefix string) ([]string, error) {
	if len(in) > MaxTerms {
		return nil, &FieldError{field, fmt.Sprintf("at most %d entries", MaxTerms)}
	}
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), prefix)))
		if t == "" {
			continue
		}
		if len(t) > MaxTermBytes {
			return nil, &FieldError{field, fmt.Sprintf("%q is longer than %d bytes", t, MaxTermBytes)}
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}
