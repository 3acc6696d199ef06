package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The CEBP scenario (issue 5): a large consumer business notifies every
// customer at once.
const (
	cebpBaseURL = "https://center.cebp.example"
	// cebpTxRows is how many deliveries one transaction writes in the raw
	// baseline: as many as notify's raise to all writes per page.
	cebpTxRows = 2000
	// cebpSinkLimit is how long the sender may take before the run fails.
	cebpSinkLimit = 10 * time.Minute
)

// cebpNow is the scenario's clock: 04:30 UTC on a Thursday, when the
// Americas and Europe are inside many personas' quiet hours and Asia is not.
var cebpNow = time.Date(2026, 11, 26, 4, 30, 0, 0, time.UTC)

// Notification types of the scenario: one raised to all, one to the push
// subscribers only.
var (
	cebpShipped = notice.Type{Key: "order.shipped", Name: "Order shipped", Category: prefs.Transactional,
		Channels: []string{"webpush", "email", "sms"}, SendTime: notice.SendNow, DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{
			"en": {
				"web":   {Subject: "Order {{.order}} shipped", Body: "Hello {{.name}}, order {{.order}} is on its way. Track it: {{.link}}"},
				"email": {Subject: "Order {{.order}} shipped", Body: "Hello {{.name}},\n\norder {{.order}} is on its way.\nTrack it: {{.link}}\nUnsubscribe: {{.unsubscribe_link}}"},
				"sms":   {Short: "Order {{.order}} shipped: {{.link}}"},
			},
			"pt": {"web": {Subject: "Encomenda {{.order}} enviada", Body: "Olá {{.name}}, a encomenda {{.order}} está a caminho: {{.link}}"}},
		}}
	cebpStatement = notice.Type{Key: "statement.ready", Name: "Statement ready", Category: prefs.Transactional,
		Channels: []string{"email"}, SendTime: notice.SendNow, DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "Your {{.month}} statement is ready", Body: "Hello {{.name}},\n\nyour {{.month}} statement is ready: {{.link}}\n\nEmail preferences: {{.preferences_link}}"},
		}}}
	cebpOutage = notice.Type{Key: "service.outage", Name: "Service outage", Category: prefs.Transactional,
		Channels: []string{"webpush"}, SendTime: notice.SendNow, DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{"en": {
			"web": {Subject: "Card payments are down in {{.region}}", Body: "We are on it, {{.name}}. Status: {{.link}}"},
		}}}
)

// cebpConfig sizes a run: Personas in the tenant, Sink of them subscribed
// to Web Push, each sent one push and one email in the sink phase.
// Progress reports each step as it goes.
type cebpConfig struct {
	Personas, Sink int
	Progress       func(format string, args ...any)
}

// cebpResult is what a run measured: wall times, and beside them the
// process's CPU time in the same step (the sinks run in the process too).
type cebpResult struct {
	Seed                time.Duration
	Enqueue, EnqueueCPU time.Duration
	Counts              map[string]int // the event's rows by status
	Channels            map[string]int // its pending rows by first channel
	Held                int            // its pending rows due later than now
	Raw, RawCPU         time.Duration
	RawRows             int
	Push, PushCPU       time.Duration // Web Push to the push sink
	PushSent            int
	Mail, MailCPU       time.Duration // email to the SMTP sink
	MailSent            int
}

func (r cebpResult) rows() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

