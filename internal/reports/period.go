package reports

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Report is one range's figures with the previous range's beside them.
type Report struct {
	TZ           string `json:"tz"`
	From         string `json:"from"` // local dates, inclusive
	To           string `json:"to"`
	Filter       Filter `json:"filter"`
	ServiceLevel int    `json:"service_level_secs"`
	Current      Period `json:"current"`
	Previous     Period `json:"previous"`
}

// Period is the figures of one range.
type Period struct {
	From          string `json:"from"`
	To            string `json:"to"`
	Conversations int64  `json:"conversations"` // created
	// Queued counts conversations that entered a queue (with a queue filter,
	// that queue): the volume a queue sees, as a conversation's creation
	// precedes its routing.
	Queued    int64          `json:"queued"`
	ByChannel []ChannelCount `json:"by_channel"`
	ByHour    []HourCount    `json:"by_hour"` // local hour of day × channel
	ByDay     []DayCount     `json:"by_day"`
	Times     []TimeStat     `json:"times"`

	Resolved int64 `json:"resolved"` // first resolutions
	// FCR counts first resolutions never reopened since.
	FCR    int64    `json:"fcr"`
	FCRPct *float64 `json:"fcr_pct"`
	// SLACompliancePct is the share of first resolutions without an SLA breach.
	SLABreached      int64    `json:"sla_breached"`
	SLACompliancePct *float64 `json:"sla_compliance_pct"`
	Abandoned        int64    `json:"abandoned"`
	// AbandonPct is abandoned ÷ (answered + abandoned).
	AbandonPct *float64 `json:"abandon_pct"`
	Answered   int64    `json:"answered"`
	// AnsweredWithin counts answers within the service level threshold;
	// ServiceLevelPct is that ÷ (answered + abandoned).
	AnsweredWithin  int64    `json:"answered_within"`
	ServiceLevelPct *float64 `json:"service_level_pct"`
	// ASASecs is the average speed of answer: the mean wait of answered ones.
	ASASecs  *float64      `json:"asa_secs"`
	Presence []StateTime   `json:"presence"`
	CSAT     CSATStat      `json:"csat"`
	Agents   []AgentFigure `json:"agents"`

	// Knowledge is read under any filter (its reuse without one only).
	Knowledge KnowledgeFigures `json:"knowledge"`
	// Notices are read without a filter or with a channel filter, the best
	// hours without one; nil otherwise (they are not kept by queue, agent,
	// team or tag).
	Notices   *NoticeFigures `json:"notices"`
	BestHours *BestHours     `json:"best_hours"`
}

// ChannelCount is a channel's conversations.
type ChannelCount struct {
	Channel       string `json:"channel"`
	Conversations int64  `json:"conversations"`
}

// HourCount is conversations created in one local hour of the day on a channel.
type HourCount struct {
	Hour          int    `json:"hour"`
	Channel       string `json:"channel"`
	Conversations int64  `json:"conversations"`
}

// DayCount is conversations created on one local date.
type DayCount struct {
	Date          string `json:"date"`
	Conversations int64  `json:"conversations"`
}

// TimeStat summarises one duration (rollup.FirstResponse, Wait, Handle,
// Resolution) in seconds; nil while nothing was measured.
type TimeStat struct {
	Metric string   `json:"metric"`
	Count  int64    `json:"count"`
	Median *float64 `json:"median_secs"`
	P90    *float64 `json:"p90_secs"`
	Mean   *float64 `json:"mean_secs"`
}

// StateTime is time spent in one presence state.
type StateTime struct {
	State string  `json:"state"`
	Secs  float64 `json:"secs"`
}

// CSATStat is the satisfaction answers: how many, their mean, and the share
// rating 4 or 5.
type CSATStat struct {
	Responses    int64    `json:"responses"`
	Average      *float64 `json:"average"`
	SatisfiedPct *float64 `json:"satisfied_pct"`
	Ratings      [5]int64 `json:"ratings"` // answers rating 1 … 5
}

// AgentFigure is one agent's period: time in each presence state, answers,
// handle time and occupancy (handle time ÷ time signed in and not away; it
// can pass 100 % with concurrent chats).
type AgentFigure struct {
	AgentID      string      `json:"agent_id"`
	Presence     []StateTime `json:"presence"`
	Answered     int64       `json:"answered"`
	Handled      int64       `json:"handled"`
	HandleSecs   float64     `json:"handle_secs"`
	OccupancyPct *float64    `json:"occupancy_pct"`
}

// Durations are the duration metrics a report summarises, in display order.
var Durations = []string{rollup.FirstResponse, rollup.Wait, rollup.Handle, rollup.Resolution}

