package contextrank

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// contactEvents shows items with the given features at positions 1…n and
// adds the feedback given per position.
func contactEvents(id string, shown []Features, feedback map[int]EventKind) []Event {
	var evs []Event
	for i, f := range shown {
		evs = append(evs, Event{Kind: Impression, ContactID: id, ItemID: fmt.Sprint("i", i), Position: i + 1, Features: f, At: t0})
	}
	for pos, k := range feedback {
		evs = append(evs, Event{Kind: k, ContactID: id, ItemID: fmt.Sprint("i", pos-1), At: t0})
	}
	return evs
}

func randomList(rng *rand.Rand, n int, names ...string) []Features {
	out := make([]Features, n)
	for i := range out {
		out[i] = Features{}
		for _, f := range names {
			out[i][f] = rng.Float64()
		}
	}
	return out
}

// Clicks only ever at rank 1, on items put there at random: the position
// explains every click, so no feature may learn anything. The same run with
// uses following a feature shows the test could see learning if there were any.
func TestPositionBiasAloneTeachesNothing(t *testing.T) {
	names := []string{FeatureRecency, FeatureTextMatch, FeatureImportance, "source:billing"}
	for _, bias := range []PositionBias{DefaultCurve, NoCorrection{}, PowerCurve{Eta: 2, Floor: 0.05}} {
		t.Run(fmt.Sprintf("%T%v", bias, bias), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			m := NewModel("t1")
			l := Learner{Bias: bias}
			for c := range 5000 {
				kind := Use
				if c%3 == 0 {
					kind = Open
				}
				l.Learn(m, contactEvents(fmt.Sprint("c", c), randomList(rng, 10, names...), map[int]EventKind{1: kind}), t0)
			}
			for _, f := range names {
				if s := m.Shift(f); math.Abs(s) > 0.1 {
					t.Errorf("%s moved %.3f from its default on position-only clicks", f, s)
				}
			}
			if m.Contacts != 5000 || m.Feedback != 5000 {
				t.Errorf("counted %d contacts, %d feedback", m.Contacts, m.Feedback)
			}

			// Control: the agent uses the item with the highest text match,
			// wherever it is.
			m2 := NewModel("t1")
			for c := range 5000 {
				list := randomList(rng, 10, names...)
				best := 0
				for i, f := range list {
					if f[FeatureTextMatch] > list[best][FeatureTextMatch] {
						best = i
					}
				}
				l.Learn(m2, contactEvents(fmt.Sprint("c", c), list, map[int]EventKind{best + 1: Use}), t0)
			}
			if s := m2.Shift(FeatureTextMatch); s < 0.5 {
				t.Errorf("text match moved only %.3f when every use followed it", s)
			}
		})
	}
}

// Agents who use the item at rank 3 as often as the one at rank 1 when they
// see it — but look at rank 3 a third as often — teach the same as agents
// who see everything: the correction puts the rarely seen rank back.
func TestCorrectionWeighsRarelySeenPositionsUp(t *testing.T) {
	shown := []Features{{"a": 1}, {"b": 1}, {"c": 1}}
	corrected, naive := NewModel("t"), NewModel("t")
	for c := range 300 {
		fb := map[int]EventKind{1: Use}
		if c%3 == 0 { // rank 3 is seen a third as often as rank 1
			fb[3] = Use
		}
		evs := contactEvents(fmt.Sprint("c", c), shown, fb)
		Learner{Bias: PowerCurve{Eta: 1, Floor: 0.1}}.Learn(corrected, evs, t0)
		Learner{Bias: NoCorrection{}}.Learn(naive, evs, t0)
	}
	if d := math.Abs(corrected.Shift("a") - corrected.Shift("c")); d > 1e-9 {
		t.Errorf("corrected: a %.3f and c %.3f should be equal", corrected.Shift("a"), corrected.Shift("c"))
	}
	if naive.Shift("a") <= naive.Shift("c")+0.1 {
		t.Errorf("uncorrected: a %.3f should be well above c %.3f (the bias the correction removes)", naive.Shift("a"), naive.Shift("c"))
	}
	if corrected.Shift("b") >= 0 {
		t.Errorf("b, never used, shifted %.3f", corrected.Shift("b"))
	}
}

// Property: with clicks that do not depend on position, a feature on which
// the used item is always at least as high as every other shown item never
// ends below its default weight, whatever the lists, positions, curve and
// other features.
func TestConsistentlyUsedFeatureNeverLowered(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewModel("t")
		l := Learner{Bias: PowerCurve{Eta: rapid.Float64Range(0, 2).Draw(t, "eta"), Floor: rapid.Float64Range(0.01, 1).Draw(t, "floor")}}
		for c := range rapid.IntRange(1, 60).Draw(t, "contacts") {
			n := rapid.IntRange(1, 10).Draw(t, "n")
			list := make([]Features, n)
			for i := range list {
				x := rapid.Float64Range(0, 1).Draw(t, "x")
				// The neighbours move with text match, against it, or not at all.
				list[i] = Features{
					FeatureTextMatch: x,
					FeatureRecency:   rapid.Float64Range(0, 1).Draw(t, "y"),
					FeatureDueSoon:   math.Min(1, x*rapid.Float64Range(0, 2).Draw(t, "z")),
					FeatureAttention: math.Max(0, 1-x-rapid.Float64Range(0, 0.5).Draw(t, "v")),
				}
			}
			used := rapid.IntRange(0, n-1).Draw(t, "used")
			for _, f := range list {
				list[used][FeatureTextMatch] = math.Max(list[used][FeatureTextMatch], f[FeatureTextMatch])
			}
			fb := map[int]EventKind{used + 1: Use}
			if rapid.Bool().Draw(t, "opened too") {
				fb[used+1] = Open
			}
			l.Learn(m, contactEvents(fmt.Sprint("c", c), list, fb), t0)
			if w := m.Weights()[FeatureTextMatch]; w < DefaultWeights()[FeatureTextMatch] {
				t.Fatalf("after contact %d text match weight %.4f is below its default", c, w)
			}
		}
	})
}

