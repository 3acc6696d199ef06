package listening_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/listening"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func f(v float64) *float64 { return &v }

func rule(mut func(*listening.Rule)) listening.Rule {
	r := listening.Rule{ID: "r1", Name: "complaints", Enabled: true, Priority: conversation.PriorityHigh, Queue: "Social"}
	mut(&r)
	n, err := listening.Normalize(r)
	if err != nil {
		panic(err)
	}
	return n
}

func TestRuleMatches(t *testing.T) {
	post := listening.Post{Network: "mastodon", ID: "1", Text: "My Acme router is broken again, I want a refund!",
		Language: "en", Hashtags: []string{"acme"}, Mentions: []string{"support@acme.example"},
		Author: listening.Author{Handle: "ann@social.example", Followers: 1200}, Visibility: "public"}
	cases := []struct {
		name string
		rule listening.Rule
		want bool
	}{
		{"keyword", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"} }), true},
		{"keyword any case", rule(func(r *listening.Rule) { r.Keywords = []string{"ACME Router"} }), true},
		{"keyword whole word only", rule(func(r *listening.Rule) { r.Keywords = []string{"rout"} }), false},
		{"phrase not adjacent", rule(func(r *listening.Rule) { r.Keywords = []string{"acme broken"} }), false},
		{"any of the keywords", rule(func(r *listening.Rule) { r.Keywords = []string{"outage", "refund"} }), true},
		{"hashtag with #", rule(func(r *listening.Rule) { r.Hashtags = []string{"#Acme"} }), true},
		{"other hashtag", rule(func(r *listening.Rule) { r.Hashtags = []string{"globex"} }), false},
		{"mention", rule(func(r *listening.Rule) { r.Mentions = []string{"@support@acme.example"} }), true},
		{"other mention", rule(func(r *listening.Rule) { r.Mentions = []string{"sales@acme.example"} }), false},
		{"keyword and hashtag", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.Hashtags = []string{"globex"} }), false},
		{"language", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.Languages = []string{"en", "de"} }), true},
		{"other language", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.Languages = []string{"fr"} }), false},
		{"reach", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.MinFollowers = 1000 }), true},
		{"too little reach", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.MinFollowers = 5000 }), false},
		{"negative enough", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.MaxSentiment = f(-0.2) }), true},
		{"disabled", rule(func(r *listening.Rule) { r.Keywords = []string{"refund"}; r.Enabled = false }), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, _ := c.rule.Matches(post); got != c.want {
				t.Fatalf("Matches = %v, want %v (rule %+v)", got, c.want, c.rule)
			}
		})
	}
	praise := post
	praise.Text = "I love my Acme router, great and fast"
	if ok, score := rule(func(r *listening.Rule) { r.Keywords = []string{"acme"}; r.MaxSentiment = f(-0.2) }).Matches(praise); ok || score <= 0 {
		t.Fatalf("praise matched a complaints rule (score %v)", score)
	}
}

func TestDecidePicksHighestPriority(t *testing.T) {
	low := rule(func(r *listening.Rule) {
		r.ID, r.Name, r.Keywords, r.Priority, r.Queue = "a", "brand", []string{"acme"}, conversation.PriorityLow, "Brand"
	})
	urgent := rule(func(r *listening.Rule) {
		r.ID, r.Name, r.Keywords, r.Priority, r.Queue = "b", "outage", []string{"down"}, conversation.PriorityUrgent, "Ops"
	})
	high := rule(func(r *listening.Rule) {
		r.ID, r.Name, r.Keywords, r.Priority = "c", "also urgent", []string{"acme"}, conversation.PriorityUrgent
	})
	p := listening.Post{Text: "Is Acme down for everyone?"}
	m, ok := listening.Decide([]listening.Rule{low, urgent, high}, p)
	if !ok || m.RuleID != "b" || m.Priority != conversation.PriorityUrgent || m.Queue != "Ops" {
		t.Fatalf("Decide = %+v, %v; want rule b (first of the urgent ones)", m, ok)
	}
	if _, ok := listening.Decide([]listening.Rule{low, urgent}, listening.Post{Text: "nothing to see"}); ok {
		t.Fatal("a post no rule matches was taken")
	}
}

func TestNormalizeRefuses(t *testing.T) {
	cases := []struct {
		name, field string
		r           listening.Rule
	}{
		{"no name", "name", listening.Rule{Keywords: []string{"a"}}},
		{"no criterion", "keywords", listening.Rule{Name: "x", Languages: []string{"en"}}},
		{"blank terms only", "keywords", listening.Rule{Name: "x", Keywords: []string{"  ", "#"}}},
		{"bad language", "languages", listening.Rule{Name: "x", Keywords: []string{"a"}, Languages: []string{"english"}}},
		{"bad hashtag", "hashtags", listening.Rule{Name: "x", Hashtags: []string{"two words"}}},
		{"sentiment out of range", "max_sentiment", listening.Rule{Name: "x", Keywords: []string{"a"}, MaxSentiment: f(2)}},
		{"priority", "priority", listening.Rule{Name: "x", Keywords: []string{"a"}, Priority: 9}},
		{"followers", "min_followers", listening.Rule{Name: "x", Keywords: []string{"a"}, MinFollowers: -1}},
	}
	for _, c := range cases {
		_, err := listening.Normalize(c.r)
		fe, ok := err.(*tenant.FieldError)
		if !ok || fe.Field != c.field {
			t.Errorf("%s: err = %v, want a FieldError on %s", c.name, err, c.field)
		}
	}
	r, err := listening.Normalize(listening.Rule{Name: " x ", Hashtags: []string{"#Acme", "acme"}, Mentions: []string{"@Support@Acme.example"}})
	if err != nil || len(r.Hashtags) != 1 || r.Hashtags[0] != "acme" || r.Mentions[0] != "support@acme.example" || r.Name != "x" {
		t.Fatalf("Normalize = %+v, %v", r, err)
	}
}

func TestSentiment(t *testing.T) {
	for _, c := range []struct {
		text string
		want float64
	}{
		{"", 0},
		{"the router arrived on Tuesday", 0},
		{"great service, thanks!", 1},
		{"terrible, broken and slow", -1},
		{"not good", -1},
		{"never bad", 1},
		{"good router but slow delivery", 0},
	} {
		if got := listening.Sentiment(c.text); got != c.want {
			t.Errorf("Sentiment(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestStreamsFor(t *testing.T) {
	rules := []listening.Rule{
		rule(func(r *listening.Rule) { r.Hashtags = []string{"acme", "acmehelp"} }),
		rule(func(r *listening.Rule) { r.Mentions = []string{"support@acme.example"} }),
		rule(func(r *listening.Rule) { r.Hashtags = []string{"acme"}; r.Keywords = []string{"refund"} }),
	}
	s := listening.StreamsFor(rules)
	if len(s.Hashtags) != 2 || s.Public {
		t.Fatalf("StreamsFor = %+v; want two hashtags and no public timeline", s)
	}
	rules = append(rules, rule(func(r *listening.Rule) { r.Keywords = []string{"acme"} }))
	if !listening.StreamsFor(rules).Public {
		t.Fatal("a keyword-only rule needs the public timeline")
	}
}
