package swarm

import (
	"math"
	"slices"
	"time"
)

// Query is what the learned ranker scores people for: a room opened at Now,
// the similar past cases' evidence (best first, Similarity set) and the
// areas the room's conversation is about. Evidence resolved at or after Now
// is left out, as the history's work is: nothing from the future of the
// moment asked about counts, which is what lets the trainer score past
// cases as they stood when they came in.
type Query struct {
	Now      time.Time
	Evidence []Evidence
	Areas    []AreaRef
}

// FeatureWindow is how far back the features read: the learned areas'
// eight half-lives, the work the store reads for a room.
const FeatureWindow = 8 * ExpertiseHalfLife

const oneDay = 24 * time.Hour

// The features of one person for one query, in this order. Counts are
// logarithmic (log 1+n): the tenth case says less than the first.
const (
	fEvidence        = iota // similar cases they resolved: similarity share of the closest, halved per year of age (the hand-weighted evidence)
	fEvidenceRaw            // the same, not aged
	fNearest                // 1 / the rank of the nearest similar case they resolved
	fTop10                  // how many of the ten nearest cases they resolved
	fAreaShare              // their work in the room's areas (half-life 90 days), as a share of the most anyone has
	fAreaYear               // their resolutions in the room's areas in the last year
	fAreaRecentShare        // their share of the room's areas' resolutions in the last 90 days
	fActive30               // their resolutions in the last 30 days
	fActive90               // ... 90 days
	fActive365              // ... 365 days
	fIdle                   // days since they last resolved anything (the window when never)
	fAreaIdle               // days since they last resolved in the room's areas
	fHand                   // the hand weights' score: evidence plus weightArea × area share (RankExperts without profiles)
	fHandRank               // 1 / their rank by it among the people scored
	numFeatures
)

// FeatureNames are the features' names, in order, for the ranker's weights
// to be read by people.
var FeatureNames = [numFeatures]string{
	"evidence", "evidence_unaged", "nearest", "top10", "area_share", "area_year", "area_recent_share",
	"active_30d", "active_90d", "active_365d", "idle_days", "area_idle_days", "hand", "hand_rank",
}

// Features lists the people worth scoring for q and their features: anyone
// the evidence names, anyone who resolved something in the year before Now,
// and anyone who worked the room's areas in the window — those in allowed
// only, when allowed is not nil (the tenant's current users). People come
// in id order.
func (h *History) Features(q Query, allowed map[string]bool) ([]string, [][]float64) {
	from := q.Now.Add(-FeatureWindow)
	var ev []Evidence
	best := 0.0
	for _, e := range q.Evidence {
		if !e.ResolvedAt.IsZero() && !e.ResolvedAt.Before(q.Now) {
			continue // resolved after the moment asked about
		}
		if e.Similarity > 0 {
			ev = append(ev, e)
			best = max(best, e.Similarity)
		}
	}
	var areas []*areaHistory
	seen := map[string]bool{}
	for _, a := range q.Areas {
		if x := h.byArea[a.key()]; x != nil && !seen[a.key()] {
			seen[a.key()] = true
			areas = append(areas, x)
		}
	}
	users := map[string]bool{}
	for _, e := range ev {
		users[e.ResolverID] = true
	}
	for _, u := range h.active(q.Now.Add(-365*oneDay), q.Now) {
		users[u] = true
	}
	for _, a := range areas {
		for u, ts := range a.byUser {
			if between(ts, from, q.Now) > 0 {
				users[u] = true
			}
		}
	}
	var ids []string
	for u := range users {
		if u != "" && (allowed == nil || allowed[u]) {
			ids = append(ids, u)
		}
	}
	slices.Sort(ids)
	idx := make(map[string]int, len(ids))
	xs := make([][]float64, len(ids))
	for i, u := range ids {
		idx[u] = i
		xs[i] = make([]float64, numFeatures)
	}
	// Evidence: once per person and case.
	counted := map[string]bool{}
	for rank, e := range ev {
		i, ok := idx[e.ResolverID]
		if !ok || counted[e.ResolverID+"\x00"+e.ConversationID] {
			continue
		}
		counted[e.ResolverID+"\x00"+e.ConversationID] = true
		x := xs[i]
		sim := e.Similarity / best
		x[fEvidenceRaw] += sim
		x[fEvidence] += sim * recency(e.ResolvedAt, q.Now)
		if x[fNearest] == 0 {
			x[fNearest] = 1 / float64(rank+1)
		}
		if rank < 10 {
			x[fTop10]++
		}
	}
	areaTotal90 := 0
	for _, a := range areas {
		areaTotal90 += between(a.all, q.Now.Add(-90*oneDay), q.Now)
	}
	bestArea := 0.0
	window := FeatureWindow.Hours() / 24
	for i, u := range ids {
		x := xs[i]
		ts := h.byUser[u]
		x[fActive30] = float64(between(ts, q.Now.Add(-30*oneDay), q.Now))
		x[fActive90] = float64(between(ts, q.Now.Add(-90*oneDay), q.Now))
		x[fActive365] = float64(between(ts, q.Now.Add(-365*oneDay), q.Now))
		x[fIdle] = idleDays(lastBefore(ts, q.Now), from, q.Now, window)
		var areaLast time.Time
		areaYear, area90 := 0, 0
		for _, a := range areas {
			uts := a.byUser[u]
			x[fAreaShare] += agedSum(uts, from, q.Now, ExpertiseHalfLife)
			areaYear += between(uts, q.Now.Add(-365*oneDay), q.Now)
			area90 += between(uts, q.Now.Add(-90*oneDay), q.Now)
			areaLast = later(areaLast, lastBefore(uts, q.Now))
		}
		bestArea = max(bestArea, x[fAreaShare])
		x[fAreaYear] = float64(areaYear)
		if areaTotal90 > 0 {
			x[fAreaRecentShare] = float64(area90) / float64(areaTotal90)
		}
		x[fAreaIdle] = idleDays(areaLast, from, q.Now, window)
	}
	for _, x := range xs {
		if bestArea > 0 {
			x[fAreaShare] /= bestArea
		}
		x[fHand] = x[fEvidence] + weightArea*x[fAreaShare]
		for _, f := range []int{fTop10, fAreaYear, fActive30, fActive90, fActive365, fIdle, fAreaIdle} {
			x[f] = math.Log1p(x[f])
		}
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case xs[a][fHand] > xs[b][fHand]:
			return -1
		case xs[a][fHand] < xs[b][fHand]:
			return 1
		}
		return 0
	})
	for r, i := range order {
		if xs[i][fHand] > 0 {
			xs[i][fHandRank] = 1 / float64(r+1)
		}
	}
	return ids, xs
}

// idleDays is the days from last to now, or the whole window when last is
// before it (or never).
func idleDays(last, from, now time.Time, window float64) float64 {
	if last.IsZero() || last.Before(from) {
		return window
	}
	return now.Sub(last).Hours() / 24
}