// cebpRun runs the scenario on SQLite (a file in a temporary directory, the
// real migrations):
//
//  1. seed the tenant's personas (not timed);
//  2. raise one event to all of them through notify.Service.Raise (timed:
//     every persona's decision and its delivery row);
//  3. copy the same rows with store.InsertDeliveries into a second database
//     of the same schema, in transactions of the same size, deciding
//     nothing (timed: the raw limit);
//  4. raise another event to the personas subscribed to Web Push and run
//     the send.Sender until the push sink took every one (timed); then the
//     same for email to an SMTP sink (timed), which needs no encryption per
//     notice.
//
// Every count is checked: a run that loses a row fails.
func cebpRun(tb testing.TB, c cebpConfig) cebpResult {
	ctx := context.Background()
	var res cebpResult
	log := slog.New(slog.DiscardHandler)
	clk := clock.NewFake(cebpNow)
	db := storetest.OpenSQLite(tb)
	tn := tenant.Tenant{ID: ids.New(), Slug: "cebp", Name: "CEBP Retail", CreatedAt: cebpNow}
	if err := db.CreateTenant(ctx, tn); err != nil {
		tb.Fatal(err)
	}
	sink := startPushSink(c.Sink)
	defer sink.Close()

	c.Progress("seeding %d personas (%d with a push subscription)", c.Personas, c.Sink)
	start := time.Now()
	seeded, err := seedPersonas(ctx, db, cebpSeed{TenantID: tn.ID, Personas: c.Personas, Push: c.Sink, Endpoint: sink.Endpoint(), Now: cebpNow,
		Progress: func(done int) {
			if done%200_000 == 0 || done == c.Personas {
				c.Progress("seeded %d personas (%.0f s)", done, time.Since(start).Seconds())
			}
		}})
	if err != nil {
		tb.Fatal(err)
	}
	res.Seed = time.Since(start)
	if len(seeded.Push) != c.Sink {
		tb.Fatalf("%d personas have a push subscription, want %d (too few personas without preferences)", len(seeded.Push), c.Sink)
	}
	sink.know(seeded.Browsers)
	c.Progress("seeded in %.1f s: %d with preferences (%d quiet hours, %d momentary), %d phones, %d consent records",
		res.Seed.Seconds(), seeded.Prefs, seeded.Quiet, seeded.Momentary, seeded.Phones, seeded.Consent)

	links := notify.NewLinks([]byte("cebp-secret-key-cebp-secret-key!"), cebpBaseURL, clk)
	svc := notify.New(notify.Deps{DB: db, Links: links, Clock: clk, Log: log})
	for _, t := range []notice.Type{cebpShipped, cebpOutage, cebpStatement} {
		if _, err := svc.PutType(ctx, tn.ID, t); err != nil {
			tb.Fatal(err)
		}
	}

	// Raise to all, timed.
	checkpoint(ctx, tb, db)
	c.Progress("raising %s to all %d personas", cebpShipped.Key, c.Personas)
	start, cpu := time.Now(), cpuTime()
	raised, err := svc.Raise(ctx, tn.ID, notify.RaiseInput{Type: cebpShipped.Key, All: true, Data: map[string]any{"order": "A-1001"}})
	res.Enqueue, res.EnqueueCPU = time.Since(start), cpuTime()-cpu
	if err != nil {
		tb.Fatal(err)
	}
	if res.Counts, err = deliveryCounts(ctx, db, raised.Event.ID); err != nil {
		tb.Fatal(err)
	}
	if res.rows() != c.Personas || !maps.Equal(res.Counts, raised.Counts) {
		tb.Fatalf("raised to %d personas: rows by status %v, Raise counted %v", c.Personas, res.Counts, raised.Counts)
	}
	if res.Channels, res.Held, err = pendingShape(ctx, db, raised.Event.ID, cebpNow); err != nil {
		tb.Fatal(err)
	}
	c.Progress("raised in %.1f s (%.1f s of CPU): rows %s; pending by channel %v, %d held for later",
		res.Enqueue.Seconds(), res.EnqueueCPU.Seconds(), countsText(res.Counts), res.Channels, res.Held)

	// The raw limit: the same rows, stored and nothing decided.
	ds, err := eventDeliveries(ctx, db, tn.ID, raised.Event.ID)
	if err != nil {
		tb.Fatal(err)
	}
	raw := storetest.OpenSQLite(tb)
	checkpoint(ctx, tb, raw)
	c.Progress("raw baseline: inserting the same %d rows into a fresh database, %d a transaction", len(ds), cebpTxRows)
	start, cpu = time.Now(), cpuTime()
	for from := 0; from < len(ds); from += cebpTxRows {
		chunk := ds[from:min(from+cebpTxRows, len(ds))]
		if err := raw.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.InsertDeliveries(ctx, chunk) }); err != nil {
			tb.Fatal(err)
		}
	}
	res.Raw, res.RawCPU = time.Since(start), cpuTime()-cpu
	rawCounts, err := deliveryCounts(ctx, raw, raised.Event.ID)
	if err != nil {
		tb.Fatal(err)
	}
	if !maps.Equal(rawCounts, res.Counts) {
		tb.Fatalf("raw copy holds %v, the event %v", rawCounts, res.Counts)
	}
	res.RawRows = len(ds)
	c.Progress("raw baseline: %.1f s (%.1f s of CPU)", res.Raw.Seconds(), res.RawCPU.Seconds())

	// The big event's rows are set aside, so the sender works on the sinks'
	// events alone and a sink's count is the whole of its work.
	if _, err := db.SQL().ExecContext(ctx, `UPDATE notify_deliveries SET status = $1, due_at = NULL
		WHERE event_id = $2 AND status = $3`, notice.StatusCancelled, raised.Event.ID, notice.StatusPending); err != nil {
		tb.Fatal(err)
	}
	s := sinkPhase{ctx: ctx, tb: tb, c: c, db: db, svc: svc, links: links, clk: clk, tenantID: tn.ID, personas: seeded.Push}
	res.Push, res.PushCPU, res.PushSent = s.push(sink)
	res.Mail, res.MailCPU, res.MailSent = s.mail()
	return res
}

