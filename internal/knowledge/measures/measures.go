// Package measures computes a tenant's KCS "Evolve loop" measures over a
// period from plain rows: how often agents link knowledge when they resolve
// conversations, which articles are reused, how much is new versus known,
// how many help-center visitors help themselves, what readers say about
// articles, and how fast flagged articles are fixed. It does no I/O and reads
// no clock: the rows and "now" are given (docs/knowledge-measures.md).
package measures

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// SelfServiceWindow is how long after a help session's last step a
// conversation from it still counts as the session having failed.
const SelfServiceWindow = 24 * time.Hour

// Period is the half-open span [From, To) the measures cover.
type Period struct {
	From, To time.Time
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Resolved is a resolved conversation: who resolved it (its assignee), in
// which team, when, and the kinds of knowledge links it carries.
type Resolved struct {
	ConversationID     string
	AgentID, AgentName string
	Team               string
	ResolvedAt         time.Time
	Reused, Created    bool // has a link of kind "linked", of kind "created"
}

// Link is one article linked to a conversation.
type Link struct {
	ArticleID, Title string
	Created          bool // kind "created": the article was written from the conversation
	At               time.Time
}

// Session is one help-center visit and when, if ever, it was first carried
// into a conversation (zero if never).
type Session struct {
	ID                string
	StartedAt, LastAt time.Time
	CarriedAt         time.Time
}

// Feedback is one "did this help?" answer on an article.
type Feedback struct {
	ArticleID, Title string
	Helpful          bool
	Reason           string
	At               time.Time
}

// Flag is one flag raised on an article, and when it was fixed (zero while open).
type Flag struct {
	ArticleID, Title      string
	CreatedAt, ResolvedAt time.Time
}

// Input is every row the measures are computed from; rows outside the
// period are ignored, so a store may return a generous superset.
type Input struct {
	Resolved []Resolved
	Links    []Link
	Sessions []Session
	Feedback []Feedback
	Flags    []Flag
}

// Report is the measures of one period.
type Report struct {
	From        time.Time        `json:"from"`
	To          time.Time        `json:"to"`
	LinkRate    Rate             `json:"link_rate"`
	Agents      []Rate           `json:"agents"`
	Teams       []Rate           `json:"teams"`
	Days        []Rate           `json:"days"`
	Reuse       []Reuse          `json:"reuse"`
	NewVsKnown  NewVsKnown       `json:"new_vs_known"`
	SelfService SelfService      `json:"self_service"`
	Feedback    []ArticleOpinion `json:"feedback"`
	Flags       Flags            `json:"flags"`
}

// Rate is the link rate of a group of resolved conversations (an agent, a
// team, a day, or all): how many had at least one article linked.
type Rate struct {
	// Key is the agent's id, the team's name or the day (YYYY-MM-DD); "" for
	// the unassigned, the teamless, or everything.
	Key      string  `json:"key"`
	Name     string  `json:"name"`
	Resolved int     `json:"resolved"`
	Linked   int     `json:"linked"`
	Rate     float64 `json:"rate"` // Linked/Resolved, 0 when nothing was resolved
}

// Reuse is how often an article was linked in the period.
type Reuse struct {
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Links     int    `json:"links"`
	Created   int    `json:"created"` // of which links of kind "created"
}

// NewVsKnown splits the resolved conversations: resolved with an article
// written for them (new), with an existing article only (known), or with none.
type NewVsKnown struct {
	Resolved int `json:"resolved"`
	Known    int `json:"known"`
	New      int `json:"new"`
	None     int `json:"none"`
}

// SelfService is the help-center sessions of the period that are old enough
// to judge, and how many of them led to no conversation within the window.
type SelfService struct {
	Sessions   int     `json:"sessions"`
	SelfServed int     `json:"self_served"`
	Carried    int     `json:"carried"`
	Rate       float64 `json:"rate"`
	TooRecent  int     `json:"too_recent"` // started in the period, but less than the window ago
}

// ArticleOpinion is the "did this help?" answers on one article.
type ArticleOpinion struct {
	ArticleID string        `json:"article_id"`
	Title     string        `json:"title"`
	Yes       int           `json:"yes"`
	No        int           `json:"no"`
	Reasons   []ReasonCount `json:"reasons"`
}

// ReasonCount is how many answers gave a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Flags is the flags raised and fixed in the period, and how long fixing took.
type Flags struct {
	Opened int `json:"opened"`
	Fixed  int `json:"fixed"`
	// OpenAtEnd counts flags raised before the period's end and not fixed by then.
	OpenAtEnd int `json:"open_at_end"`
	// MedianHours and P90Hours are over the flags fixed in the period, from
	// being raised to being fixed (nearest rank); 0 when none was fixed.
	MedianHours float64 `json:"median_hours"`
	P90Hours    float64 `json:"p90_hours"`
}

// Compute works out the period's measures from the rows as they stand at now.
func Compute(in Input, p Period, now time.Time) Report {
	r := Report{From: p.From, To: p.To}
	agents, teams, days := map[string]*Rate{}, map[string]*Rate{}, map[string]*Rate{}
	for _, c := range in.Resolved {
		if !p.Contains(c.ResolvedAt) {
			continue
		}
		linked := c.Reused || c.Created
		day := c.ResolvedAt.UTC().Format(time.DateOnly)
		for _, g := range []*Rate{&r.LinkRate, group(agents, c.AgentID, c.AgentName), group(teams, c.Team, c.Team), group(days, day, day)} {
			g.Resolved++
			if linked {
				g.Linked++
			}
		}
		r.NewVsKnown.Resolved++
		switch {
		case c.Created:
			r.NewVsKnown.New++
		case c.Reused:
			r.NewVsKnown.Known++
		default:
			r.NewVsKnown.None++
		}
	}
	r.LinkRate.Rate = ratio(r.LinkRate.Linked, r.LinkRate.Resolved)
	r.Agents, r.Teams, r.Days = rates(agents), rates(teams), rates(days)
	slices.SortFunc(r.Days, func(a, b Rate) int { return cmp.Compare(a.Key, b.Key) })
	r.Reuse = reuse(in.Links, p)
	r.SelfService = selfService(in.Sessions, p, now)
	r.Feedback = opinions(in.Feedback, p)
	r.Flags = flags(in.Flags, p)
	return r
}

func group(m map[string]*Rate, key, name string) *Rate {
	g, ok := m[key]
	if !ok {
		g = &Rate{Key: key, Name: name}
		m[key] = g
	}
	return g
}

// rates lists the groups, most resolved first, then by name.
func rates(m map[string]*Rate) []Rate {
	out := make([]Rate, 0, len(m))
	for _, g := range m {
		g.Rate = ratio(g.Linked, g.Resolved)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Rate) int {
		return cmp.Or(cmp.Compare(b.Resolved, a.Resolved), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Key, b.Key))
	})
	return out
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(d)*10000) / 10000
}