// Run computes the report of q and of the range before it.
func (s *Service) Run(ctx context.Context, tenantID string, q Query) (Report, error) {
	if q.ServiceLevel == 0 {
		q.ServiceLevel = DefaultServiceLevel
	}
	if err := q.check(); err != nil {
		return Report{}, err
	}
	rep := Report{TZ: q.Loc.String(), From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), Filter: q.Filter,
		ServiceLevel: q.ServiceLevel}
	// The two periods read apart, side by side: a dashboard waits for the
	// slower one, not for both in turn.
	var prevErr error
	var wg sync.WaitGroup
	wg.Go(func() { rep.Previous, prevErr = s.period(ctx, tenantID, q.Previous(), false) })
	var err error
	rep.Current, err = s.period(ctx, tenantID, q, true)
	wg.Wait()
	if err = errors.Join(err, prevErr); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// period reads one range's figures; titles says to name the top articles
// (the current range's: the previous one's are not shown).
func (s *Service) period(ctx context.Context, tenantID string, q Query, titles bool) (Period, error) {
	dim, val, _ := q.Filter.dim()
	from, to := q.hours()
	// The agents' figures are read beside the period's cells (about half
	// the dashboard's reading each).
	agents, agentsErr := []AgentFigure{}, error(nil)
	var agentsRead sync.WaitGroup
	if dim == rollup.DimAll || dim == rollup.DimAgent {
		agentsRead.Go(func() { agents, agentsErr = s.agents(ctx, tenantID, from, to, val) })
	}
	defer agentsRead.Wait()
	var counters []store.RollupCounter
	var hists []store.RollupHist
	for _, sp := range spans(from, to) {
		cs, err := s.db.RollupCounters(ctx, tenantID, dim, val, sp.grain, sp.from, sp.to, "")
		if err != nil {
			return Period{}, err
		}
		if sp.grain == rollup.Daily {
			// Volume is shown by local hour and date: read it by the hour.
			cs = slices.DeleteFunc(cs, func(c store.RollupCounter) bool { return c.Metric == rollup.Conversations })
			hourly, err := s.db.RollupCounters(ctx, tenantID, dim, val, rollup.Hourly, sp.from, sp.to, rollup.Conversations)
			if err != nil {
				return Period{}, err
			}
			cs = append(cs, hourly...)
		}
		counters = append(counters, cs...)
		hs, err := s.db.RollupHists(ctx, tenantID, dim, val, sp.grain, sp.from, sp.to)
		if err != nil {
			return Period{}, err
		}
		hists = append(hists, hs...)
	}
	p := Period{From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), ByChannel: []ChannelCount{},
		ByHour: []HourCount{}, ByDay: []DayCount{}, Agents: []AgentFigure{}}
	merged := map[string]rollup.Hist{}
	for _, h := range hists {
		m := merged[h.Metric]
		if m == nil {
			m = rollup.Hist{}
			merged[h.Metric] = m
		}
		if err := rollup.ParseHist(h.Buckets, m); err != nil {
			return Period{}, err
		}
	}
	sums := map[string]rollup.Sum{}
	byChannel, byHour, byDay := map[string]int64{}, map[HourCount]int64{}, map[string]int64{}
	presence := map[string]int64{}
	for _, c := range counters {
		s := sums[c.Metric]
		s.N += c.N
		s.Total += c.Total
		sums[c.Metric] = s
		switch c.Metric {
		case rollup.Conversations:
			local := time.Unix(c.Hour, 0).In(q.Loc)
			byChannel[c.Sub] += c.N
			byHour[HourCount{Hour: local.Hour(), Channel: c.Sub}] += c.N
			byDay[local.Format(time.DateOnly)] += c.N
		case rollup.Presence:
			presence[c.Sub] += c.Total
		case rollup.CSAT:
			if r, err := strconv.Atoi(c.Sub); err == nil && r >= 1 && r <= 5 {
				p.CSAT.Ratings[r-1] += c.N
			}
		}
	}
	p.Conversations, p.Queued = sums[rollup.Conversations].N, sums[rollup.Queued].N
	for _, ch := range slices.Sorted(maps.Keys(byChannel)) {
		p.ByChannel = append(p.ByChannel, ChannelCount{Channel: ch, Conversations: byChannel[ch]})
	}
	for k, n := range byHour {
		k.Conversations = n
		p.ByHour = append(p.ByHour, k)
	}
	slices.SortFunc(p.ByHour, func(a, b HourCount) int {
		return cmp.Or(cmp.Compare(a.Hour, b.Hour), cmp.Compare(a.Channel, b.Channel))
	})
	for d := date(q.From, q.Loc); !d.After(date(q.To, q.Loc)); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		p.ByDay = append(p.ByDay, DayCount{Date: day, Conversations: byDay[day]})
	}
	for _, m := range Durations {
		p.Times = append(p.Times, timeStat(m, merged[m], sums[m]))
	}
	p.Resolved, p.FCR, p.SLABreached = sums[rollup.Resolved].N, sums[rollup.FCR].N, sums[rollup.SLABreached].N
	p.FCRPct = pct(p.FCR, p.Resolved)
	p.SLACompliancePct = pct(p.Resolved-p.SLABreached, p.Resolved)
	p.Abandoned, p.Answered = sums[rollup.Abandoned].N, sums[rollup.Wait].N
	p.AbandonPct = pct(p.Abandoned, p.Answered+p.Abandoned)
	if w := merged[rollup.Wait]; w != nil {
		p.AnsweredWithin = w.AtMost(float64(q.ServiceLevel))
	}
	p.ServiceLevelPct = pct(p.AnsweredWithin, p.Answered+p.Abandoned)
	if w := sums[rollup.Wait]; w.N > 0 {
		p.ASASecs = ptr(float64(w.Total) / 1000 / float64(w.N))
	}
	p.Presence = stateTimes(presence)
	csat := sums[rollup.CSAT]
	p.CSAT.Responses = csat.N
	if csat.N > 0 {
		p.CSAT.Average = ptr(float64(csat.Total) / float64(csat.N))
		p.CSAT.SatisfiedPct = pct(p.CSAT.Ratings[3]+p.CSAT.Ratings[4], csat.N)
	}
	agentsRead.Wait()
	if agentsErr != nil {
		return Period{}, agentsErr
	}
	p.Agents = agents
	var err error
	p.Knowledge = KnowledgeFigures{Resolved: p.Resolved, Linked: sums[rollup.KBLinked].N}
	p.Knowledge.LinkRatePct = pct(p.Knowledge.Linked, p.Resolved)
	if dim == rollup.DimAll {
		if err = s.knowledgeReuse(ctx, tenantID, from, to, &p.Knowledge, titles); err != nil {
			return Period{}, err
		}
		if p.BestHours, err = s.bestHours(ctx, tenantID, from, to); err != nil {
			return Period{}, err
		}
	}
	if dim == rollup.DimAll || dim == rollup.DimChannel {
		if p.Notices, err = s.notices(ctx, tenantID, from, to, val); err != nil {
			return Period{}, err
		}
	}
	return p, nil
}