// sinkPhase raises events to the push subscribers and times the Sender
// through them.
type sinkPhase struct {
	ctx      context.Context
	tb       testing.TB
	c        cebpConfig
	db       *store.DB
	svc      *notify.Service
	links    *notify.Links
	clk      *clock.Fake
	tenantID string
	personas []string
}

// push sends the outage to every subscriber's browser through the Web
// Push channel (encrypted for each, VAPID-signed) to the push sink.
func (s sinkPhase) push(sink *pushSink) (wall, cpu time.Duration, sent int) {
	public, private, err := webpush.GenerateKeys()
	if err != nil {
		s.tb.Fatal(err)
	}
	pusher, err := webpush.New(webpush.Config{PublicKey: public, PrivateKey: private, Subscriber: "mailto:ops@cebp.example", HTTP: sink.Client()})
	if err != nil {
		s.tb.Fatal(err)
	}
	wall, cpu, sent = s.run(pusher, cebpOutage, map[string]any{"region": "EU"}, sink.done, sink.n.Load)
	sink.mu.Lock()
	bad := sink.bad
	sink.mu.Unlock()
	if len(bad) > 0 || sink.n.Load() != int64(sent) {
		s.tb.Fatalf("the push sink took %d and refused %v; %d recorded sent", sink.n.Load(), bad, sent)
	}
	checkRead(s.tb, sink)
	return wall, cpu, sent
}

// mail sends the statement to every subscriber's address through the
// email channel to an SMTP sink (one connection a message, as the relay
// client makes them).
func (s sinkPhase) mail() (wall, cpu time.Duration, sent int) {
	core := inboxtest.Start(s.tb, s.db, inboxtest.Options{Clock: s.clk})
	relay := smtpsink.Start(s.tb)
	mailer, err := email.New(email.Deps{DB: s.db, Inbox: core.Inbox, Clock: s.clk, Log: core.Log},
		email.Config{Hostname: "mx.cebp.example", Relay: relay.Addr})
	if err != nil {
		s.tb.Fatal(err)
	}
	acc := channel.Account{ID: ids.New(), TenantID: s.tenantID, Channel: "email", Address: "news@cebp.example", Name: "CEBP Retail"}
	if err := s.db.CreateChannelAccount(s.ctx, acc, cebpNow); err != nil {
		s.tb.Fatal(err)
	}
	var got atomic.Int64
	var first smtpsink.Message
	done := make(chan struct{})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case m := <-relay.Messages:
				n := got.Add(1)
				if n == 1 {
					first = m
				}
				if n == int64(len(s.personas)) {
					close(done)
				}
			case <-stop:
				return
			}
		}
	}()
	wall, cpu, sent = s.run(mailer, cebpStatement, map[string]any{"month": "November"}, done, got.Load)
	if got.Load() != int64(sent) {
		s.tb.Fatalf("the SMTP sink took %d mails; %d recorded sent", got.Load(), sent)
	}
	msg := string(first.Data)
	if first.From != acc.Address || !strings.Contains(msg, "Subject: Your November statement is ready") ||
		!strings.Contains(msg, "List-Unsubscribe: <"+cebpBaseURL+"/u/") {
		s.tb.Fatalf("a mail from %s reads:\n%s", first.From, msg)
	}
	return wall, cpu, sent
}

