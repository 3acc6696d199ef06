package schedule_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// node is one Switchboard node's part in scheduled reports: its own
// database handle, service and job queue.
type node struct {
	db     *store.DB
	svc    *schedule.Service
	q      *jobs.Queue
	events <-chan *river.Event
}

func startNode(t *testing.T, dsn string, clk clock.Clock, relay *mailer.Relay) *node {
	t.Helper()
	db := storetest.OpenDSN(t, dsn)
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate jobs: %v", err)
	}
	n := &node{db: db, svc: schedule.New(schedule.Deps{DB: db, Reports: reports.New(db), Mail: relay, Clock: clk,
		BaseURL: "https://center.example"})}
	workers := river.NewWorkers()
	river.AddWorker(workers, schedule.NewSender(n.svc))
	q, err := jobs.New(db, jobs.Config{Workers: workers, PollInterval: 50 * time.Millisecond,
		Retry: jobs.RetryPolicy{Base: 50 * time.Millisecond, Max: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	n.q = q
	var cancel func()
	n.events, cancel = q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		q.Stop(stop)
	})
	return n
}

func user(t *testing.T, db *store.DB, tenantID, email string, role tenant.Role) tenant.User {
	t.Helper()
	u := tenant.User{ID: ids.New(), TenantID: tenantID, Email: email, Name: email, Role: role, Presence: tenant.PresenceOffline,
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// waitJob waits for the next send job's outcome on any of the nodes.
func waitJob(t *testing.T, nodes ...*node) *river.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		for _, n := range nodes {
			select {
			case ev := <-n.events:
				if ev.Job.Kind == (schedule.SendArgs{}).Kind() {
					return ev
				}
			default:
			}
		}
		select {
		case <-timeout:
			t.Fatal("no send job finished in 30 s")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Two nodes, each with its own database handle and job queue, tick at the
// same moment again and again: the due run is claimed once and each
// recipient gets one mail; the period is never sent again, even when an
// edit makes the schedule due again for it. On SQLite and PostgreSQL.
func TestTwoNodesSendOneMail(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.DSN(t)
			clk := clock.NewFake(time.Date(2026, 12, 7, 7, 59, 0, 0, time.UTC))
			sink := smtpsink.Start(t)
			relay := mailer.New(sink.Addr, "reports@center.example", "", "", clk)
			a, b := startNode(t, dsn, clk, relay), startNode(t, dsn, clk, relay)
			tn := storetest.NewTenant(t, a.db, "sched-race")
			other := storetest.NewTenant(t, a.db, "sched-other")
			ana := user(t, a.db, tn.ID, "ana@northwind.example", tenant.RoleSupervisor)
			agent := user(t, a.db, tn.ID, "bo@northwind.example", tenant.RoleAgent)
			stranger := user(t, a.db, other.ID, "cy@other.example", tenant.RoleAdmin)

			in := schedule.Input{Name: "Daily overview", When: schedule.When{Frequency: schedule.Daily, At: "08:00", TZ: "Europe/Lisbon"},
				Filter: reports.Filter{Channel: "email"}, Recipients: []string{ana.ID}, ExtraEmails: []string{"Ops@Partner.example"}}
			for _, bad := range []struct {
				ids   []string
				field string
			}{{[]string{agent.ID}, "recipients"}, {[]string{stranger.ID}, "recipients"}} {
				in2 := in
				in2.Recipients = bad.ids
				_, err := a.svc.Create(ctx, tn.ID, ana.ID, in2)
				var fe *tenant.FieldError
				if !errors.As(err, &fe) || fe.Field != bad.field {
					t.Fatalf("recipients %v: %v, want refused", bad.ids, err)
				}
			}
			sc, err := a.svc.Create(ctx, tn.ID, ana.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if !sc.NextRunAt.Equal(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)) || sc.ExtraEmails[0] != "ops@partner.example" {
				t.Fatalf("created %+v", sc)
			}
			if _, err := b.svc.Get(ctx, other.ID, sc.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another tenant reads the schedule: %v", err)
			}

			clk.Set(time.Date(2026, 12, 7, 8, 0, 30, 0, time.UTC))
			var wg sync.WaitGroup
			var mu sync.Mutex
			enqueued := 0
			for i := range 6 {
				n := []*node{a, b}[i%2]
				wg.Add(1)
				go func() {
					defer wg.Done()
					k, err := n.svc.Tick(ctx, n.q)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					enqueued += k
					mu.Unlock()
				}()
			}
			wg.Wait()
			if enqueued != 1 {
				t.Fatalf("six racing ticks enqueued %d runs, want 1", enqueued)
			}
			if ev := waitJob(t, a, b); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("send job: %s %v", ev.Kind, ev.Job.Errors)
			}
			var got []smtpsink.Message
			for len(sink.Messages) > 0 {
				got = append(got, <-sink.Messages)
			}
			var to []string
			for _, m := range got {
				to = append(to, m.To...)
			}
			slices.Sort(to)
			if !slices.Equal(to, []string{"ana@northwind.example", "ops@partner.example"}) {
				t.Fatalf("mails went to %v, want one each to ana and ops", to)
			}
			checkMail(t, got[0].Data, "Daily overview: 2026-12-06 — Tenant sched-race",
				"https://center.example/admin/reports?channel=email&from=2026-12-06&to=2026-12-06&tz=Europe%2FLisbon")

			// An edit to 08:05 makes the schedule due again today, for the
			// period it already sent: claimed, not sent.
			clk.Set(time.Date(2026, 12, 7, 8, 1, 0, 0, time.UTC))
			in.When.At = "08:05"
			if _, err := a.svc.Update(ctx, tn.ID, sc.ID, in); err != nil {
				t.Fatal(err)
			}
			clk.Set(time.Date(2026, 12, 7, 8, 6, 0, 0, time.UTC))
			for _, n := range []*node{a, b} {
				if k, err := n.svc.Tick(ctx, n.q); err != nil || k != 0 {
					t.Fatalf("tick after the edit: %d, %v; want nothing sent", k, err)
				}
			}
			runs, err := a.svc.Runs(ctx, tn.ID, sc.ID)
			if err != nil || len(runs) != 1 || runs[0].Status != schedule.StatusSent || runs[0].SentTo != 2 || runs[0].From != "2026-12-06" {
				t.Fatalf("runs: %+v, %v", runs, err)
			}
			if _, err := b.svc.Runs(ctx, other.ID, sc.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another tenant lists the runs: %v", err)
			}
			// The next day's run is tomorrow's.
			sc, _ = a.svc.Get(ctx, tn.ID, sc.ID)
			if !sc.NextRunAt.Equal(time.Date(2026, 12, 8, 8, 5, 0, 0, time.UTC)) {
				t.Fatalf("next run %s", sc.NextRunAt)
			}
			if len(sink.Messages) != 0 {
				t.Fatalf("%d more mails", len(sink.Messages))
			}
		})
	}
}

