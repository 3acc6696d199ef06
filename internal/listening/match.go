package listening

import (
	"slices"
	"strings"
	"unicode"
)

// Matches reports whether the post meets every criterion of the rule, and
// the post's sentiment score. A disabled rule matches nothing.
func (r Rule) Matches(p Post) (bool, float64) {
	words := Words(p.Text)
	score := sentimentOf(words)
	return r.matches(p, words, score), score
}

// matches is Matches on the post's words and score, read once per post.
func (r Rule) matches(p Post, words []string, score float64) bool {
	if !r.Enabled {
		return false
	}
	if len(r.Keywords) > 0 {
		if !slices.ContainsFunc(r.Keywords, func(k string) bool { return containsPhrase(words, Words(k)) }) {
			return false
		}
	}
	if len(r.Hashtags) > 0 && !slices.ContainsFunc(r.Hashtags, func(h string) bool { return slices.Contains(p.Hashtags, h) }) {
		return false
	}
	if len(r.Mentions) > 0 && !slices.ContainsFunc(r.Mentions, func(m string) bool { return slices.Contains(p.Mentions, m) }) {
		return false
	}
	if len(r.Languages) > 0 && !slices.Contains(r.Languages, strings.ToLower(p.Language)) {
		return false
	}
	if r.MinFollowers > 0 && p.Author.Followers < r.MinFollowers {
		return false
	}
	return r.MaxSentiment == nil || score <= *r.MaxSentiment
}

// Decide picks the rule a post falls under: of the rules it matches, the one
// of highest priority, the first listed among equals. ok is false when no
// rule takes it.
func Decide(rules []Rule, p Post) (m Match, ok bool) {
	words := Words(p.Text)
	score := sentimentOf(words)
	m.Sentiment = score
	for _, r := range rules {
		if (ok && r.Priority <= m.Priority) || !r.matches(p, words, score) {
			continue
		}
		m, ok = Match{RuleID: r.ID, RuleName: r.Name, Priority: r.Priority, Queue: r.Queue, Sentiment: score}, true
	}
	return m, ok
}

// Words splits text into lower-case words: letters, digits and the
// apostrophe inside a word; '#' and '@' are dropped so "#refund" is "refund".
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '\''
	})
}

// containsPhrase reports whether phrase occurs in words as consecutive whole
// words.
func containsPhrase(words, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
	for i := 0; i+len(phrase) <= len(words); i++ {
		if slices.Equal(words[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}
