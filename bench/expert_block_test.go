package bench

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Block rolling: the expert-finding benchmark as a product meets its cases,
// with nothing from the future (ADR 0037, fourth amendment). The evaluated
// split's cases are grouped by the calendar block (month or quarter) in
// which they were created; for each tenant and block, the tenant's cases
// index — the similar cases and the resolvers' profiles, built by
// expertTenant.build exactly as the frozen benchmark builds it — holds the
// cases resolved before the block starts and nothing else, whatever their
// split. Each case of the block is then ranked by expertTenant.experts (the
// rooms service's own code) against that index, the learned areas from the
// signals of that history, and the baseline is the queue's most active
// resolvers in that same history (the cut is the block's start for both).
// Cases resolved inside the block before a case was created are left out:
// adding them would change the index's word statistics mid-block (a
// rebuild per case), so the figure is a little pessimistic for a product
// that rebuilds its index as cases resolve.

// expertBlock is one tenant's block: its history (resolved before start)
// built into the index, and its evaluated cases (created in [start, end)).
type expertBlock struct {
	*expertTenant
	start, end time.Time
}

// Block lengths: a calendar month or quarter (months > 0), a week from
// Monday (weekly), a day (daily); all in UTC.
const (
	weekly = 0
	daily  = -1
)

// blockStart is the start of the block of t.
func blockStart(t time.Time, months int) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case months == daily:
		return d
	case months == weekly:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	m := (int(t.Month())-1)/months*months + 1
	return time.Date(t.Year(), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

// blockEnd is where the block starting at start ends.
func blockEnd(start time.Time, months int) time.Time {
	switch {
	case months == daily:
		return start.AddDate(0, 0, 1)
	case months == weekly:
		return start.AddDate(0, 0, 7)
	}
	return start.AddDate(0, months, 0)
}

// expertBlocks makes the blocks of the evaluated split (validation or test)
// with calendar blocks of the given months, and returns them with the time
// spent building their indexes. It panics if a block's history holds a case
// resolved at or after the block's start, or an evaluated case was created
// before it: the guard against the future.
func expertBlocks(cases []expertCase, split string, months int) ([]expertBlock, time.Duration) {
	type key struct {
		tenant string
		start  time.Time
	}
	evals := map[key][]expertCase{}
	byTenant := map[string][]expertCase{}
	var tenants []string
	for _, c := range cases {
		if byTenant[c.Tenant] == nil {
			tenants = append(tenants, c.Tenant)
		}
		byTenant[c.Tenant] = append(byTenant[c.Tenant], c)
		if c.Split == split {
			k := key{c.Tenant, blockStart(c.Created, months)}
			evals[k] = append(evals[k], c)
		}
	}
	keys := make([]key, 0, len(evals))
	for k := range evals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := compareKeys(a.tenant, b.tenant); c != 0 {
			return c
		}
		return a.start.Compare(b.start)
	})
	var out []expertBlock
	var building time.Duration
	for _, k := range keys {
		t := &expertTenant{name: k.tenant, history: map[string]expertCase{}}
		for _, c := range byTenant[k.tenant] {
			if c.Resolved.Before(k.start) {
				t.history[c.Key] = c
			}
		}
		t.eval = evals[k]
		slices.SortFunc(t.eval, func(a, b expertCase) int { return compareKeys(a.Key, b.Key) })
		b := expertBlock{expertTenant: t, start: k.start, end: blockEnd(k.start, months)}
		b.guard()
		start := time.Now()
		t.build()
		building += time.Since(start)
		out = append(out, b)
	}
	return out, building
}

// guard panics if the block's history holds anything from its start on,
// or a case evaluated in it was created before it began.
func (b expertBlock) guard() {
	for _, h := range b.history {
		if !h.Resolved.Before(b.start) {
			panic(fmt.Sprintf("expert block %s %s: history case %s resolved %s, at or after the block's start",
				b.name, b.start.Format("2006-01"), h.Key, h.Resolved))
		}
	}
	for _, c := range b.eval {
		if c.Created.Before(b.start) || !c.Created.Before(b.end) {
			panic(fmt.Sprintf("expert block %s %s: case %s created %s, outside the block",
				b.name, b.start.Format("2006-01"), c.Key, c.Created))
		}
	}
}

