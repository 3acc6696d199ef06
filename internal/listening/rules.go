package listening

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Limits on a rule, so one rule stays something an admin can read.
const (
	MaxTerms     = 50  // entries in one list
	MaxTermBytes = 100 // one keyword, hashtag or handle
)

// Normalize cleans a rule as typed (trimmed, '#' and '@' dropped, lower
// case, duplicates removed) and checks it; the error is a *tenant.FieldError.
func Normalize(r Rule) (Rule, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 200 {
		return r, &tenant.FieldError{Field: "name", Reason: "required, at most 200 characters"}
	}
	var err error
	if r.Keywords, err = terms("keywords", r.Keywords, ""); err != nil {
		return r, err
	}
	for _, k := range r.Keywords {
		if len(Words(k)) == 0 {
			return r, &tenant.FieldError{Field: "keywords", Reason: fmt.Sprintf("%q has no letters or digits", k)}
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
			return r, &tenant.FieldError{Field: "languages", Reason: fmt.Sprintf("%q is not an ISO 639 code (en, fr, deu)", l)}
		}
	}
	for _, h := range r.Hashtags {
		if strings.IndexFunc(h, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' }) >= 0 {
			return r, &tenant.FieldError{Field: "hashtags", Reason: fmt.Sprintf("%q: a hashtag is letters, digits and _", h)}
		}
	}
	if len(r.Keywords)+len(r.Hashtags)+len(r.Mentions) == 0 {
		return r, &tenant.FieldError{Field: "keywords", Reason: "a rule needs at least one keyword, hashtag or mention"}
	}
	if r.MinFollowers < 0 {
		return r, &tenant.FieldError{Field: "min_followers", Reason: "must not be negative"}
	}
	if r.MaxSentiment != nil && (*r.MaxSentiment < -1 || *r.MaxSentiment > 1) {
		return r, &tenant.FieldError{Field: "max_sentiment", Reason: "must be between -1 and 1"}
	}
	if r.Priority < conversation.PriorityLow || r.Priority > conversation.PriorityUrgent {
		return r, &tenant.FieldError{Field: "priority", Reason: "must be 0 (low) to 3 (urgent)"}
	}
	r.Queue = strings.TrimSpace(r.Queue)
	if len(r.Queue) > 200 {
		return r, &tenant.FieldError{Field: "queue", Reason: "at most 200 characters"}
	}
	return r, nil
}

func terms(field string, in []string, prefix string) ([]string, error) {
	if len(in) > MaxTerms {
		return nil, &tenant.FieldError{Field: field, Reason: fmt.Sprintf("at most %d entries", MaxTerms)}
	}
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), prefix)))
		if t == "" {
			continue
		}
		if len(t) > MaxTermBytes {
			return nil, &tenant.FieldError{Field: field, Reason: fmt.Sprintf("%q is longer than %d bytes", t, MaxTermBytes)}
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}