// agents gathers every agent's figures (only agentID's, when set).
func (s *Service) agents(ctx context.Context, tenantID string, from, to int64, agentID string) ([]AgentFigure, error) {
	byID := map[string]*AgentFigure{}
	presence := map[string]map[string]int64{}
	get := func(id string) *AgentFigure {
		a := byID[id]
		if a == nil {
			a = &AgentFigure{AgentID: id}
			byID[id] = a
			presence[id] = map[string]int64{}
		}
		return a
	}
	for _, metric := range []string{rollup.Presence, rollup.Wait, rollup.Handle} {
		var cs []store.RollupCounter
		for _, sp := range spans(from, to) {
			part, err := s.db.RollupCountersByVal(ctx, tenantID, rollup.DimAgent, metric, sp.grain, sp.from, sp.to)
			if err != nil {
				return nil, err
			}
			cs = append(cs, part...)
		}
		for _, c := range cs {
			if agentID != "" && c.Val != agentID {
				continue
			}
			a := get(c.Val)
			switch metric {
			case rollup.Presence:
				presence[c.Val][c.Sub] += c.Total
			case rollup.Wait:
				a.Answered += c.N
			case rollup.Handle:
				a.Handled += c.N
				a.HandleSecs += float64(c.Total) / 1000
			}
		}
	}
	out := make([]AgentFigure, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		a := byID[id]
		a.Presence = stateTimes(presence[id])
		var signedIn float64
		for _, st := range a.Presence {
			if st.State != "offline" && st.State != "away" {
				signedIn += st.Secs
			}
		}
		if signedIn > 0 {
			a.OccupancyPct = ptr(a.HandleSecs * 100 / signedIn)
		}
		out = append(out, *a)
	}
	return out, nil
}

func stateTimes(ms map[string]int64) []StateTime {
	out := []StateTime{}
	for _, st := range slices.Sorted(maps.Keys(ms)) {
		out = append(out, StateTime{State: st, Secs: float64(ms[st]) / 1000})
	}
	return out
}

func timeStat(metric string, h rollup.Hist, sum rollup.Sum) TimeStat {
	t := TimeStat{Metric: metric, Count: sum.N}
	if med, ok := h.Quantile(0.5); ok {
		t.Median = ptr(med)
	}
	if p90, ok := h.Quantile(0.9); ok {
		t.P90 = ptr(p90)
	}
	if sum.N > 0 {
		t.Mean = ptr(float64(sum.Total) / 1000 / float64(sum.N))
	}
	return t
}

func pct(n, d int64) *float64 {
	if d <= 0 {
		return nil
	}
	return ptr(float64(n) * 100 / float64(d))
}

func ptr(f float64) *float64 { return &f }