// blockRun is a split's block-rolling figures: expert finding, the
// issue's baseline, and for the record the aged baseline (agedBaseline over
// the same history) and the cases whose resolver the block's history had
// seen resolving (the ceiling).
type blockRun struct {
	ours, base, aged expertScores
	findable         int
}

// evaluateBlocks ranks every block's cases against its own index, with the
// frozen benchmark's code (experts, baseline, agedBaseline).
func evaluateBlocks(blocks []expertBlock) blockRun {
	var r blockRun
	for _, b := range blocks {
		known := map[string]bool{}
		for _, c := range b.candidates {
			known[c.UserID] = true
		}
		for _, c := range b.eval {
			if known[c.Resolver] {
				r.findable++
			}
			r.ours.add(b.experts(c), c.Resolver)
			r.base.add(b.baseline(c), c.Resolver)
			r.aged.add(b.agedBaseline(c), c.Resolver)
		}
	}
	r.ours, r.base, r.aged = r.ours.mean(), r.base.mean(), r.aged.mean()
	return r
}

// TestExpertBlockIndexHoldsNothingLater checks, on the data set's
// validation blocks, that each block's index — its cases and its resolvers'
// profiles — holds exactly the tenant's cases resolved before the block
// starts: the index's case count, every similar case an evaluated case
// finds, and every resolver profile's case count.
func TestExpertBlockIndexHoldsNothingLater(t *testing.T) {
	cases := readExpertCases(t)
	blocks, _ := expertBlocks(cases, "validation", 3)
	if len(blocks) == 0 {
		t.Fatal("no blocks")
	}
	for _, b := range blocks {
		want, perResolver := 0, map[string]int{}
		for _, c := range cases {
			if c.Tenant == b.name && c.Resolved.Before(b.start) {
				want++
				if c.Resolver != "" {
					perResolver[c.Resolver]++
				}
			}
		}
		if got := b.index.Len(); got != want {
			t.Fatalf("%s %s: index holds %d cases, %d were resolved before the block", b.name, b.start.Format("2006-01"), got, want)
		}
		for _, c := range b.eval {
			if _, ok := b.history[c.Key]; ok {
				t.Fatalf("%s %s: evaluated case %s is in its own history", b.name, b.start.Format("2006-01"), c.Key)
			}
			for _, m := range b.index.Similar(c.Text, 1000) {
				h, ok := b.history[m.Case.ConversationID]
				if !ok || !h.Resolved.Before(b.start) {
					t.Fatalf("%s %s: similar case %s is not of the history before the block", b.name, b.start.Format("2006-01"), m.Case.ConversationID)
				}
			}
			for _, p := range b.index.Profiles(c.Text, 1000) {
				if p.Cases != perResolver[p.ResolverID] {
					t.Fatalf("%s %s: profile of %s holds %d cases, %d were resolved by them before the block",
						b.name, b.start.Format("2006-01"), p.ResolverID, p.Cases, perResolver[p.ResolverID])
				}
			}
		}
	}
}

// TestExpertBlockGuardPanics shows the guard refuses a history holding a
// case resolved at the block's start.
func TestExpertBlockGuardPanics(t *testing.T) {
	start := time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC)
	b := expertBlock{expertTenant: &expertTenant{name: "x", history: map[string]expertCase{
		"X-1": {Key: "X-1", Resolved: start.Add(-time.Hour)},
		"X-2": {Key: "X-2", Resolved: start},
	}}, start: start, end: start.AddDate(0, 1, 0)}
	defer func() {
		if recover() == nil {
			t.Fatal("the guard let a case resolved at the block's start into its history")
		}
	}()
	b.guard()
}