// run raises typ to the personas (in batches of the most one event takes),
// then runs a Sender with ch alone and its default configuration from its
// start until done (the sink took every notice) and the outcomes are
// written; every delivery must be recorded sent.
func (s sinkPhase) run(ch channel.Channel, typ notice.Type, data map[string]any, done <-chan struct{}, got func() int64) (wall, cpu time.Duration, sent int) {
	ctx, tb := s.ctx, s.tb
	var events []string
	for from := 0; from < len(s.personas); from += notify.MaxRecipients {
		var to []notify.Recipient
		for _, id := range s.personas[from:min(from+notify.MaxRecipients, len(s.personas))] {
			to = append(to, notify.Recipient{To: notice.Target{PersonaID: id}})
		}
		r, err := s.svc.Raise(ctx, s.tenantID, notify.RaiseInput{Type: typ.Key, Recipients: to, Data: data})
		if err != nil {
			tb.Fatal(err)
		}
		if r.Counts[notice.StatusPending] != len(to) {
			tb.Fatalf("%s to %d personas: %v", typ.Key, len(to), r.Counts)
		}
		events = append(events, r.Event.ID)
	}
	reg, err := channel.NewRegistry(ch)
	if err != nil {
		tb.Fatal(err)
	}
	snd := send.New(send.Deps{DB: s.db, Notify: s.svc, Links: s.links, Channels: reg, Clock: s.clk, Log: slog.New(slog.DiscardHandler)}, send.Config{})

	checkpoint(ctx, tb, s.db)
	s.c.Progress("sending %d %s notices on %s to the sink", len(s.personas), typ.Key, ch.Name())
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ran := make(chan error, 1)
	start, cpuStart := time.Now(), cpuTime()
	go func() { ran <- snd.Run(runCtx) }()
	select {
	case <-done:
	case <-time.After(cebpSinkLimit):
		tb.Fatalf("the sink took %d of %d notices on %s in %s", got(), len(s.personas), ch.Name(), cebpSinkLimit)
	}
	cancel()
	if err := <-ran; err != nil {
		tb.Fatal(err)
	}
	wall, cpu = time.Since(start), cpuTime()-cpuStart

	for _, id := range events {
		counts, err := deliveryCounts(ctx, s.db, id)
		if err != nil {
			tb.Fatal(err)
		}
		sent += counts[notice.StatusSent]
	}
	if sent != len(s.personas) {
		tb.Fatalf("%d of %d %s notices recorded sent", sent, len(s.personas), typ.Key)
	}
	s.c.Progress("sent on %s in %.1f s (%.1f s of CPU)", ch.Name(), wall.Seconds(), cpu.Seconds())
	return wall, cpu, sent
}

// checkRead checks what the sampled browsers read: the outage's title and
// body, rendered for the customer, and the notice's read link.
func checkRead(tb testing.TB, sink *pushSink) {
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.read) != len(sink.browsers) {
		tb.Fatalf("the sink read %d of the %d sampled browsers' pushes", len(sink.read), len(sink.browsers))
	}
	for id, plain := range sink.read {
		var m struct{ Title, Body, URL, ID string }
		if err := json.Unmarshal(plain, &m); err != nil {
			tb.Fatalf("push to %s: %v: %s", id, err, plain)
		}
		if m.Title != "Card payments are down in EU" || !strings.HasPrefix(m.Body, "We are on it, Customer ") ||
			!strings.HasPrefix(m.URL, cebpBaseURL+"/n/") || m.ID == "" {
			tb.Fatalf("push to %s read %s", id, plain)
		}
	}
}

// checkpoint starts a measured step from an empty write-ahead log, so no
// step pays for the one before it.
func checkpoint(ctx context.Context, tb testing.TB, db *store.DB) {
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
}

func countsText(counts map[string]int) string {
	var parts []string
	for _, s := range []string{notice.StatusPending, notice.StatusSuppressed} {
		parts = append(parts, fmt.Sprintf("%s %d", s, counts[s]))
	}
	for s, n := range counts {
		if s != notice.StatusPending && s != notice.StatusSuppressed {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
	}
	return strings.Join(parts, ", ")
}

// envInt reads a positive count from the environment, else def.
func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive count", name, v)
	}
	return n
}

