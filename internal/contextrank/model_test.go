package contextrank

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// trained is a model whose agents always use the item with the most text
// match and dismiss the one with the highest importance hint.
func trained(t *testing.T) *Model {
	t.Helper()
	m := NewModel("t1")
	for c := range 200 {
		shown := []Features{
			{FeatureImportance: 1, "source:offers": 1},
			{FeatureTextMatch: 1, "source:billing": 1},
			{FeatureRecency: 0.5, "source:transactions": 1},
		}
		Learner{}.Learn(m, contactEvents(fmt.Sprint("c", c), shown, map[int]EventKind{1: Dismiss, 2: Use}), t0)
	}
	return m
}

func TestNewModelRanksByDefaults(t *testing.T) {
	m := NewModel("t1")
	w, d := m.Weights(), DefaultWeights()
	if len(w) != len(d) {
		t.Fatalf("weights %v, defaults %v", w, d)
	}
	for f, v := range d {
		if w[f] != v {
			t.Errorf("%s = %v, default %v", f, w[f], v)
		}
	}
	w[FeatureRecency] = 99
	if DefaultWeights()[FeatureRecency] == 99 {
		t.Fatal("changing a weights map changed the defaults")
	}
}

func TestModelRoundTripAndReset(t *testing.T) {
	m := trained(t)
	if m.Shift(FeatureTextMatch) <= 0 || m.Shift(FeatureImportance) >= 0 || m.Shift("source:offers") >= 0 {
		t.Fatalf("learned the wrong way: %v", m.Weights())
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"version":1`) {
		t.Fatalf("no version in %s", b)
	}
	back, err := UnmarshalModel(b)
	if err != nil {
		t.Fatal(err)
	}
	for f, v := range m.Weights() {
		if back.Weights()[f] != v {
			t.Errorf("%s: %v after the round trip, %v before", f, back.Weights()[f], v)
		}
	}
	later := t0.Add(time.Hour)
	back.Reset(later)
	if back.Contacts != 0 || back.Feedback != 0 || !back.ResetAt.Equal(later) || back.TenantID != "t1" {
		t.Fatalf("after reset: %+v", back)
	}
	for f, v := range DefaultWeights() {
		if back.Weights()[f] != v {
			t.Errorf("after reset %s = %v, default %v", f, back.Weights()[f], v)
		}
	}
}

func TestUnmarshalModelRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		is       error
		says     string
	}{
		{"another version", `{"version":2,"tenant_id":"t"}`, ErrVersion, "version not supported: 2"},
		{"no version", `{"tenant_id":"t"}`, ErrVersion, "version not supported: 0"},
		{"not JSON", `{`, nil, "read model"},
		{"a negative spread", `{"version":1,"spread":{"recency":-1}}`, nil, `spread of "recency"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := UnmarshalModel([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.says) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("err %v, want one saying %q", err, tt.says)
			}
		})
	}
	m, err := UnmarshalModel([]byte(`{"version":1,"tenant_id":"t"}`))
	if err != nil || m.Signal == nil || m.Spread == nil {
		t.Fatalf("a model with no statistics: %+v, %v", m, err)
	}
}

func TestLearnedSaysWhatMoved(t *testing.T) {
	fresh := NewModel("t1").Learned()
	if fresh.Summary != "Nothing learned yet: the ranking uses the defaults." || len(fresh.Lessons) != len(DefaultWeights()) {
		t.Fatalf("fresh: %+v", fresh)
	}
	for _, l := range fresh.Lessons {
		if l.Weight != l.Default || !strings.HasSuffix(l.Words, "as by default.") {
			t.Fatalf("fresh lesson %+v", l)
		}
	}
	got := trained(t).Learned()
	if got.Contacts != 200 || got.Feedback != 400 || !strings.HasPrefix(got.Summary, "Learned from 200 contacts") {
		t.Fatalf("summary %+v", got)
	}
	byFeature := map[string]Lesson{}
	for _, l := range got.Lessons {
		byFeature[l.Feature] = l
	}
	if l := byFeature[FeatureTextMatch]; l.Weight <= l.Default || !strings.HasPrefix(l.Words, "Mentioning the customer's words: weighs more than by default (2.00 → ") {
		t.Errorf("text match: %+v", l)
	}
	if l := byFeature["source:offers"]; l.Weight >= 0 || !strings.HasPrefix(l.Words, "Items from offers: weighs less") {
		t.Errorf("offers: %+v", l)
	}
	if l := byFeature[FeatureDueSoon]; l.Weight != l.Default {
		t.Errorf("due soon never varied but moved: %+v", l)
	}
	first := got.Lessons[0]
	for _, l := range got.Lessons[1:] {
		if abs(l.Weight-l.Default) > abs(first.Weight-first.Default) {
			t.Errorf("lessons not largest change first: %+v before %+v", first, l)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
