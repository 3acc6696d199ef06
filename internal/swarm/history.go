package swarm

import (
	"math"
	"slices"
	"time"
)

// History is a tenant's resolved work, indexed for the learned ranker's
// features: when each person resolved something, and when each area's
// conversations were resolved and by whom. It is built once from the
// resolved signals (the store's SwarmSignals) and read for any moment: every
// figure is taken over the work resolved before that moment only, so the
// same history serves a room opened now and the training cases of the past.
type History struct {
	byUser map[string][]time.Time
	byArea map[string]*areaHistory
}

type areaHistory struct {
	all    []time.Time
	byUser map[string][]time.Time
}

// NewHistory indexes the resolved signals (other kinds are left out), once
// per person and conversation.
func NewHistory(signals []Signal) *History {
	h := &History{byUser: map[string][]time.Time{}, byArea: map[string]*areaHistory{}}
	seen := map[string]bool{}
	for _, s := range signals {
		if s.Kind != WhyResolved || s.UserID == "" {
			continue
		}
		once := s.UserID + "\x00" + s.ConversationID
		if seen[once] {
			continue
		}
		seen[once] = true
		h.byUser[s.UserID] = append(h.byUser[s.UserID], s.At)
		areas := map[string]bool{}
		for _, a := range s.Areas {
			if k := a.key(); !areas[k] && a.Name != "" {
				areas[k] = true
				x := h.byArea[k]
				if x == nil {
					x = &areaHistory{byUser: map[string][]time.Time{}}
					h.byArea[k] = x
				}
				x.all = append(x.all, s.At)
				x.byUser[s.UserID] = append(x.byUser[s.UserID], s.At)
			}
		}
	}
	for _, ts := range h.byUser {
		slices.SortFunc(ts, time.Time.Compare)
	}
	for _, a := range h.byArea {
		slices.SortFunc(a.all, time.Time.Compare)
		for _, ts := range a.byUser {
			slices.SortFunc(ts, time.Time.Compare)
		}
	}
	return h
}

// between is how many of the sorted times fall in [from, to).
func between(ts []time.Time, from, to time.Time) int {
	i, _ := slices.BinarySearchFunc(ts, from, time.Time.Compare)
	j, _ := slices.BinarySearchFunc(ts, to, time.Time.Compare)
	return max(j-i, 0)
}

// lastBefore is the latest of the sorted times before t, or zero.
func lastBefore(ts []time.Time, t time.Time) time.Time {
	j, _ := slices.BinarySearchFunc(ts, t, time.Time.Compare)
	if j == 0 {
		return time.Time{}
	}
	return ts[j-1]
}

// agedSum adds each time in [from, to) halved per half-life before to.
func agedSum(ts []time.Time, from, to time.Time, half time.Duration) float64 {
	i, _ := slices.BinarySearchFunc(ts, from, time.Time.Compare)
	j, _ := slices.BinarySearchFunc(ts, to, time.Time.Compare)
	s := 0.0
	for _, t := range ts[i:max(i, j)] {
		s += math.Exp2(-float64(to.Sub(t)) / float64(half))
	}
	return s
}

// active lists the people who resolved something in [from, to).
func (h *History) active(from, to time.Time) []string {
	var out []string
	for u, ts := range h.byUser {
		if between(ts, from, to) > 0 {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}