func reuse(links []Link, p Period) []Reuse {
	by := map[string]*Reuse{}
	for _, l := range links {
		if !p.Contains(l.At) {
			continue
		}
		u, ok := by[l.ArticleID]
		if !ok {
			u = &Reuse{ArticleID: l.ArticleID, Title: l.Title}
			by[l.ArticleID] = u
		}
		u.Links++
		if l.Created {
			u.Created++
		}
	}
	out := make([]Reuse, 0, len(by))
	for _, u := range by {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Reuse) int {
		return cmp.Or(cmp.Compare(b.Links, a.Links), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ArticleID, b.ArticleID))
	})
	return out
}

// selfService judges the sessions started in the period whose window has
// passed: one carried into a conversation within the window of its last
// step failed, any other served itself.
func selfService(sessions []Session, p Period, now time.Time) SelfService {
	var s SelfService
	for _, h := range sessions {
		if !p.Contains(h.StartedAt) {
			continue
		}
		end := h.LastAt.Add(SelfServiceWindow)
		if end.After(now) {
			s.TooRecent++
			continue
		}
		s.Sessions++
		if !h.CarriedAt.IsZero() && !h.CarriedAt.After(end) {
			s.Carried++
		} else {
			s.SelfServed++
		}
	}
	s.Rate = ratio(s.SelfServed, s.Sessions)
	return s
}

func opinions(fb []Feedback, p Period) []ArticleOpinion {
	by := map[string]*ArticleOpinion{}
	reasons := map[string]map[string]int{}
	for _, f := range fb {
		if !p.Contains(f.At) {
			continue
		}
		o, ok := by[f.ArticleID]
		if !ok {
			o = &ArticleOpinion{ArticleID: f.ArticleID, Title: f.Title, Reasons: []ReasonCount{}}
			by[f.ArticleID], reasons[f.ArticleID] = o, map[string]int{}
		}
		if f.Helpful {
			o.Yes++
		} else {
			o.No++
		}
		if f.Reason != "" {
			reasons[f.ArticleID][f.Reason]++
		}
	}
	out := make([]ArticleOpinion, 0, len(by))
	for id, o := range by {
		for reason, n := range reasons[id] {
			o.Reasons = append(o.Reasons, ReasonCount{Reason: reason, Count: n})
		}
		slices.SortFunc(o.Reasons, func(a, b ReasonCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
		})
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b ArticleOpinion) int {
		return cmp.Or(cmp.Compare(b.Yes+b.No, a.Yes+a.No), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ArticleID, b.ArticleID))
	})
	return out
}

func flags(fs []Flag, p Period) Flags {
	var f Flags
	var hours []float64
	for _, fl := range fs {
		if p.Contains(fl.CreatedAt) {
			f.Opened++
		}
		fixed := !fl.ResolvedAt.IsZero()
		if fixed && p.Contains(fl.ResolvedAt) {
			f.Fixed++
			hours = append(hours, fl.ResolvedAt.Sub(fl.CreatedAt).Hours())
		}
		if fl.CreatedAt.Before(p.To) && (!fixed || !fl.ResolvedAt.Before(p.To)) {
			f.OpenAtEnd++
		}
	}
	slices.Sort(hours)
	f.MedianHours, f.P90Hours = rank(hours, 0.5), rank(hours, 0.9)
	return f
}

// rank is the nearest-rank percentile of sorted values, to a tenth.
func rank(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return math.Round(sorted[max(i, 0)]*10) / 10
}