func TestBlockStart(t *testing.T) {
	at := time.Date(2017, 8, 17, 13, 0, 0, 0, time.UTC)
	if got := blockStart(at, 1); !got.Equal(time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("month: %v", got)
	}
	if got := blockStart(at, 3); !got.Equal(time.Date(2017, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("quarter: %v", got)
	}
	// 2017-08-17 is a Thursday; its week began on Monday the 14th.
	if got := blockStart(at, weekly); !got.Equal(time.Date(2017, 8, 14, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("week: %v", got)
	}
	if got := blockStart(at, daily); !got.Equal(time.Date(2017, 8, 17, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("day: %v", got)
	}
}

// BenchmarkExpertFindingBlockRollingValidation prints the block-rolling
// figures on the validation split, with monthly, quarterly and weekly
// blocks (the protocol's sensitivity to the block length). Nothing is tuned
// on it.
//
//	go test -run '^$' -bench 'BenchmarkExpertFindingBlockRollingValidation$' -benchtime 1x -v ./bench/
func BenchmarkExpertFindingBlockRollingValidation(b *testing.B) {
	blockRolling(b, "validation", []int{1, 3, weekly})
}

// BenchmarkExpertFindingBlockRollingDaily is the validation split with a
// block a day: the product's freshness (its index follows every
// resolution) within a day, leak-free; for the sensitivity, slow (an index
// per tenant and day with a case created):
//
//	go test -run '^$' -bench 'BenchmarkExpertFindingBlockRollingDaily$' -benchtime 1x -v ./bench/
func BenchmarkExpertFindingBlockRollingDaily(b *testing.B) {
	blockRolling(b, "validation", []int{daily})
}

// BenchmarkExpertFindingBlockRolling prints the block-rolling figures on the
// test split (monthly blocks), once, after the validation run:
//
//	go test -run '^$' -bench 'BenchmarkExpertFindingBlockRolling$' -benchtime 1x -v ./bench/
func BenchmarkExpertFindingBlockRolling(b *testing.B) {
	blockRolling(b, "test", []int{1})
}

func blockRolling(b *testing.B, split string, periods []int) {
	cases := readExpertCases(b)
	for b.Loop() {
		for _, months := range periods {
			blocks, building := expertBlocks(cases, split, months)
			r := evaluateBlocks(blocks)
			ours, base := r.ours, r.base
			name := map[int]string{daily: "daily", weekly: "weekly", 1: "monthly", 3: "quarterly"}[months]
			b.Logf("block rolling %s, %s blocks (%d, %d cases): p@3 %.4f p@1 %.4f MRR %.4f | baseline p@3 %.4f p@1 %.4f MRR %.4f (%.3fx); index builds %.1f s",
				split, name, len(blocks), ours.n, ours.P3, ours.P1, ours.MRR, base.P3, base.P1, base.MRR, ours.P3/base.P3, building.Seconds())
			suffix := "_rolling"
			if split != "test" {
				suffix += "_" + split
			}
			if months != 1 {
				suffix += "_" + name
			}
			Report("expert_p_at_3"+suffix, ours.P3, "ratio")
			Report("expert_p_at_3_baseline"+suffix, base.P3, "ratio")
			Report("expert_p_at_3_vs_baseline"+suffix, ours.P3/base.P3, "x")
			Report("expert_p_at_1"+suffix, ours.P1, "ratio")
			Report("expert_p_at_1_baseline"+suffix, base.P1, "ratio")
			Report("expert_mrr"+suffix, ours.MRR, "ratio")
			Report("expert_mrr_baseline"+suffix, base.MRR, "ratio")
			Report("expert_ceiling"+suffix, float64(r.findable)/float64(ours.n), "ratio")
			Report("expert_p_at_3_baseline_aged"+suffix, r.aged.P3, "ratio")
			Report("expert_blocks"+suffix, float64(len(blocks)), "blocks")
			Report("expert_cases"+suffix, float64(ours.n), "cases")
			Report("expert_index_builds_s"+suffix, building.Seconds(), "s")
		}
	}
}
