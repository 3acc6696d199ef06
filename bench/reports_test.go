package bench

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/gob"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/rollup/rolluptest"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

var (
	reportConvs    = flag.Int("report.conversations", 1_000_000, "BenchmarkReportMonth: conversations in the month")
	reportMessages = flag.Int("report.messages", 10, "BenchmarkReportMonth: messages per conversation (10 × 1,000,000 = the issue's 10,000,000)")
	reportEngines  = flag.String("report.engines", "sqlite,postgres", "BenchmarkReportMonth and BenchmarkRollupThroughput: the engines")
	reportRuns     = flag.Int("report.runs", 200, "BenchmarkReportMonth: dashboards timed per engine")
	reportFillN    = flag.Int("report.fillconvs", 0, "BenchmarkReportMonth: with -report.fill, the conversations per month whose messages and fact rows are written (0: -report.conversations), for a machine that cannot write them all in time")
	reportFill     = flag.Bool("report.fill", true, "BenchmarkReportMonth: the database around the rollups at the issue's size — both months' conversations, messages and fact rows, the month before filled too (cached in bench/out and a kept PostgreSQL schema)")
)

var reportMonth = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// monthScript writes conversation i of the month: created at a random time,
// routed, answered or abandoned, replied to, messages back and forth,
// resolved (some reopened), some breached, some rated — the events a node
// emits for it, with the payloads it emits.
func monthScript(rng *rand.Rand, tenantID string, i, messages int) *rolluptest.Script {
	s := rolluptest.New(tenantID)
	id := fmt.Sprintf("c%07d", i)
	at := reportMonth.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
	sec := func(n int) time.Time { return at.Add(time.Duration(n) * time.Second) }
	channels := []string{"chat", "email", "sms", "voice", "whatsapp"}
	tags := []string{"billing", "cards", "vip", "complaint"}
	var tg []string
	if rng.IntN(3) == 0 {
		tg = append(tg, tags[rng.IntN(len(tags))])
	}
	s.Created(id, channels[rng.IntN(len(channels))], at, fmt.Sprintf("team%d", rng.IntN(4)), tg...)
	queue, agent := fmt.Sprintf("q%d", rng.IntN(8)), fmt.Sprintf("agent%02d", rng.IntN(60))
	s.Routed(event.RoutingOffered, id, queue, agent, sec(1))
	if rng.IntN(20) == 0 {
		s.Routed(event.RoutingExpired, id, queue, "", sec(300+rng.IntN(600)))
		s.Status(id, "resolved", sec(1200))
		return s
	}
	wait := 2 + int(rng.ExpFloat64()*40)
	s.Routed(event.RoutingAssigned, id, queue, agent, sec(wait))
	t := wait + 5 + int(rng.ExpFloat64()*60)
	s.Replied(id, agent, sec(t))
	for m := 3; m < messages; m++ { // the first message came with the conversation, the reply is the second
		t += 10 + rng.IntN(300)
		if m%2 == 1 {
			s.Wrote(id, sec(t))
		} else {
			s.Replied(id, agent, sec(t))
		}
	}
	if rng.IntN(12) == 0 {
		s.Breached(id, sec(t))
	}
	if rng.IntN(10) != 0 {
		t += 30
		s.Status(id, "resolved", sec(t))
		if rng.IntN(20) == 0 {
			s.Status(id, "open", sec(t+3600))
		}
		if rng.IntN(3) == 0 {
			s.CSAT(id, 1+rng.IntN(5), queue, agent, sec(t+60))
		}
	}
	return s
}

// foldMonth folds the month's event stream in memory with the real fold,
// on as many goroutines as given (each its own conversations), and merges
// their deltas. It returns the folder and how many events it folded.
func foldMonth(tenantID string, convs, messages, workers int) (*rollup.Folder, int64) {
	folders := make([]*rollup.Folder, workers)
	var events atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		folders[w] = rollup.NewFolder()
		wg.Go(func() {
			f := folders[w]
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for i := w; i < convs; i += workers {
				s := monthScript(rng, tenantID, i, messages)
				for _, ev := range s.Events {
					f.Apply(ev)
				}
				events.Add(int64(len(s.Events)))
				clear(f.Convs) // the conversation's events are all folded: its state is not needed again
				clear(f.DirtyConvs)
			}
		})
	}
	wg.Wait()
	all := folders[0]
	for _, f := range folders[1:] {
		for k, v := range f.Counters {
			s := all.Counters[k]
			s.N += v.N
			s.Total += v.Total
			all.Counters[k] = s
		}
		for k, h := range f.Hists {
			if all.Hists[k] == nil {
				all.Hists[k] = rollup.Hist{}
			}
			all.Hists[k].Merge(h)
		}
	}
	// A month of shifts for every agent: 8 h available with an hour away.
	s := rolluptest.New(tenantID)
	for d := range 30 {
		for a := range 60 {
			day := reportMonth.AddDate(0, 0, d).Add(time.Duration(7+a%4) * time.Hour)
			agent := fmt.Sprintf("agent%02d", a)
			s.Presence(agent, "available", day)
			s.Presence(agent, "away", day.Add(4*time.Hour))
			s.Presence(agent, "available", day.Add(5*time.Hour))
			s.Presence(agent, "offline", day.Add(9*time.Hour))
		}
	}
	for _, ev := range s.Events {
		all.Apply(ev)
	}
	events.Add(int64(len(s.Events)))
	return all, events.Load()
}