func TestLearnLabels(t *testing.T) {
	shown := []Features{{"a": 1}, {"b": 1}}
	tests := []struct {
		name   string
		events []Event
		sign   float64 // sign of a's shift
	}{
		{"use", contactEvents("c", shown, map[int]EventKind{1: Use}), 1},
		{"dismiss", contactEvents("c", shown, map[int]EventKind{1: Dismiss}), -1},
		{"dismissed then used counts as used", append(contactEvents("c", shown, map[int]EventKind{1: Dismiss}),
			Event{Kind: Use, ContactID: "c", ItemID: "i0", At: t0}), 1},
		{"open then dismiss counts as opened", append(contactEvents("c", shown, map[int]EventKind{1: Open}),
			Event{Kind: Dismiss, ContactID: "c", ItemID: "i0", At: t0}), 1},
		{"no feedback, nothing learned", contactEvents("c", shown, nil), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewModel("t")
			Learner{}.Learn(m, tt.events, t0)
			if s := m.Shift("a"); math.Copysign(1, s) != math.Copysign(1, tt.sign) || (tt.sign == 0) != (s == 0) {
				t.Fatalf("a shifted %.3f, want sign %v", s, tt.sign)
			}
		})
	}
}

func TestLearnSkipsWhatItCannotPlace(t *testing.T) {
	m := NewModel("t")
	evs := []Event{
		{Kind: "click", ContactID: "c", ItemID: "i0"},
		{Kind: Use, ContactID: "", ItemID: "i0"},
		{Kind: Impression, ContactID: "c", ItemID: "i0", Position: 0},
		{Kind: Use, ContactID: "c", ItemID: "never-shown"},
		{Kind: Use, ContactID: "c2", ItemID: "x"}, // a contact with no impressions
	}
	if n := (Learner{}).Learn(m, evs, t0); n != 5 {
		t.Fatalf("skipped %d, want 5", n)
	}
	if m.Contacts != 0 || len(m.Signal) != 0 {
		t.Fatalf("learned from nothing: %+v", m)
	}
}

func TestEventValidateNamesTheField(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{Event{Kind: "click", ContactID: "c", ItemID: "i"}, "kind:"},
		{Event{Kind: Use, ItemID: "i"}, "contact_id:"},
		{Event{Kind: Use, ContactID: "c"}, "item_id:"},
		{Event{Kind: Impression, ContactID: "c", ItemID: "i", Position: 0}, "position:"},
	}
	for _, tt := range tests {
		if err := tt.ev.Validate(); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %s…", tt.ev, err, tt.want)
		}
	}
	if err := (Event{Kind: Dismiss, ContactID: "c", ItemID: "i"}).Validate(); err != nil {
		t.Errorf("a valid dismissal: %v", err)
	}
}

func TestTableCurve(t *testing.T) {
	c := TableCurve{1, 0.5, 0.25}
	for pos, want := range map[int]float64{0: 1, 1: 1, 2: 0.5, 3: 0.25, 9: 0.25} {
		if got := c.Propensity(pos); got != want {
			t.Errorf("position %d: %v, want %v", pos, got, want)
		}
	}
	if (TableCurve{}).Propensity(3) != 1 || (TableCurve{0}).Propensity(1) != 1e-3 {
		t.Error("an empty or zero table must not divide by zero")
	}
}

// A neighbour that explains the uses better must not push a consistently
// used feature down. Half the contacts show the used item higher on both f
// and g by 1; the other half only on g, by 0.5. Least squares alone would
// give f −1 and g +2 (f + g = 1 and 0.5·g = 1); held to its own evidence,
// f stays at or above its default while g rises.
func TestNeighbourDoesNotLowerAConsistentlyUsedFeature(t *testing.T) {
	m := NewModel("t")
	for c := range 4000 {
		shown := []Features{{"f": 1, "g": 1}, {}}
		if c%2 == 1 {
			shown = []Features{{"f": 0.5, "g": 0.5}, {"f": 0.5}}
		}
		Learner{Bias: NoCorrection{}}.Learn(m, contactEvents(fmt.Sprint("c", c), shown, map[int]EventKind{1: Use}), t0)
	}
	if s := m.Shift("f"); s < 0 {
		t.Errorf("f lowered by %.3f though the used item never had less of it", s)
	}
	if s := m.Shift("g"); s < 1 {
		t.Errorf("g rose only %.3f", s)
	}
}
