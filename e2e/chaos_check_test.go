package e2e

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
)

// prepareChaosTenant makes the demo bank ready for the load: notices go at
// any hour (no quiet hours), a notice type for the load on SMS then email,
// an SMS number at the fake Twilio, and an audience of n personas, each
// with an email address and a phone number, written straight into the
// schema (seeding is not what is tested). Twilio refuses every fourth
// number as invalid (a permanent failure), so those notices fall back to
// email: both channels and the step between them are under the chaos.
func prepareChaosTenant(t *testing.T, admin *client, db *sql.DB, tw *twiliotest.Server, tenantID string, n int) {
	t.Helper()
	var settings map[string]any
	admin.do("GET", "/api/v1/notifications/settings", nil, 200, &settings)
	if defaults, ok := settings["defaults"].(map[string]any); ok {
		delete(defaults, "quiet_hours")
	}
	admin.do("PUT", "/api/v1/notifications/settings", settings, 200, nil)
	admin.do("POST", "/api/v1/notifications/types", map[string]any{
		"key": chaosNoticeType, "name": "Chaos alert", "category": "transactional", "channels": []string{"sms", "email"},
		"send_time": "now", "default_language": "en",
		"templates": map[string]any{"en": map[string]any{
			"sms":   map[string]string{"short": "Northwind alert [notice:{{.ref}}]"},
			"email": map[string]string{"subject": "Alert {{.ref}}", "body": "Hello {{.name}},\n\nan alert for you [notice:{{.ref}}].\n"},
		}},
	}, 201, nil)
	admin.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "sms", "address": "+15005550006", "name": "Chaos SMS",
		"settings": map[string]string{"provider": "twilio", "account_sid": "ACchaos", "auth_token": "chaos-token"}}, 201, nil)

	for i := 0; i < min(n, 50_000); i += 4 {
		tw.FailTo(audiencePhone(i), twiliotest.Failure{Status: 400, Code: 21211, Message: "The 'To' number is not a valid phone number."})
	}
	began := time.Now()
	at := began.UnixMicro()
	id := `'00000000-0000-7000-8000-' || lpad(g::text, 12, '0')`
	for _, q := range []string{
		`INSERT INTO personas (id, tenant_id, name, time_zone, language, attributes, created_at, updated_at)
		 SELECT ` + id + `, $1, 'Customer ' || g, 'UTC', 'en', '{}', $2, $2 FROM generate_series(0, $3 - 1) g`,
		`INSERT INTO persona_identifiers (tenant_id, kind, value, persona_id, verified, created_at)
		 SELECT $1, 'email', 'p' || lpad(g::text, 7, '0') || '@audience.example', ` + id + `, true, $2 FROM generate_series(0, $3 - 1) g`,
		`INSERT INTO persona_identifiers (tenant_id, kind, value, persona_id, verified, created_at)
		 SELECT $1, 'phone', '+1556' || lpad(g::text, 7, '0'), ` + id + `, true, $2 FROM generate_series(0, $3 - 1) g`,
	} {
		if _, err := db.Exec(q, tenantID, at, n); err != nil {
			t.Fatalf("seed the audience: %v", err)
		}
	}
	if _, err := db.Exec(`ANALYZE personas; ANALYZE persona_identifiers`); err != nil {
		t.Fatalf("analyze: %v", err)
	}
	t.Logf("chaos: audience of %d personas (email and phone each) seeded in %s", n, time.Since(began).Round(time.Millisecond))
}

// signInAgents signs in Ana and Ben (the demo's agents) and Chloé, given a
// routing profile for the run, each with a session of their own.
func signInAgents(t *testing.T, admin *client, f *fleet) []*chaosAgent {
	t.Helper()
	var out []*chaosAgent
	for _, email := range []string{"ana@northwind.example", "ben@northwind.example", "chloe@northwind.example"} {
		c := newClient(t, f.pick().URL)
		c.login(email)
		var me struct{ User struct{ ID string } }
		c.do("GET", "/api/v1/me", nil, 200, &me)
		if email == "chloe@northwind.example" {
			admin.do("PUT", "/api/v1/users/"+me.User.ID+"/routing", map[string]any{"skills": map[string]int{}, "queues": []string{"*"},
				"capacity": map[string]int{"chat": 3, "email": 5, "message": 5}}, 200, nil)
		}
		out = append(out, newChaosAgent(f, email, me.User.ID, c.http.Jar))
	}
	return out
}