// BenchmarkReportMonth times the reports page's dashboard — one month with
// the month before beside it — for a tenant with 1,000,000 conversations
// and 10,000,000 messages in the month (flags scale it).
//
// The rollup input is generated honestly but not through the events table:
// writing 10 M messages and their events through the node on this machine
// would take hours. Instead the event stream of every conversation (the
// payloads a node emits: created, messages, routing, SLA, status, CSAT) is
// generated and folded by the real fold (rollup.Folder) in memory, and its
// deltas written through the real store path (rollup.Diff, Changes.Write) — the same rows
// the runner would have written. With -report.fill (the default) the same
// month is written again 30 days earlier (the month before), and both
// months' conversations, messages and fact rows around them
// (-report.fillconvs of them, if fewer); see monthDB. The dashboard then
// reads those rollups exactly as the API does.
func BenchmarkReportMonth(b *testing.B) {
	ctx := context.Background()
	// The folded month is loaded only to write a database not kept from an
	// earlier run, and dropped before the dashboards are timed: its million
	// cells and histograms in memory would have the collector compete with
	// the dashboards for the processor.
	month := func() *rollup.Folder {
		start := time.Now()
		folded, events, err := cachedMonth(*reportConvs, *reportMessages)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("# folded %d events of %d conversations (%d messages each) in %s: %d counter cells, %d histogram cells\n",
			events, *reportConvs, *reportMessages, time.Since(start).Round(time.Millisecond), len(folded.Counters), len(folded.Hists))
		return folded
	}
	for _, engine := range strings.Split(*reportEngines, ",") {
		db, tenantID := monthDB(b, engine, month)
		runtime.GC()
		svc := reports.New(db)
		q, err := reports.ParseQuery("2026-11-01", "2026-11-30", "Europe/Lisbon", 20, reports.Filter{}, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := svc.Run(ctx, tenantID, q)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Current.Conversations != int64(*reportConvs) {
			b.Fatalf("%s: the month shows %d conversations, want %d", engine, rep.Current.Conversations, *reportConvs)
		}
		if *reportFill && rep.Previous.Conversations != int64(*reportConvs) {
			b.Fatalf("%s: the month before shows %d conversations, want %d", engine, rep.Previous.Conversations, *reportConvs)
		}
		for _, f := range []struct {
			name   string
			filter reports.Filter
		}{{"", reports.Filter{}}, {"_queue", reports.Filter{QueueID: "q3"}}} {
			q.Filter = f.filter
			var took []time.Duration
			for range *reportRuns {
				t0 := time.Now()
				if _, err := svc.Run(ctx, tenantID, q); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			suffix := map[string]string{"sqlite": "", "postgres": "_pg"}[engine]
			p := percentiles(took)
			fmt.Printf("BENCH report_p99_ms_1m%s%s %.1f ms\n", f.name, suffix, ms(p.P99))
			fmt.Printf("# %s%s: p50 %.1f ms, p99 %.1f ms over %d dashboards (%d conversations, %d messages)\n", engine, f.name,
				ms(p.P50), ms(p.P99), len(took), *reportConvs, *reportConvs**reportMessages)
			if *reportFill {
				fill := *reportConvs
				if *reportFillN > 0 {
					fill = min(fill, *reportFillN)
				}
				fmt.Printf("# the database holds both months' rollups and %d conversations with %d messages and a fact row each per month\n",
					fill, *reportMessages)
			}
		}
	}
	for b.Loop() {
	}
}

// cachedMonth is foldMonth's result, kept in bench/out (git-ignored) after
// the first run: folding a million conversations' events takes most of half
// an hour on a busy machine, and the same seed folds the same month.
func cachedMonth(convs, messages int) (*rollup.Folder, int64, error) {
	path := filepath.Join("out", fmt.Sprintf("report-month-%d-%d.gob", convs, messages))
	var cached struct {
		Counters map[rollup.Key]rollup.Sum
		Hists    map[rollup.Key]rollup.Hist
		Events   int64
	}
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&cached); err != nil {
			return nil, 0, fmt.Errorf("%s: %w (delete it to fold again)", path, err)
		}
		folded := rollup.NewFolder()
		folded.Counters, folded.Hists = cached.Counters, cached.Hists
		return folded, cached.Events, nil
	}
	folded, events := foldMonth("bench", convs, messages, 2)
	if err := os.MkdirAll("out", 0o750); err != nil {
		return nil, 0, err
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return nil, 0, err
	}
	w := bufio.NewWriter(f)
	cached.Counters, cached.Hists, cached.Events = folded.Counters, folded.Hists, events
	err = errors.Join(gob.NewEncoder(w).Encode(&cached), w.Flush(), f.Close())
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	return folded, events, err
}

