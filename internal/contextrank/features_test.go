package contextrank

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)

func TestFeatures(t *testing.T) {
	tests := []struct {
		name  string
		item  Item
		words string
		want  Features
	}{
		{"nothing known gives only the source", Item{Source: "billing"}, "", Features{"source:billing": 1}},
		{"recency halves every six hours", Item{Source: "orders", At: t0.Add(-6 * time.Hour)}, "",
			Features{FeatureRecency: 0.5, "source:orders": 1}},
		{"a notice sent 30 min ago", Item{Source: SourceNotice, At: t0.Add(-30 * time.Minute)}, "",
			Features{FeatureRecency: math.Exp2(-1.0 / 12), FeatureNoticeRecent: 0.5, "source:notice": 1}},
		{"a notice older than a day is not recent", Item{Source: SourceNotice, At: t0.Add(-25 * time.Hour)}, "",
			Features{FeatureRecency: math.Exp2(-25.0 / 6), "source:notice": 1}},
		{"an item from the future counts as now", Item{Source: "x", At: t0.Add(time.Hour)}, "", Features{FeatureRecency: 1, "source:x": 1}},
		{"due today", Item{Source: "billing", Due: t0.Add(5 * time.Hour)}, "", Features{FeatureDueSoon: 1, "source:billing": 1}},
		{"due in four days", Item{Source: "billing", Due: t0.Add(96 * time.Hour)}, "", Features{FeatureDueSoon: 0.5, "source:billing": 1}},
		{"due in eight days", Item{Source: "billing", Due: t0.Add(192 * time.Hour)}, "", Features{"source:billing": 1}},
		{"overdue by three days", Item{Source: "billing", Due: t0.Add(-72 * time.Hour)}, "", Features{FeatureDueSoon: 1, "source:billing": 1}},
		{"overdue by a month is history", Item{Source: "billing", Due: t0.Add(-720 * time.Hour)}, "", Features{"source:billing": 1}},
		{"status that needs attention, any case", Item{Source: "cards", Type: "Card", Status: " Blocked "}, "",
			Features{FeatureAttention: 1, "source:cards": 1, "type:card": 1, "attention:cards": 1}},
		{"status that does not", Item{Source: "cards", Status: "active"}, "", Features{"source:cards": 1}},
		{"importance is clamped", Item{Source: "crm", Importance: 3}, "", Features{FeatureImportance: 1, "source:crm": 1}},
		{"negative importance is none", Item{Source: "crm", Importance: -1}, "", Features{"source:crm": 1}},
		{"one strong word in a short message", Item{Source: "billing", Title: "Invoice 2026-11"}, "hi, about my invoices please", Features{FeatureTextMatch: 1, "source:billing": 1, "match:billing": 1}},
		{"two of four words", Item{Source: "cards", Title: "Visa card", Status: "blocked"}, "card blocked after paying rent abroad",
			Features{FeatureTextMatch: 2.0 / 3, FeatureAttention: 1, "source:cards": 1, "match:cards": 2.0 / 3, "attention:cards": 1}},
		{"fields are matched too", Item{Source: "orders", Fields: map[string]string{"carrier": "DHL parcel"}}, "my parcel",
			Features{FeatureTextMatch: 1, "source:orders": 1, "match:orders": 1}},
		{"stopwords never match", Item{Source: "kb", Title: "How can we help you today"}, "hello can you help me today", Features{"source:kb": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := compute(tt.item, newQuery(tt.words), t0)
			if len(got) != len(tt.want) {
				t.Fatalf("features %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if math.Abs(got[k]-v) > 1e-9 {
					t.Fatalf("%s = %v, want %v (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{"invoices": "invoice", "blocked": "block", "charging": "charg", "charges": "charge",
		"deliveries": "delivery", "applied": "apply", "address": "address", "bus": "bus"} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}