// drainChaos waits, with every node up, until nothing waits for an agent,
// no delivery is due or in flight, and every acknowledged message reached
// an agent's feed — or until limit. It returns how long that took.
func drainChaos(t *testing.T, db *sql.DB, tenantID string, l *load, agents []*chaosAgent, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	for tick := 1; ; tick++ {
		var unrouted, work, notices int
		db.QueryRow(`SELECT count(*) FROM conversations WHERE tenant_id = $1 AND status = 'open' AND assignee_id = ''`, tenantID).Scan(&unrouted)
		db.QueryRow(`SELECT count(*) FROM routing_work WHERE tenant_id = $1 AND state IN ('waiting', 'offered')`, tenantID).Scan(&work)
		db.QueryRow(`SELECT count(*) FROM notify_deliveries WHERE tenant_id = $1 AND type_key = $2 AND status IN ('pending', 'sending')`,
			tenantID, chaosNoticeType).Scan(&notices)
		unseen := len(unseenMarkers(l, agents))
		if unrouted == 0 && work == 0 && notices == 0 && unseen == 0 {
			return time.Since(began)
		}
		if tick%60 == 0 { // every 30 s, so a slow drain says what it waits for
			t.Logf("chaos: drain at %s: %d open conversations without an agent, %d routing items waiting or offered, "+
				"%d deliveries pending or sending, %d acknowledged messages on no agent's feed yet", time.Since(began).Round(time.Second),
				unrouted, work, notices, unseen)
			t.Log(routingPicture(db, tenantID))
		}
		if time.Since(began) > limit {
			t.Logf("chaos: after %s of drain still %d open conversations without an agent, %d routing items waiting or offered, "+
				"%d deliveries pending or sending, %d acknowledged messages no agent's feed carried", limit, unrouted, work, notices, unseen)
			t.Log(routingPicture(db, tenantID))
			return time.Since(began)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// routingPicture says, for a drain that does not settle, what routing holds:
// each agent's presence and assigned work, the active items by state, queue
// and modality, and the last decisions taken with their reasons.
func routingPicture(db *sql.DB, tenantID string) string {
	var b strings.Builder
	b.WriteString("chaos: routing now:")
	rows, err := db.Query(`SELECT u.email, u.presence, COALESCE((SELECT string_agg(w.modality || ':' || w.state, ',') FROM routing_work w
		WHERE w.tenant_id = u.tenant_id AND w.agent_id = u.id AND w.state IN ('offered', 'assigned')), '')
		FROM users u WHERE u.tenant_id = $1 AND u.role IN ('agent', 'supervisor') ORDER BY u.email`, tenantID)
	if err == nil {
		for rows.Next() {
			var email, presence, work string
			rows.Scan(&email, &presence, &work)
			fmt.Fprintf(&b, "\n  agent %s %s holding [%s]", email, presence, work)
		}
		rows.Close()
	} else {
		fmt.Fprintf(&b, "\n  (agents: %v)", err)
	}
	rows, err = db.Query(`SELECT u.email, w.modality, w.conversation_id, c.status, c.assignee_id = w.agent_id
		FROM routing_work w JOIN users u ON u.id = w.agent_id JOIN conversations c ON c.id = w.conversation_id
		WHERE w.tenant_id = $1 AND w.state = 'assigned' ORDER BY u.email, w.arrived_at`, tenantID)
	if err == nil {
		for rows.Next() {
			var email, modality, conv, status string
			var theirs bool
			rows.Scan(&email, &modality, &conv, &status, &theirs)
			fmt.Fprintf(&b, "\n  %s holds %s %s: conversation %s, assigned to them %v", email, modality, conv, status, theirs)
		}
		rows.Close()
	} else {
		fmt.Fprintf(&b, "\n  (assigned work: %v)", err)
	}
	rows, err = db.Query(`SELECT state, queue_id, modality, count(*), min(arrived_at) FROM routing_work
		WHERE tenant_id = $1 AND state IN ('waiting', 'offered') GROUP BY 1, 2, 3`, tenantID)
	if err == nil {
		for rows.Next() {
			var state, queue, modality string
			var n int
			var oldest int64
			rows.Scan(&state, &queue, &modality, &n, &oldest)
			fmt.Fprintf(&b, "\n  %d %s %s in queue %s, oldest since %s", n, modality, state, queue,
				time.UnixMicro(oldest).Format("15:04:05.000"))
		}
		rows.Close()
	} else {
		fmt.Fprintf(&b, "\n  (work: %v)", err)
	}
	rows, err = db.Query(`SELECT at, kind, agent_id, work_id, reason FROM routing_decisions WHERE tenant_id = $1
		ORDER BY at DESC LIMIT 25`, tenantID)
	if err == nil {
		for rows.Next() {
			var at int64
			var kind, agent, work, reason string
			rows.Scan(&at, &kind, &agent, &work, &reason)
			fmt.Fprintf(&b, "\n  %s %s agent=%s work=%s: %s", time.UnixMicro(at).Format("15:04:05.000"), kind, agent, work, reason)
		}
		rows.Close()
	} else {
		fmt.Fprintf(&b, "\n  (decisions: %v)", err)
	}
	return b.String()
}

// unseenMarkers are the acknowledged inbound messages no agent's feed carried.
func unseenMarkers(l *load, agents []*chaosAgent) []string {
	seen := map[string]bool{}
	for _, a := range agents {
		a.mu.Lock()
		for m := range a.markers {
			seen[m] = true
		}
		a.mu.Unlock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for m := range l.acked {
		if !seen[m] {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// checkInbound: every acknowledged message is stored exactly once and
// reached an agent's socket; no message, acknowledged or not, is stored twice.
func checkInbound(t *testing.T, db *sql.DB, tenantID string, l *load, agents []*chaosAgent) {
	t.Helper()
	rows, err := db.Query(`SELECT body FROM messages WHERE tenant_id = $1 AND body LIKE '%[chaos:%'`, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var body string
		rows.Scan(&body)
		for _, m := range inboundMark.FindAllStringSubmatch(body, -1) {
			stored[m[1]]++
		}
	}
	rows.Close()
	l.mu.Lock()
	byChannel := map[string]int{}
	var lost, doubled []string
	for m, ch := range l.acked {
		byChannel[ch]++
		if stored[m] == 0 {
			lost = append(lost, m)
		}
	}
	for m, n := range stored {
		if n > 1 {
			doubled = append(doubled, fmt.Sprintf("%s×%d", m, n))
		}
	}
	sent, acked := len(l.sent), len(l.acked)
	l.mu.Unlock()
	unseen := unseenMarkers(l, agents)
	t.Logf("chaos: inbound: %d messages sent, %d acknowledged (chat %d, mail %d, api %d), %d sends repeated on another node; "+
		"%d stored; checked: every acknowledged one stored exactly once and on an agent's feed",
		sent, acked, byChannel["chat"], byChannel["mail"], byChannel["api"], l.retries.Load(), len(stored))
	if len(lost) > 0 {
		t.Errorf("%d acknowledged messages are not stored: %s", len(lost), first(lost, 20))
	}
	if len(doubled) > 0 {
		t.Errorf("%d messages are stored more than once: %s", len(doubled), first(doubled, 20))
	}
	if len(unseen) > 0 {
		t.Errorf("%d acknowledged messages never reached an agent's socket (message.created on any agent's feed): %s", len(unseen), first(unseen, 20))
	}
}

// checkAssignments: no two agents held a conversation at once (seen from the
// agents: one's accept answered 204 after it was sent while the other held
// it), at most one routing item of a conversation is active, and none waits
// unrouted after the drain.
func checkAssignments(t *testing.T, db *sql.DB, tenantID string, agents []*chaosAgent) {
	t.Helper()
	byConv := map[string][]hold{}
	var offers, accepted, refused, connects int64
	for _, a := range agents {
		a.mu.Lock()
		for _, h := range a.holds {
			byConv[h.conversation] = append(byConv[h.conversation], h)
		}
		a.mu.Unlock()
		offers, accepted, refused, connects = offers+a.offers.Load(), accepted+a.accepted.Load(), refused+a.refused.Load(), connects+a.connects.Load()
	}
	var overlaps []string
	for conv, hs := range byConv {
		for _, h1 := range hs {
			for _, h2 := range hs {
				if h1.agent != h2.agent && h2.acceptSent.After(h1.from) && h2.acceptSent.Before(h1.to) {
					overlaps = append(overlaps, fmt.Sprintf("%s: %s from %s to %s, %s accepted at %s", conv, h1.agent,
						h1.from.Format("15:04:05.000"), h1.to.Format("15:04:05.000"), h2.agent, h2.acceptSent.Format("15:04:05.000")))
				}
			}
		}
	}
	var twice []string
	rows, err := db.Query(`SELECT conversation_id, count(*) FROM routing_work WHERE tenant_id = $1 AND conversation_id <> ''
		AND state IN ('waiting', 'offered', 'assigned') GROUP BY conversation_id HAVING count(*) > 1`, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var n int
		rows.Scan(&c, &n)
		twice = append(twice, fmt.Sprintf("%s×%d", c, n))
	}
	rows.Close()
	var unrouted []string
	rows, err = db.Query(`SELECT c.id, c.channel, COALESCE((SELECT string_agg(w.state, ',') FROM routing_work w
		WHERE w.tenant_id = c.tenant_id AND w.conversation_id = c.id), '')
		FROM conversations c WHERE c.tenant_id = $1 AND c.status = 'open' AND c.assignee_id = ''`, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, ch, states string
		rows.Scan(&id, &ch, &states)
		unrouted = append(unrouted, fmt.Sprintf("%s (%s, routing work: %q)", id, ch, states))
	}
	rows.Close()
	var convs int
	db.QueryRow(`SELECT count(*) FROM conversations WHERE tenant_id = $1`, tenantID).Scan(&convs)
	t.Logf("chaos: routing: %d conversations; %d offers reached agents' feeds, %d accepted, %d refused (answered or gone); "+
		"%d feed connections; checked: no conversation held by two agents at once, one active routing item at most, none open without an agent",
		convs, offers, accepted, refused, connects)
	for _, a := range agents {
		a.mu.Lock()
		if len(a.unresolved) > 0 {
			t.Logf("chaos: %s's resolves answered other than 200: %s", a.email, first(a.unresolved, 10))
		}
		a.mu.Unlock()
	}
	if len(overlaps) > 0 {
		t.Errorf("%d times a conversation was held by two agents at once: %s", len(overlaps), first(overlaps, 10))
	}
	if len(twice) > 0 {
		t.Errorf("%d conversations have more than one active routing item: %s", len(twice), first(twice, 10))
	}
	if len(unrouted) > 0 {
		t.Errorf("%d conversations are open with no agent after the drain: %s", len(unrouted), first(unrouted, 10))
	}
}

// checkNotices: no notice went out twice on one channel step, counted by
// the peers (the SMTP relay, the fake Twilio).
func checkNotices(t *testing.T, db *sql.DB, tenantID string, l *load, r *relay, tw *twiliotest.Server) {
	t.Helper()
	mails, mailsTaken := r.counts()
	texts, textsTaken := textCounts(tw)
	var twice []string
	for _, m := range []map[sendKey]int{mails, texts} {
		for k, n := range m {
			if n > 1 {
				twice = append(twice, fmt.Sprintf("%s to %s for %s ×%d", k.channel, k.to, k.ref, n))
			}
		}
	}
	l.mu.Lock()
	events, recipients := len(l.notices), 0
	for _, n := range l.notices {
		recipients += n
	}
	l.mu.Unlock()
	var stored int
	db.QueryRow(`SELECT count(*) FROM notify_events WHERE tenant_id = $1 AND type_key = $2`, tenantID, chaosNoticeType).Scan(&stored)
	status := map[string]int{}
	rows, err := db.Query(`SELECT status, count(*) FROM notify_deliveries WHERE tenant_id = $1 AND type_key = $2 GROUP BY status`, tenantID, chaosNoticeType)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		status[s] = n
	}
	rows.Close()
	t.Logf("chaos: notices: %d events accepted (%d recipients, out of an audience of %d), %d stored; deliveries by status %v; "+
		"the relay took %d mails (%d notices), the fake Twilio %d texts (%d notices); checked: none sent twice on one channel step",
		events, recipients, l.personas, stored, status, mailsTaken, len(mails), textsTaken, len(texts))
	if stored != events {
		t.Errorf("%d notice events were accepted (202) but %d are stored", events, stored)
	}
	if len(twice) > 0 {
		sort.Strings(twice)
		t.Errorf("%d notices went out more than once on one channel step: %s", len(twice), first(twice, 20))
	}
}

// checkFeeds: an agent's feed, resumed with since= on another node after
// every lost connection, carried every stored event of the types it carries
// between the cursor it opened at and the last event it saw.
func checkFeeds(t *testing.T, db *sql.DB, tenantID string, agents []*chaosAgent, began time.Time) {
	t.Helper()
	for _, a := range agents {
		a.mu.Lock()
		types := map[string]bool{}
		for _, ty := range a.seen {
			types[ty] = true
		}
		from, to, got, again := a.start, a.last, len(a.seen), a.again
		var missed []string
		rows, err := db.Query(`SELECT seq, type, created_at FROM events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`, tenantID, from, to)
		if err != nil {
			a.mu.Unlock()
			t.Fatal(err)
		}
		for rows.Next() {
			var seq int64
			var ty string
			var at int64
			rows.Scan(&seq, &ty, &at)
			if _, ok := a.seen[seq]; !ok && types[ty] && !strings.HasPrefix(ty, "swarm.") {
				missed = append(missed, fmt.Sprintf("%d %s at %.1fs", seq, ty, time.UnixMicro(at).Sub(began).Seconds()))
			}
		}
		rows.Close()
		connects := a.connects.Load()
		a.mu.Unlock()
		t.Logf("chaos: feed of %s: %d connections, %d events seen (seq %d to %d, %d types), %d replayed twice; checked: no gap",
			a.email, connects, got, from, to, len(types), again)
		if len(missed) > 0 {
			a.mu.Lock()
			conns := strings.Join(a.conns, ", ")
			a.mu.Unlock()
			t.Errorf("the feed of %s missed %d events across its resumes: %s (its connections: %s)", a.email, len(missed), first(missed, 20), conns)
		}
	}
}

func first(s []string, n int) string {
	sort.Strings(s)
	if len(s) > n {
		return strings.Join(s[:n], "; ") + fmt.Sprintf("; … (%d more)", len(s)-n)
	}
	return strings.Join(s, "; ")
}