// checkMail reads a report mail as a mail reader does: the subject, the
// link in both bodies, and every table attached as CSV with a byte order mark.
func checkMail(t *testing.T, raw []byte, subject, link string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); s != subject {
		t.Errorf("subject %q, want %q", s, subject)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var bodies []string
	csvs := map[string][]byte{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		typ, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if typ == "multipart/alternative" {
			ar := multipart.NewReader(p, pp["boundary"])
			for {
				q, err := ar.NextPart()
				if err == io.EOF {
					break
				}
				b, _ := io.ReadAll(q)
				bodies = append(bodies, string(b))
			}
			continue
		}
		b, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
		csvs[p.FileName()] = b
	}
	if len(bodies) != 2 || !strings.Contains(bodies[0], link) || !strings.Contains(bodies[1], strings.ReplaceAll(link, "&", "&amp;")) {
		t.Errorf("bodies do not link %s:\n%s", link, strings.Join(bodies, "\n----\n"))
	}
	if !strings.Contains(bodies[0], "Conversations") {
		t.Errorf("text body lacks the figures:\n%s", bodies[0])
	}
	for _, name := range reports.Tables {
		f := "report-" + name + "-2026-12-06-2026-12-06.csv"
		if !bytes.HasPrefix(csvs[f], []byte("\uFEFF")) {
			t.Errorf("attachment %s: %q", f, csvs[f])
		}
	}
	if !bytes.Contains(csvs["report-summary-2026-12-06-2026-12-06.csv"], []byte("\r\nconversations,0,0\r\n")) {
		t.Errorf("summary CSV: %q", csvs["report-summary-2026-12-06-2026-12-06.csv"])
	}
}

// A relay that turns one recipient away for a while: the run is retried
// with the queue's backoff, and the retry sends only to that recipient.
func TestFailedSendRetries(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(time.Date(2026, 12, 1, 4, 59, 0, 0, time.UTC))
			sink := smtpsink.Start(t)
			n := startNode(t, e.DSN(t), clk, mailer.New(sink.Addr, "reports@center.example", "", "", clk))
			tn := storetest.NewTenant(t, n.db, "sched-retry")
			ana := user(t, n.db, tn.ID, "ana@northwind.example", tenant.RoleAdmin)
			bo := user(t, n.db, tn.ID, "bo@northwind.example", tenant.RoleSupervisor)
			sc, err := n.svc.Create(ctx, tn.ID, ana.ID, schedule.Input{Name: "Monthly",
				When: schedule.When{Frequency: schedule.Monthly, Day: 1, At: "06:00", TZ: "Europe/Berlin"}, Recipients: []string{ana.ID, bo.ID}})
			if err != nil {
				t.Fatal(err)
			}
			sink.RejectRcpt("bo@northwind.example", 1)
			clk.Set(time.Date(2026, 12, 1, 5, 0, 1, 0, time.UTC))
			if k, err := n.svc.Tick(ctx, n.q); err != nil || k != 1 {
				t.Fatalf("tick: %d, %v", k, err)
			}
			// The retry comes within the backoff (50 ms here), so the
			// failure is read from the job's event, not from the run.
			ev := waitJob(t, n)
			if ev.Kind != river.EventKindJobFailed || len(ev.Job.Errors) != 1 || !strings.Contains(ev.Job.Errors[0].Error, "451") {
				t.Fatalf("first attempt: %s %+v, want failed with the relay's 451", ev.Kind, ev.Job.Errors)
			}
			if ev := waitJob(t, n); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("retry: %s, want completed", ev.Kind)
			}
			runs, _ := n.svc.Runs(ctx, tn.ID, sc.ID)
			if len(runs) != 1 || runs[0].Status != schedule.StatusSent || runs[0].SentTo != 2 || runs[0].Attempts != 2 || runs[0].Error != "" ||
				runs[0].From != "2026-11-01" || runs[0].To != "2026-11-30" {
				t.Fatalf("after the retry: %+v", runs)
			}
			var to []string
			for len(sink.Messages) > 0 {
				to = append(to, (<-sink.Messages).To...)
			}
			slices.Sort(to)
			if !slices.Equal(to, []string{"ana@northwind.example", "bo@northwind.example"}) {
				t.Fatalf("mails to %v, want one each", to)
			}
		})
	}
}