// writeFolded writes a folder's deltas, their hours moved by shift seconds,
// in transactions of a few thousand cells.
func writeFolded(ctx context.Context, db *store.DB, tenantID string, all *rollup.Folder, shift int64) error {
	const per = 20000
	part := rollup.NewFolder()
	flush := func() error {
		ch, err := rollup.Diff(ctx, &db.Store, tenantID, part)
		if err != nil {
			return err
		}
		part.Reset()
		return db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return ch.Write(ctx, s, tenantID) })
	}
	for k, v := range all.Counters {
		k.Hour += shift
		part.Counters[k] = v
		if len(part.Counters) == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for k, h := range all.Hists {
		k.Hour += shift
		part.Hists[k] = h
		if len(part.Hists) == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func benchTenant(b *testing.B, db *store.DB) tenant.Tenant {
	b.Helper()
	tn := tenant.Tenant{ID: ids.New(), Slug: "bench", Name: "Bench", CreatedAt: time.Now()}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		b.Fatal(err)
	}
	return tn
}

// BenchmarkRollupThroughput measures how fast the runner folds events
// (rollup_events_per_s) against how fast the node writes them, and what
// folding beside the writers costs them. Per engine: writers insert a
// tenant's events (a transaction each, ordered as the outbox orders them)
// for a fixed count alone, then the same count again while a runner folds
// behind them; then a runner folds a backlog alone. The writers write the
// events only (not the messages a real ingest also writes), so they are
// faster than a real ingest and the slowdown measured is an upper bound.
func BenchmarkRollupThroughput(b *testing.B) {
	ctx := context.Background()
	const convs, writers = 3000, 4
	for _, engine := range strings.Split(*reportEngines, ",") {
		var db *store.DB
		switch engine {
		case "sqlite":
			db = storetest.OpenSQLite(b)
		case "postgres":
			db = storetest.OpenPostgres(b)
		}
		suffix := map[string]string{"sqlite": "", "postgres": "_pg"}[engine]
		tn := benchTenant(b, db)
		rng := rand.New(rand.NewPCG(1, 2))
		var evs []event.Event
		for i := range convs {
			evs = append(evs, monthScript(rng, tn.ID, i, 10).Events...)
		}
		// Alone, beside the runner, beside it, alone (a quarter each): the
		// load of a shared machine drifts, and the order cancels a steady
		// drift that "alone, then beside" would count as the runner's cost.
		q := len(evs) / 4
		write := func(part []event.Event) time.Duration {
			var next atomic.Int64
			var wg sync.WaitGroup
			t0 := time.Now()
			for range writers {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(len(part)) {
							return
						}
						ev := part[i]
						ev.ID = ids.New()
						if err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
							if err := s.LockEventOrder(ctx, ev.TenantID); err != nil {
								return err
							}
							_, err := s.InsertEvent(ctx, ev)
							return err
						}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			return time.Since(t0)
		}
		aloneTook := write(evs[:q])
		// Fold the first quarter first, so the runner beside the next two
		// only has the new events to keep up with.
		r := rollup.NewRunner(db, clock.System{}, slog.New(slog.DiscardHandler))
		t0 := time.Now()
		n, err := r.CatchUp(ctx, tn.ID, nil)
		if err != nil {
			b.Fatal(err)
		}
		folding := float64(n) / time.Since(t0).Seconds()
		stop := make(chan struct{})
		folded := make(chan int)
		go func() {
			total := 0
			for {
				n, err := r.CatchUp(ctx, tn.ID, nil)
				if err != nil {
					b.Error(err)
				}
				total += n
				select {
				case <-stop:
					folded <- total
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		beside := float64(2*q) / write(evs[q:3*q]).Seconds()
		cursor, err := db.RollupCursor(ctx, tn.ID)
		if err != nil {
			b.Fatal(err)
		}
		behind, err := db.CountEventsAfter(ctx, tn.ID, cursor)
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		close(stop)
		<-folded
		if _, err := r.CatchUp(ctx, tn.ID, nil); err != nil {
			b.Fatal(err)
		}
		fmt.Printf("# %s: when the writers finished, %d of their %d events were not folded yet; all were %s later\n",
			engine, behind, 2*q, time.Since(t0).Round(time.Millisecond))
		aloneTook += write(evs[3*q:])
		alone := float64(len(evs)-2*q) / aloneTook.Seconds()
		fmt.Printf("BENCH rollup_events_per_s%s %.0f events/s\n", suffix, folding)
		fmt.Printf("BENCH rollup_to_ingest_ratio%s %.2f x\n", suffix, folding/alone)
		fmt.Printf("BENCH rollup_ingest_slowdown_pct%s %.1f %%\n", suffix, (alone-beside)*100/alone)
		fmt.Printf("# %s: %d events; writers (%d) alone %.0f events/s, beside the runner %.0f events/s; runner alone %.0f events/s\n",
			engine, len(evs), writers, alone, beside, folding)
	}
	for b.Loop() {
	}
}
