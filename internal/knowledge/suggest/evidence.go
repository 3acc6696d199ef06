package suggest

import "strings"

// Evidence is how strongly a suggestion is backed, 0..1, each signal against
// the best it could be: the share of the conversation's words the article
// holds (its coverage), or the similar cases' vote (their share, already
// scaled by how well the closest case matches). A text hit's score only says
// it is the best of the articles found, not that it is any good: a question
// about a mortgage still gets a "best" card article when both say
// "customer". Evidence is what a minimum score is held against.
func evidence(coverage, cases float64) float64 {
	if coverage > cases {
		return coverage
	}
	return cases
}

// questionTerms are the distinct words of a conversation that say what it
// is about: Terms without the words any contact-center conversation uses
// (generic).
func questionTerms(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range Terms(text) {
		if seen[t] || generic[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// coverage is the share of the question's words (from questionTerms) that
// an article's text holds. A word is held when one of the article's words
// equals it or, both at least four letters long, one begins with the other
// ("arriv" from "arrived" and "arrival"), since the light stemmer of Terms
// does not bring every form together.
func coverage(question []string, articleText string) float64 {
	if len(question) == 0 {
		return 0
	}
	words := map[string]bool{}
	for _, t := range Terms(articleText) {
		words[t] = true
	}
	held := 0
	for _, q := range question {
		if words[q] || prefixOfAny(q, words) {
			held++
		}
	}
	return float64(held) / float64(len(question))
}

func prefixOfAny(q string, words map[string]bool) bool {
	if len(q) < 4 {
		return false
	}
	for w := range words {
		if len(w) >= 4 && (strings.HasPrefix(w, q) || strings.HasPrefix(q, w)) {
			return true
		}
	}
	return false
}

// generic are words every contact-center conversation uses, whatever it is
// about ("the customer asks", "I need help with", "can you tell me"): a match
// on them alone must not carry a suggestion. They are stemmed as Terms stems.
var generic = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`customer client ask question help need want know tell like let say
		would anyone anything someone something thing way much many well really wonder
		look tri try possibl able`) {
		m[stem(w)] = true
	}
	return m
}()
