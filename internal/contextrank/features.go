package contextrank

import (
	"math"
	"strings"
	"time"
)

// The dense features, each between 0 and 1. Their names are part of the
// serialised model: rename one and the learned weight is lost.
const (
	// FeatureRecency decays with the item's age: 1 now, ½ after RecencyHalfLife.
	FeatureRecency = "recency"
	// FeatureTextMatch is the share of the customer's content words the item
	// mentions (of at most three: one strong word in a short message counts).
	FeatureTextMatch = "text_match"
	// FeatureDueSoon is 1 for an item due within a day or overdue by up to
	// a week, falling to 0 for one due a week ahead.
	FeatureDueSoon = "due_soon"
	// FeatureNoticeRecent marks a notice sent in the last hours: a "card
	// blocked" notice sent four minutes ago is the likeliest reason of a chat.
	FeatureNoticeRecent = "notice_recent"
	// FeatureAttention is 1 when the item's status asks for attention
	// (blocked, failed, overdue, open…).
	FeatureAttention = "attention"
	// FeatureImportance is the source's own hint.
	FeatureImportance = "importance"
)

// The sparse features: one per source and one per item type, each 1 for the
// items it names, so a tenant learns that its agents use billing's items, or
// invoices, more than the defaults assume.
const (
	sourcePrefix = "source:"
	typePrefix   = "type:"
)

// The interactions: text match and attention status per source, each 0 by
// default, so a tenant learns that a word match on an article or a blocked
// card matters while a match on a routine transaction or an "open"
// marketing offer does not — what one additive weight per feature cannot say.
const (
	matchPrefix     = "match:"
	attentionPrefix = "attention:"
)

// Decay constants of the time features.
const (
	RecencyHalfLife = 6 * time.Hour
	NoticeHalfLife  = 30 * time.Minute
	noticeHorizon   = 24 * time.Hour
	dueHorizon      = 7 * 24 * time.Hour
)

// attentionStatuses are the states that ask an agent to look.
var attentionStatuses = map[string]bool{
	"blocked": true, "failed": true, "overdue": true, "unpaid": true, "declined": true,
	"open": true, "pending": true, "disputed": true, "returned": true, "delayed": true,
	"cancelled": true, "canceled": true, "suspended": true, "expired": true, "bounced": true,
}

// Features is an item's feature vector by name; absent names are 0.
type Features map[string]float64

// evidence is what the why line quotes: the facts behind the features.
type evidence struct {
	age     time.Duration // now − At, when At is set
	due     time.Duration // Due − now, when Due is set
	hasAt   bool
	hasDue  bool
	matched []string // the customer's words the item mentions, as they wrote them
}

// query is a contact's words, split once for all its items.
type query struct {
	stems    []string
	spelling map[string]string
}

func newQuery(text string) query {
	s, sp := words(text)
	return query{stems: s, spelling: sp}
}

// compute derives an item's features at now. It is pure: the same item,
// words and instant always give the same vector.
func compute(it Item, q query, now time.Time) (Features, evidence) {
	f := Features{}
	var ev evidence
	if !it.At.IsZero() {
		ev.hasAt = true
		ev.age = now.Sub(it.At)
		if ev.age < 0 {
			ev.age = 0
		}
		f[FeatureRecency] = halfLife(ev.age, RecencyHalfLife)
		if it.Source == SourceNotice && ev.age <= noticeHorizon {
			f[FeatureNoticeRecent] = halfLife(ev.age, NoticeHalfLife)
		}
	}
	if !it.Due.IsZero() {
		ev.hasDue = true
		ev.due = it.Due.Sub(now)
		f[FeatureDueSoon] = dueSoon(ev.due)
	}
	if len(q.stems) > 0 {
		have := itemStems(it)
		for _, s := range q.stems {
			if have[s] {
				ev.matched = append(ev.matched, q.spelling[s])
			}
		}
		if len(ev.matched) > 0 {
			f[FeatureTextMatch] = math.Min(1, float64(len(ev.matched))/math.Min(3, float64(len(q.stems))))
		}
	}
	if attentionStatuses[strings.ToLower(strings.TrimSpace(it.Status))] {
		f[FeatureAttention] = 1
	}
	if imp := math.Max(0, math.Min(1, it.Importance)); imp > 0 {
		f[FeatureImportance] = imp
	}
	if it.Source != "" {
		f[sourcePrefix+it.Source] = 1
		f[matchPrefix+it.Source] = f[FeatureTextMatch]
		f[attentionPrefix+it.Source] = f[FeatureAttention]
	}
	if it.Type != "" {
		f[typePrefix+strings.ToLower(it.Type)] = 1
	}
	for k, v := range f {
		if v == 0 {
			delete(f, k)
		}
	}
	return f, ev
}

func halfLife(age, h time.Duration) float64 {
	return math.Exp2(-float64(age) / float64(h))
}

// dueSoon is 1 from a week overdue to a day ahead, then falls linearly to 0
// a week ahead; long overdue items are history, not news.
func dueSoon(until time.Duration) float64 {
	switch {
	case until < -dueHorizon:
		return 0
	case until <= 24*time.Hour:
		return 1
	case until >= dueHorizon:
		return 0
	}
	return 1 - float64(until-24*time.Hour)/float64(dueHorizon-24*time.Hour)
}
