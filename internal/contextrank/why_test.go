package contextrank

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

func TestWhy(t *testing.T) {
	tests := []struct {
		name  string
		item  Item
		words string
		w     Weights
		want  string
	}{
		{"the notice sent minutes ago", Item{Source: SourceNotice, Title: "Card blocked", At: t0.Add(-4 * time.Minute)}, "",
			DefaultWeights(), "sent 4 min ago: Card blocked"},
		{"the customer's word", Item{Source: "billing", Title: "Invoice 2026-11"}, "question about my invoices", DefaultWeights(), "mentions 'invoices'"},
		{"due today and overdue", Item{Source: "billing", Title: "Invoice", Status: "overdue", Due: t0.Add(-3 * time.Hour)}, "",
			DefaultWeights(), "overdue by 3 h; status: overdue"},
		{"due soon in days", Item{Source: "orders", Due: t0.Add(50 * time.Hour)}, "", Weights{FeatureDueSoon: 1}, "due in 2 days"},
		{"a scheduled callback", Item{Source: SourceCallback, Title: "Callback"}, "", DefaultWeights(), "callback scheduled"},
		{"the hint", Item{Source: "crm", Importance: 1}, "", Weights{FeatureImportance: 1}, "marked important by crm"},
		{"a learned source", Item{Source: "billing"}, "", Weights{"source:billing": 1}, "agents here often use items from billing"},
		{"a learned match on one source", Item{Source: "billing", Title: "Invoice", Status: "disputed"}, "my invoice",
			Weights{"match:billing": 1, "attention:billing": 0.5}, "mentions 'invoice'; status: disputed"},
		{"nothing to say", Item{Source: SourceArticle, At: t0.Add(-3 * 24 * time.Hour)}, "", Weights{}, "from knowledge, 3 days ago"},
		{"a long title is clipped", Item{Source: SourceNotice, Title: "Your monthly statement for the savings account ending 0042 is ready", At: t0.Add(-90 * time.Second)}, "",
			Weights{FeatureNoticeRecent: 1}, "sent 1 min ago: Your monthly statement for the savings…"},
		{"a negative weight is no reason", Item{Source: "offers", Importance: 1}, "", Weights{FeatureImportance: -1}, "from offers"},
	}
	rk := NewRanker(clock.NewFake(t0))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.ID = "x"
			got := rk.Rank(tt.w, Contact{Words: tt.words}, []Item{tt.item})
			if len(got) != 1 || got[0].Why != tt.want {
				t.Fatalf("why = %q, want %q", got[0].Why, tt.want)
			}
		})
	}
}

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "just now", 59 * time.Second: "just now", 4 * time.Minute: "4 min ago",
		3 * time.Hour: "3 h ago", 47 * time.Hour: "47 h ago", 72 * time.Hour: "3 days ago"} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}
