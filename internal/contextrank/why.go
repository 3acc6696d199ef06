package contextrank

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxWhy is how many reasons one why line gives: the screen has one line.
const maxWhy = 2

// why names the strongest reasons an item scored as it did: the features
// whose weighted contribution is largest, each said the way an agent would
// say it ("sent 4 min ago: card blocked", "mentions 'invoice'").
func why(w Weights, it Item, f Features, ev evidence) string {
	type part struct {
		name string
		c    float64
	}
	var parts []part
	for name, v := range f {
		if c := w[name] * v; c > 0 {
			parts = append(parts, part{name, c})
		}
	}
	sort.Slice(parts, func(i, j int) bool {
		if parts[i].c != parts[j].c {
			return parts[i].c > parts[j].c
		}
		return parts[i].name < parts[j].name
	})
	var said []string
	for _, p := range parts {
		if len(said) == maxWhy {
			break
		}
		if p.name == FeatureRecency && w[FeatureNoticeRecent]*f[FeatureNoticeRecent] > 0 {
			continue // "sent 4 min ago" has said it
		}
		if s := reason(p.name, it, w[p.name] > defaults[p.name], ev); s != "" && !contains(said, s) {
			said = append(said, s)
		}
	}
	if len(said) == 0 {
		if ev.hasAt {
			return "from " + sourceName(it.Source) + ", " + ago(ev.age)
		}
		return "from " + sourceName(it.Source)
	}
	return strings.Join(said, "; ")
}

func reason(name string, it Item, learned bool, ev evidence) string {
	switch {
	case name == FeatureNoticeRecent:
		return "sent " + ago(ev.age) + ": " + clip(it.Title, 40)
	case name == FeatureTextMatch, strings.HasPrefix(name, matchPrefix):
		return "mentions " + quoteWords(ev.matched, 2)
	case name == FeatureDueSoon:
		return dueIn(ev.due)
	case name == FeatureRecency:
		return ago(ev.age)
	case name == FeatureAttention, strings.HasPrefix(name, attentionPrefix):
		return "status: " + strings.ToLower(strings.TrimSpace(it.Status))
	case name == FeatureImportance:
		return "marked important by " + sourceName(it.Source)
	case strings.HasPrefix(name, sourcePrefix) && learned:
		return "agents here often use items from " + sourceName(it.Source)
	case strings.HasPrefix(name, typePrefix) && learned:
		return "agents here often use " + strings.TrimPrefix(name, typePrefix) + " items"
	case name == sourcePrefix+SourceCallback:
		return "callback scheduled"
	case name == sourcePrefix+SourceTrail:
		return "what the customer looked up"
	case name == sourcePrefix+SourceConversation:
		return "earlier conversation"
	}
	return ""
}

// ago says an age the way a person does: "just now", "4 min ago", "3 h ago".
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// dueIn says when something falls due, relative to now.
func dueIn(d time.Duration) string {
	switch {
	case d < -24*time.Hour:
		return fmt.Sprintf("overdue by %d days", int(-d/(24*time.Hour)))
	case d <= -time.Hour:
		return fmt.Sprintf("overdue by %d h", int(-d/time.Hour))
	case d < 24*time.Hour:
		return "due today"
	case d < 48*time.Hour:
		return "due tomorrow"
	}
	return fmt.Sprintf("due in %d days", int(d/(24*time.Hour)))
}

func quoteWords(ws []string, n int) string {
	if len(ws) > n {
		ws = ws[:n]
	}
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, ", ")
}

func sourceName(s string) string {
	switch s {
	case SourceConversation:
		return "conversations"
	case SourceNotice:
		return "notices"
	case SourceCallback:
		return "callbacks"
	case SourceTrail:
		return "the self-service trail"
	case SourceArticle:
		return "knowledge"
	case SourceSimilar:
		return "similar cases"
	case "":
		return "an unnamed source"
	}
	return s
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