// BenchmarkCEBP is issue 5's performance scenario: one tenant of 1,000,000
// personas (SWITCHBOARD_BENCH_PERSONAS) with varied preferences, an event
// raised to all of them, then 50,000 Web Push notices (SWITCHBOARD_BENCH_SINK)
// sent to a push sink with real encryption and as many emails to an SMTP
// sink. cebp_sink_deliveries_per_s is the emails' rate, cebp_sink_webpush_per_s
// the pushes'. See cebpRun. The scenario is fixed and runs once whatever b.N is:
//
//	go test -run '^$' -bench CEBP -benchtime 1x -timeout 60m ./bench/
func BenchmarkCEBP(b *testing.B) {
	c := cebpConfig{
		Personas: envInt(b, "SWITCHBOARD_BENCH_PERSONAS", 1_000_000),
		Sink:     envInt(b, "SWITCHBOARD_BENCH_SINK", 50_000),
		Progress: func(format string, args ...any) { fmt.Fprintf(os.Stderr, "cebp: "+format+"\n", args...) },
	}
	var res cebpResult
	for b.Loop() {
		if res.Enqueue == 0 {
			res = cebpRun(b, c)
		}
	}
	fmt.Printf("cebp: seeded %d personas in %.1f s; rows %s; pending by channel %v, %d held for later\n",
		c.Personas, res.Seed.Seconds(), countsText(res.Counts), res.Channels, res.Held)
	enqueueName := "cebp_1m_enqueue_s"
	if c.Personas != 1_000_000 {
		enqueueName = fmt.Sprintf("cebp_%d_enqueue_s", c.Personas)
	}
	ours := float64(res.rows()) / res.Enqueue.Seconds()
	raw := float64(res.RawRows) / res.Raw.Seconds()
	Report(enqueueName, res.Enqueue.Seconds(), "s")
	Report("cebp_enqueue_per_s", ours, "rows/s")
	Report("cebp_raw_insert_per_s", raw, "rows/s")
	Report("cebp_ratio_vs_raw_insert", ours/raw, "x")
	// The "deliveries per second to a local SMTP / HTTP sink": email
	// through the SMTP sink, the channel it names first, then Web Push
	// through the push sink (an HTTP/2 push service).
	Report("cebp_sink_deliveries_per_s", float64(res.MailSent)/res.Mail.Seconds(), "deliveries/s")
	Report("cebp_sink_webpush_per_s", float64(res.PushSent)/res.Push.Seconds(), "deliveries/s")
	// CPU time, which the machine's other load does not stretch: the raise's
	// against the raw copy's, and a notice's on each channel (sender, channel
	// and the in-process sink together).
	Report("cebp_enqueue_cpu_s", res.EnqueueCPU.Seconds(), "s")
	Report("cebp_raw_insert_cpu_s", res.RawCPU.Seconds(), "s")
	Report("cebp_sink_email_cpu_us_per_delivery", float64(res.MailCPU.Microseconds())/float64(res.MailSent), "us")
	Report("cebp_sink_webpush_cpu_us_per_delivery", float64(res.PushCPU.Microseconds())/float64(res.PushSent), "us")
	b.ReportMetric(ours, "rows/s")
}

// TestCEBP runs the scenario small, so the benchmark keeps working: every
// count it checks must hold at any size, and the decisions must be varied
// (some held, some on each channel, some suppressed).
func TestCEBP(t *testing.T) {
	res := cebpRun(t, cebpConfig{Personas: 2000, Sink: 100, Progress: t.Logf})
	if res.Counts[notice.StatusPending] == 0 || res.Counts[notice.StatusSuppressed] == 0 {
		t.Errorf("rows by status %v: want both pending and suppressed ones", res.Counts)
	}
	for _, ch := range cebpShipped.Channels {
		if res.Channels[ch] == 0 {
			t.Errorf("pending by channel %v: none on %s", res.Channels, ch)
		}
	}
	if res.Held == 0 || res.Held == res.Counts[notice.StatusPending] {
		t.Errorf("%d of %d pending held for later: want some, not all", res.Held, res.Counts[notice.StatusPending])
	}
	if res.RawRows != 2000 || res.PushSent != 100 || res.MailSent != 100 {
		t.Errorf("raw copy of %d rows, %d pushes and %d mails sent; want 2000, 100 and 100", res.RawRows, res.PushSent, res.MailSent)
	}
}
