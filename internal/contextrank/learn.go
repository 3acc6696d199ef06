package contextrank

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// EventKind is what an agent did with a shown item.
type EventKind string

// The feedback events. An impression is recorded for every item shown, with
// its position and features; the others name an item of an impression.
const (
	Impression EventKind = "impression"
	Open       EventKind = "open"    // the agent expanded or followed it
	Use        EventKind = "use"     // inserted into a reply, linked, or acted on
	Dismiss    EventKind = "dismiss" // the agent said "not relevant"
)

// labels are what each event says about an item's use for this contact. An
// item both opened and used counts as used; a dismissal counts only when
// the agent did nothing else with the item.
var labels = map[EventKind]float64{Open: 0.5, Use: 1, Dismiss: -0.5}

// Event is one feedback event. Impressions carry the item's features as
// they were when shown, so learning needs neither the item nor the clock of
// that moment again.
type Event struct {
	Kind      EventKind `json:"kind"`
	ContactID string    `json:"contact_id"`
	ItemID    string    `json:"item_id"`
	// Position is the 1-based rank the item was shown at (impressions).
	Position int       `json:"position,omitempty"`
	Features Features  `json:"features,omitempty"`
	At       time.Time `json:"at"`
}

// Validate says what is wrong with an event, naming the field.
func (e Event) Validate() error {
	switch {
	case e.Kind != Impression && labels[e.Kind] == 0:
		return fmt.Errorf("kind: %q is not one of impression, open, use, dismiss", e.Kind)
	case e.ContactID == "":
		return fmt.Errorf("contact_id: required")
	case e.ItemID == "":
		return fmt.Errorf("item_id: required")
	case e.Kind == Impression && e.Position < 1:
		return fmt.Errorf("position: must be 1 or more on an impression, got %d", e.Position)
	}
	return nil
}

// Learner folds feedback into a tenant's model with a position-bias correction.
type Learner struct {
	Bias PositionBias
}

// Learn folds the events of finished contacts into m, at now. Events are
// grouped by contact; a contact whose impressions are missing teaches
// nothing (its opens cannot be placed), and an invalid event is skipped —
// feedback is evidence, not a command, and one bad event must not lose the
// rest. It returns how many events were skipped.
//
// For each contact and feature, the shown items' mean x̄ is taken; each
// item with feedback adds label/propensity(position) × (x − x̄) to the
// feature's signal, and every shown item adds (x − x̄)² to its spread and
// (x_f − x̄_f)(x_g − x̄_g) to each pair's cross-product. When clicks follow
// position alone, items at every rank are alike on average and the signal
// stays near zero; when uses follow a feature, it grows.
func (l Learner) Learn(m *Model, events []Event, now time.Time) (skipped int) {
	bias := l.Bias
	if bias == nil {
		bias = DefaultCurve
	}
	type shown struct {
		pos      int
		features Features
		label    float64
		labelled bool
	}
	type contact struct {
		order []string
		items map[string]*shown
	}
	contacts := map[string]*contact{}
	var order []string
	for _, e := range events {
		if e.Validate() != nil {
			skipped++
			continue
		}
		c := contacts[e.ContactID]
		if c == nil {
			c = &contact{items: map[string]*shown{}}
			contacts[e.ContactID] = c
			order = append(order, e.ContactID)
		}
		s := c.items[e.ItemID]
		if s == nil {
			s = &shown{}
			c.items[e.ItemID] = s
			c.order = append(c.order, e.ItemID)
		}
		if e.Kind == Impression {
			s.pos, s.features = e.Position, e.Features
			continue
		}
		lab := labels[e.Kind]
		if !s.labelled {
			s.label, s.labelled = lab, true
		}
		s.label = max(s.label, lab)
	}
	for _, id := range order {
		c := contacts[id]
		var list []*shown
		for _, iid := range c.order {
			if s := c.items[iid]; s.pos > 0 {
				list = append(list, s)
			} else {
				skipped++ // feedback on an item never shown
			}
		}
		if len(list) == 0 {
			continue
		}
		mean := map[string]float64{}
		for _, s := range list {
			for f, v := range s.features {
				mean[f] += v / float64(len(list))
			}
		}
		for f, mu := range mean {
			for _, s := range list {
				d := s.features[f] - mu
				m.Spread[f] += d * d
				if s.labelled && d != 0 {
					m.Signal[f] += s.label / bias.Propensity(s.pos) * d
				}
			}
		}
		names := slices.Sorted(maps.Keys(mean))
		for i, f := range names {
			for _, g := range names[i+1:] {
				var c float64
				for _, s := range list {
					c += (s.features[f] - mean[f]) * (s.features[g] - mean[g])
				}
				if c != 0 {
					m.Cross[pairKey(f, g)] += c
				}
			}
		}
		for _, s := range list {
			if s.labelled {
				m.Feedback++
			}
		}
		m.Contacts++
	}
	m.UpdatedAt = now
	return skipped
}
