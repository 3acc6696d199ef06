package dispatch

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// TestRuleMatch checks a rule's match as an OR of AND groups over the
// conversation's attributes and its customer's.
func TestRuleMatch(t *testing.T) {
	conv := conversation.Conversation{Channel: "webchat", Team: "Cards", Priority: 2, Tags: []string{"VIP", "fraud"},
		Subject: "My Gold card is blocked"}
	attrs := map[string]string{"tier": "gold"}
	cond := func(a, op, v string) Condition { return Condition{Attribute: a, Op: op, Value: v} }
	tests := []struct {
		name  string
		rule  RuleConfig
		queue string
		want  bool
	}{
		{"no groups match everything", RuleConfig{}, "q1", true},
		{"one group, all hold", RuleConfig{Match: [][]Condition{{cond("channel", "equals", "WebChat"), cond("team", "equals", "cards")}}}, "q1", true},
		{"one group, one fails", RuleConfig{Match: [][]Condition{{cond("channel", "equals", "webchat"), cond("team", "equals", "loans")}}}, "q1", false},
		{"the second group holds", RuleConfig{Match: [][]Condition{{cond("channel", "equals", "email")}, {cond("persona.tier", "equals", "gold")}}}, "q1", true},
		{"a missing attribute equals nothing", RuleConfig{Match: [][]Condition{{cond("persona.segment", "equals", "")}}}, "q1", false},
		{"not_equals of a missing attribute holds", RuleConfig{Match: [][]Condition{{cond("persona.segment", "not_equals", "retail")}}}, "q1", true},
		{"a tag the conversation has", RuleConfig{Match: [][]Condition{{cond("tag", "contains", "vip")}}}, "q1", true},
		{"a tag it has not", RuleConfig{Match: [][]Condition{{cond("tag", "contains", "vi")}}}, "q1", false},
		{"words in the subject", RuleConfig{Match: [][]Condition{{cond("subject", "contains", "gold card")}}}, "q1", true},
		{"priority at least", RuleConfig{Match: [][]Condition{{cond("priority", "at_least", "2")}}}, "q1", true},
		{"priority at most", RuleConfig{Match: [][]Condition{{cond("priority", "at_most", "1")}}}, "q1", false},
		{"another queue's rule", RuleConfig{QueueID: "q2"}, "q1", false},
		{"this queue's rule", RuleConfig{QueueID: "q1"}, "q1", true},
	}
	for _, tt := range tests {
		if got := tt.rule.matches(tt.queue, conv, attrs); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if !readsPersona([]RuleConfig{{}, {Match: [][]Condition{{cond("persona.tier", "equals", "gold")}}}}) || readsPersona([]RuleConfig{{Match: [][]Condition{{cond("tag", "contains", "x")}}}}) {
		t.Error("readsPersona")
	}
}
