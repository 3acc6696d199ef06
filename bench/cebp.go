package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// cebpZones are the time zones the personas live in, spread round the
// world so that at any hour some are inside their quiet hours.
var cebpZones = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City",
	"America/Sao_Paulo", "America/Toronto", "Europe/London", "Europe/Lisbon", "Europe/Paris",
	"Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Africa/Johannesburg", "Asia/Dubai",
	"Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
}

// cebpSeed says what to write: Personas of one tenant, the first Push of
// those with no preferences or consent records of their own also holding a
// Web Push subscription at Endpoint + "/" + its id.
type cebpSeed struct {
	TenantID string
	Personas int
	Push     int
	Endpoint string
	Now      time.Time
	// Progress is called after each transaction with the personas written.
	Progress func(done int)
}

// cebpSeeded is what the seed wrote.
type cebpSeeded struct {
	Prefs, Quiet, Momentary, Consent, Phones int
	// Push are the personas with a subscription, in order.
	Push []string
	// Browsers hold the private side of the first few subscriptions, by
	// subscription id, so the sink can read what it was sent.
	Browsers map[string]webpushtest.Browser
}

// seedTx is how many personas one seeding transaction writes.
const seedTx = 20_000

// seedPersonas fills the tenant with personas as a large consumer business
// has them: every one with an email address, ~60% with a phone, ~60% with
// preferences of their own (channels off, another order, quiet hours, a
// momentary state, a type or category override), ~3% with a marketing
// consent record. It writes multi-row INSERTs straight into the tables in
// large transactions: seeding is not what is measured.
func seedPersonas(ctx context.Context, db *store.DB, s cebpSeed) (cebpSeeded, error) {
	rng := rand.New(rand.NewPCG(5, 1_000_000))
	out := cebpSeeded{Browsers: map[string]webpushtest.Browser{}}
	at := s.Now.UnixMicro()
	for from := 0; from < s.Personas; from += seedTx {
		var personas, idents, prefRows, consentRows, subs [][]any
		for i := from; i < min(from+seedTx, s.Personas); i++ {
			id := ids.New()
			lang := "en"
			switch r := rng.IntN(100); {
			case r < 10:
				lang = "pt"
			case r < 15:
				lang = "de"
			}
			personas = append(personas, []any{id, s.TenantID, fmt.Sprintf("Customer %d", i),
				cebpZones[rng.IntN(len(cebpZones))], lang, "{}", at, at})
			idents = append(idents, []any{s.TenantID, "email", fmt.Sprintf("c%07d@cebp.example", i), id, rng.IntN(10) < 7, at})
			if rng.IntN(10) < 6 {
				idents = append(idents, []any{s.TenantID, "phone", fmt.Sprintf("+1555%07d", i), id, true, at})
				out.Phones++
			}
			p, quiet, momentary := seedPrefs(rng, s.Now)
			own := !isZeroPrefs(p)
			if own {
				prefRows = append(prefRows, []any{s.TenantID, id, mustJSON(p), at})
				out.Prefs++
			}
			if quiet {
				out.Quiet++
			}
			if momentary {
				out.Momentary++
			}
			hasConsent := rng.IntN(100) < 3
			if hasConsent {
				r, err := consent.Append(nil, consent.Record{TenantID: s.TenantID, PersonaID: id,
					Scope: consent.CategoryScope(string(prefs.Marketing)), Granted: rng.IntN(2) == 0,
					Source: []string{consent.SourceCustomer, consent.SourceAPI, consent.SourceImport}[rng.IntN(3)],
					Actor:  "customer:" + id, At: s.Now.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)})
				if err != nil {
					return out, err
				}
				consentRows = append(consentRows, []any{r.TenantID, r.PersonaID, r.Seq, r.Scope, r.Granted, nil, r.Source, r.Actor,
					r.Note, r.NoteSalt, r.NoteDigest, r.At.UnixMicro(), r.PrevHash, r.Hash})
				out.Consent++
			}
			if !own && !hasConsent && len(out.Push) < s.Push {
				subID := ids.New()
				b := webpushtest.NewBrowser()
				if len(out.Browsers) < sinkSample {
					out.Browsers[subID] = b
				}
				sub := b.Subscription(s.Endpoint + "/" + subID)
				subs = append(subs, []any{s.TenantID, subID, id, sub.Endpoint, sub.Keys.P256dh, sub.Keys.Auth, "bench", at})
				out.Push = append(out.Push, id)
			}
		}
		err := db.InTx(ctx, func(_ *store.Store, tx *sql.Tx) error {
			for _, t := range []struct {
				table string
				cols  []string
				rows  [][]any
			}{
				{"personas", []string{"id", "tenant_id", "name", "time_zone", "language", "attributes", "created_at", "updated_at"}, personas},
				{"persona_identifiers", []string{"tenant_id", "kind", "value", "persona_id", "verified", "created_at"}, idents},
				{"notify_prefs", []string{"tenant_id", "persona_id", "prefs", "updated_at"}, prefRows},
				{"consent_records", []string{"tenant_id", "persona_id", "seq", "scope", "granted", "previous", "source", "actor",
					"note", "note_salt", "note_digest", "at", "prev_hash", "hash"}, consentRows},
				{"push_subscriptions", []string{"tenant_id", "id", "persona_id", "endpoint", "p256dh", "auth", "user_agent", "created_at"}, subs},
			} {
				if err := insertRows(ctx, tx, t.table, t.cols, t.rows); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		if s.Progress != nil {
			s.Progress(min(from+seedTx, s.Personas))
		}
	}
	return out, nil
}

// seedPrefs draws one persona's own preferences; the zero value for about
// two in five.
func seedPrefs(rng *rand.Rand, now time.Time) (p prefs.Preferences, quiet, momentary bool) {
	off := func(ch string) {
		if p.Channels == nil {
			p.Channels = map[string]bool{}
		}
		p.Channels[ch] = false
	}
	if rng.IntN(100) < 10 {
		off("sms")
	}
	if rng.IntN(100) < 4 {
		off("email")
	}
	if rng.IntN(100) < 3 {
		off("webpush")
	}
	if rng.IntN(100) < 25 {
		orders := [][]string{{"sms", "email", "webpush"}, {"email", "webpush", "sms"}, {"email", "sms"}, {"webpush", "sms", "email"}}
		p.Order = orders[rng.IntN(len(orders))]
	}
	if rng.IntN(100) < 30 {
		hours := []prefs.QuietHours{{From: "22:00", To: "07:00"}, {From: "21:00", To: "08:00"}, {From: "23:30", To: "06:30"},
			{From: "20:00", To: "09:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}}}
		q := hours[rng.IntN(len(hours))]
		p.QuietHours, quiet = &q, true
	}
	if rng.IntN(100) < 5 {
		states := []prefs.Momentary{{State: "driving", AllowChannels: []string{"sms"}}, {State: "meeting", AllowChannels: []string{"email", "sms"}},
			{State: "do not disturb"}}
		m := states[rng.IntN(len(states))]
		// One in four has run out already and no longer counts.
		m.Until = now.Add(time.Duration(rng.IntN(240)-60) * time.Minute)
		p.Momentary, momentary = &m, true
	}
	if rng.IntN(100) < 2 {
		no := false
		p.Types = map[string]prefs.TypePref{"order.shipped": {Enabled: &no}}
	}
	if rng.IntN(100) < 3 {
		p.Categories = map[prefs.Category]prefs.TypePref{prefs.Transactional: {Channels: []string{"sms", "email"}}}
	}
	return p, quiet, momentary
}

func isZeroPrefs(p prefs.Preferences) bool {
	return p.Channels == nil && p.Order == nil && p.QuietHours == nil && p.Momentary == nil && p.Types == nil && p.Categories == nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// insertRows writes rows into table in multi-row INSERTs of up to 500 rows.
// The placeholders are SQLite's plain "?": with numbered ones ($n) the
// SQLite driver looks each parameter's name up in a list, and a statement
// of thousands of parameters binds in quadratic time.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	const per = 500
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(cols))
	for len(rows) > 0 {
		n := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		var err error
		if n == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insertText(table, cols, per)); err != nil {
					return fmt.Errorf("seed %s: %w", table, err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertText(table, cols, n), args...)
		}
		if err != nil {
			return fmt.Errorf("seed %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

func insertText(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// eventDeliveries reads back every delivery row of an event as the store
// wrote it, for the raw insert baseline.
func eventDeliveries(ctx context.Context, db *store.DB, tenantID, eventID string) ([]notice.Delivery, error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT id, persona_id, type_key, category, channels, channel_index, channel, status,
		due_at, expires_at, tries, reasons, broke_quiet, language, retrieval, response, reply_expected, created_at, updated_at
		FROM notify_deliveries WHERE tenant_id = $1 AND event_id = $2`, tenantID, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notice.Delivery
	for rows.Next() {
		d := notice.Delivery{TenantID: tenantID, EventID: eventID}
		var channels, reasons string
		var due, expires sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&d.ID, &d.PersonaID, &d.Type, &d.Category, &channels, &d.Attempt, &d.Channel, &d.Status,
			&due, &expires, &d.Tries, &reasons, &d.BrokeQuietHours, &d.Language, &d.Retrieval, &d.Response, &d.ReplyExpected,
			&created, &updated); err != nil {
			return nil, err
		}
		if due.Int64 != 0 {
			d.DueAt = time.UnixMicro(due.Int64).UTC()
		}
		if expires.Valid {
			d.ExpiresAt = time.UnixMicro(expires.Int64).UTC()
		}
		d.CreatedAt, d.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		if err := json.Unmarshal([]byte(channels), &d.Channels); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(reasons), &d.Reasons); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deliveryCounts counts an event's delivery rows by status.
func deliveryCounts(ctx context.Context, db *store.DB, eventID string) (map[string]int, error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT status, COUNT(*) FROM notify_deliveries WHERE event_id = $1 GROUP BY status`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = n
	}
	return out, rows.Err()
}

// pendingShape counts an event's pending rows by first channel, and those
// held for later (quiet hours, a momentary state).
func pendingShape(ctx context.Context, db *store.DB, eventID string, now time.Time) (byChannel map[string]int, held int, err error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT channel, due_at > $1, COUNT(*) FROM notify_deliveries
		WHERE event_id = $2 AND status = 'pending' GROUP BY channel, due_at > $1`, now.UnixMicro(), eventID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	byChannel = map[string]int{}
	for rows.Next() {
		var ch string
		var later bool
		var n int
		if err := rows.Scan(&ch, &later, &n); err != nil {
			return nil, 0, err
		}
		byChannel[ch] += n
		if later {
			held += n
		}
	}
	return byChannel, held, rows.Err()
}

// cpuTime is the CPU time (user and system) the process has used so far:
// a step's share of it does not depend on what else the machine runs, as
// its wall time does.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// sinkSample is how many subscriptions the sink holds the keys of and reads.
const sinkSample = 16

// pushSink is a push service (RFC 8030) on a loopback port, over TLS with
// HTTP/2 as the big push services speak it. It answers every well-formed
// Web Push POST (VAPID authorization, aes128gcm body) with 201 and counts
// it, and decrypts the messages of the browsers it holds keys of, so the
// run can check what a customer would have read.
type pushSink struct {
	srv  *httptest.Server
	want int64
	n    atomic.Int64
	done chan struct{}

	mu       sync.Mutex
	browsers map[string]webpushtest.Browser
	read     map[string][]byte // subscription id → the last plaintext
	bad      []string
}

// startPushSink serves a sink that closes done at the want-th message.
func startPushSink(want int) *pushSink {
	s := &pushSink{want: int64(want), done: make(chan struct{}), browsers: map[string]webpushtest.Browser{}, read: map[string][]byte{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.push))
	s.srv.EnableHTTP2 = true
	s.srv.StartTLS()
	return s
}

// Endpoint is the base of the sink's subscription URLs.
func (s *pushSink) Endpoint() string { return s.srv.URL + "/push" }

// Client reaches the sink (it trusts the sink's certificate).
func (s *pushSink) Client() *http.Client { return s.srv.Client() }

func (s *pushSink) Close() { s.srv.Close() }

// know gives the sink the keys of browsers it should read.
func (s *pushSink) know(bs map[string]webpushtest.Browser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, b := range bs {
		s.browsers[id] = b
	}
}

func (s *pushSink) push(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/push/")
	body, err := io.ReadAll(r.Body)
	switch {
	case r.Method != http.MethodPost || !ok || err != nil:
		s.reject(w, fmt.Sprintf("%s %s: not a push", r.Method, r.URL.Path))
		return
	case !strings.HasPrefix(r.Header.Get("Authorization"), "vapid t=") || r.Header.Get("Content-Encoding") != "aes128gcm" ||
		r.Header.Get("TTL") == "" || len(body) < 86:
		s.reject(w, "push to "+id+" without VAPID, aes128gcm or TTL")
		return
	}
	s.mu.Lock()
	b, known := s.browsers[id]
	s.mu.Unlock()
	if known {
		plain, err := b.Decrypt(body)
		if err != nil {
			s.reject(w, "push to "+id+": "+err.Error())
			return
		}
		s.mu.Lock()
		s.read[id] = plain
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusCreated)
	if s.n.Add(1) == s.want {
		close(s.done)
	}
}

func (s *pushSink) reject(w http.ResponseWriter, why string) {
	s.mu.Lock()
	s.bad = append(s.bad, why)
	s.mu.Unlock()
	http.Error(w, why, http.StatusBadRequest)
}
