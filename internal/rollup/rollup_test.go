package rollup_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/rollup/rolluptest"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// randomScript writes a random day: conversations that are routed, offered,
// answered, breached, resolved, reopened, rated, abandoned, linked to
// articles and unlinked in random orders (some events repeat, some name
// conversations never created), agents changing presence, and notices sent,
// delivered, read, answered, failed and opted out of.
func randomScript(rng *rand.Rand, tenantID string, convs int) *rolluptest.Script {
	type step struct {
		at time.Time
		do func(s *rolluptest.Script, at time.Time)
	}
	base := time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC)
	channels := []string{"chat", "email", "sms", "voice"}
	queues := []string{"q1", "q2", "q3"}
	agents := []string{"ana", "ben", "cleo"}
	statuses := []string{"resolved", "open", "pending", "resolved", "snoozed"}
	var steps []step
	add := func(at time.Time, do func(s *rolluptest.Script, at time.Time)) { steps = append(steps, step{at, do}) }
	for i := range convs {
		id := fmt.Sprintf("c%d", i)
		created := base.Add(time.Duration(rng.IntN(36*3600)) * time.Second)
		ch, team := channels[rng.IntN(len(channels))], []string{"", "sales", "support"}[rng.IntN(3)]
		tags := []string{"vip", "billing", "new"}[:rng.IntN(3)]
		add(created, func(s *rolluptest.Script, at time.Time) { s.Created(id, ch, at, team, tags...) })
		for range rng.IntN(8) {
			at := created.Add(time.Duration(1+rng.IntN(4*3600)) * time.Second)
			q, a := queues[rng.IntN(len(queues))], agents[rng.IntN(len(agents))]
			art := []string{"kb1", "kb2", "kb3"}[rng.IntN(3)]
			switch rng.IntN(11) {
			case 9:
				kind := []string{"reused", "created"}[rng.IntN(2)]
				add(at, func(s *rolluptest.Script, at time.Time) { s.Linked(id, art, kind, at) })
			case 10:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Unlinked(id, art, at) })
			case 0:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Routed(event.RoutingOffered, id, q, a, at) })
			case 1:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Routed(event.RoutingAssigned, id, q, a, at) })
			case 2:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Routed(event.RoutingExpired, id, q, "", at) })
			case 3:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Replied(id, a, at) })
			case 4:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Wrote(id, at) })
			case 5:
				add(at, func(s *rolluptest.Script, at time.Time) { s.Breached(id, at) })
			case 6, 7:
				st := statuses[rng.IntN(len(statuses))]
				add(at, func(s *rolluptest.Script, at time.Time) { s.Status(id, st, at) })
			case 8:
				r := 1 + rng.IntN(5)
				add(at, func(s *rolluptest.Script, at time.Time) { s.CSAT(id, r, q, a, at) })
			}
		}
	}
	for range convs / 3 {
		at := base.Add(time.Duration(rng.IntN(40*3600)) * time.Second)
		a, p := agents[rng.IntN(len(agents))], []string{"available", "away", "busy", "offline"}[rng.IntN(4)]
		add(at, func(s *rolluptest.Script, at time.Time) { s.Presence(a, p, at) })
	}
	// Notices: statuses (some repeated), responses by local hour and
	// segment, opt-outs of a type, a channel or everything.
	types := []string{"shipped", "payment_due", ""}
	for i := range convs {
		d, typ, ch := fmt.Sprintf("d%d", i), types[rng.IntN(len(types))], channels[rng.IntN(len(channels))]
		at := base.Add(time.Duration(rng.IntN(36*3600)) * time.Second)
		for _, st := range []string{"sent", "delivered", "read", "replied", "failed", "sent", "bogus"}[:1+rng.IntN(7)] {
			add(at, func(s *rolluptest.Script, at time.Time) { s.NoticeStatus(d, typ, ch, st, at) })
			at = at.Add(time.Duration(rng.IntN(3600)) * time.Second)
		}
		if rng.IntN(2) == 0 {
			how, seg, h := []string{"read", "replied"}[rng.IntN(2)], []string{"", "retail", "business"}[rng.IntN(3)], rng.IntN(26)-1
			add(at, func(s *rolluptest.Script, at time.Time) { s.NoticeResponded(d, typ, ch, how, seg, h, at) })
		}
		if rng.IntN(5) == 0 {
			scope := []string{"all", "channel:" + ch, "type:" + typ, "category:marketing"}[rng.IntN(4)]
			add(at, func(s *rolluptest.Script, at time.Time) { s.OptedOut(scope, "preference_page", at) })
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	s := rolluptest.New(tenantID)
	for _, st := range steps {
		st.do(s, st.at)
	}
	return s
}

// recompute folds every event at once in memory: the full recomputation.
func recompute(evs []event.Event) (map[rollup.Key]rollup.Sum, map[rollup.Key]string) {
	f := rollup.NewFolder()
	for _, ev := range evs {
		f.Apply(ev)
	}
	counters := map[rollup.Key]rollup.Sum{}
	for k, v := range f.Counters {
		if v != (rollup.Sum{}) {
			counters[k] = v
		}
	}
	hists := map[rollup.Key]string{}
	for k, h := range f.Hists {
		hists[k] = h.String()
	}
	return counters, hists
}

// stored reads the tenant's rollups back.
func stored(t *testing.T, db *store.DB, tenantID string) (map[rollup.Key]rollup.Sum, map[rollup.Key]string) {
	t.Helper()
	ctx := context.Background()
	cs, err := db.AllRollupCounters(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	counters := map[rollup.Key]rollup.Sum{}
	for _, c := range cs {
		counters[rollup.Key{Grain: c.Grain, Hour: c.Hour, Dim: c.Dim, Val: c.Val, Metric: c.Metric, Sub: c.Sub}] = rollup.Sum{N: c.N, Total: c.Total}
	}
	hs, err := db.AllRollupHists(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	hists := map[rollup.Key]string{}
	for _, h := range hs {
		hists[rollup.Key{Grain: h.Grain, Hour: h.Hour, Dim: h.Dim, Val: h.Val, Metric: h.Metric}] = h.Buckets
	}
	return counters, hists
}

// Same reports whether the stored rollups equal the recomputation, and the
// first difference.
func same(t *testing.T, db *store.DB, tenantID string, evs []event.Event) {
	t.Helper()
	wantC, wantH := recompute(evs)
	gotC, gotH := stored(t, db, tenantID)
	if len(wantC) == 0 || len(wantH) == 0 {
		t.Fatal("the recomputation counted nothing: the test proves nothing")
	}
	for k, w := range wantC {
		if gotC[k] != w {
			t.Fatalf("counter %+v: stored %+v, recomputed %+v", k, gotC[k], w)
		}
	}
	for k, g := range gotC {
		if _, ok := wantC[k]; !ok {
			t.Fatalf("counter %+v: stored %+v, recomputed none", k, g)
		}
	}
	for k, w := range wantH {
		if gotH[k] != w {
			t.Fatalf("histogram %+v: stored %q, recomputed %q", k, gotH[k], w)
		}
	}
	if len(gotH) != len(wantH) {
		t.Fatalf("%d histograms stored, %d recomputed", len(gotH), len(wantH))
	}
}

// Rollups folded in random batches, by several runners at once (as every
// node runs one), equal a full recomputation; so does a rebuild.
func TestRollupsEqualRecomputation(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			seen := map[string]bool{} // the metrics the trials counted in
			defer func() {
				for _, m := range []string{rollup.KBLinks, rollup.KBLinked, rollup.NoticeSent, rollup.NoticeReplied,
					rollup.NoticeOptOut, rollup.ResponseHour, rollup.FCR, rollup.CSAT} {
					if !seen[m] && !t.Failed() {
						t.Errorf("no trial counted %s: the test proves nothing of it", m)
					}
				}
			}()
			for trial := range 4 {
				seed := uint64(time.Now().UnixNano()) + uint64(trial)
				rng := rand.New(rand.NewPCG(seed, 7))
				tn := storetest.NewTenant(t, db, fmt.Sprintf("t%d", trial))
				script := randomScript(rng, tn.ID, 40+rng.IntN(40))
				// Written in three slices, folded after each by three runners
				// racing with batches of random sizes.
				cuts := []int{0, rng.IntN(len(script.Events)), len(script.Events)}
				cuts = append(cuts[:2], max(cuts[1], rng.IntN(len(script.Events))), len(script.Events))
				for i := 1; i < len(cuts); i++ {
					for _, ev := range script.Events[cuts[i-1]:cuts[i]] {
						if _, err := db.InsertEvent(ctx, ev); err != nil {
							t.Fatal(err)
						}
					}
					var wg sync.WaitGroup
					for range 3 {
						r := rollup.NewRunner(db, clock.System{}, slog.Default())
						r.Batch = 1 + rng.IntN(60)
						wg.Go(func() {
							if _, err := r.CatchUp(ctx, tn.ID, nil); err != nil {
								t.Errorf("seed %d: %v", seed, err)
							}
						})
					}
					wg.Wait()
				}
				t.Logf("seed %d: %d events", seed, len(script.Events))
				counters, _ := recompute(script.Events)
				for k := range counters {
					seen[k.Metric] = true
				}
				same(t, db, tn.ID, script.Events)
				r := rollup.NewRunner(db, clock.System{}, slog.Default())
				var last int64
				n, err := r.Rebuild(ctx, tn.ID, func(done, total int64) { last = done })
				if err != nil || n != len(script.Events) || last == 0 {
					t.Fatalf("rebuild: %d events (last %d), err %v", n, last, err)
				}
				same(t, db, tn.ID, script.Events)
			}
		})
	}
}

func TestHistQuantiles(t *testing.T) {
	h := rollup.Hist{}
	for _, v := range []float64{0, 0.4, 1, 20, 20.5, 119.9, 120, 121, 600, 3600, 86400 * 7} {
		h.Add(v)
		b := rollup.Bucket(v)
		if up := rollup.Upper(b); up < v || (v > rollup.ExactUpTo && up > v*rollup.Growth) || (v <= rollup.ExactUpTo && up-v >= 1) {
			t.Errorf("%v: bucket %d has upper bound %v", v, b, up)
		}
	}
	if got := h.AtMost(20); got != 4 {
		t.Errorf("at most 20 s: %d, want 4 (0, 0.4, 1, 20)", got)
	}
	back := rollup.Hist{}
	if err := rollup.ParseHist(h.String(), back); err != nil || back.String() != h.String() {
		t.Errorf("round trip %q → %q (%v)", h.String(), back.String(), err)
	}
	if err := rollup.ParseHist("1:2 x", rollup.Hist{}); err == nil {
		t.Error("a bad histogram parses")
	}
	if med, _ := h.Quantile(0.5); med != 120 { // 6th of 11
		t.Errorf("median %v, want 120", med)
	}
}
