package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// newDelivery is a pending delivery due at once.
func newDelivery(tenantID, eventID, personaID string) notice.Delivery {
	return notice.Delivery{TenantID: tenantID, ID: ids.New(), EventID: eventID, PersonaID: personaID, Type: "card.blocked",
		Category: prefs.Transactional, Channels: []string{"sms", "email"}, Channel: "sms", Status: notice.StatusPending,
		Reasons: []string{"sms first: your order"}, Language: "en", CreatedAt: t0, UpdatedAt: t0}
}

func claimIDs(t *testing.T, db *store.DB, now time.Time, limit int) map[string]string {
	t.Helper()
	got, err := db.ClaimDeliveries(context.Background(), now, now.Add(time.Minute), limit)
	must(t, "claim", err)
	out := map[string]string{}
	for _, d := range got {
		out[d.ID] = d.Status
	}
	return out
}

func testDeliveriesClaim(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	ev := ids.New()
	now := newDelivery(a.ID, ev, "p1")
	now.ExpiresAt, now.BrokeQuietHours, now.ReplyExpected, now.Retrieval, now.Response = t0.Add(time.Hour), true, true, "web", "sms"
	later := newDelivery(a.ID, ev, "p2")
	later.DueAt = t0.Add(10 * time.Minute)
	suppressed := newDelivery(a.ID, ev, "p3")
	suppressed.Status, suppressed.Channels, suppressed.Channel = notice.StatusSuppressed, []string{}, ""
	other := newDelivery(b.ID, ids.New(), "p1")
	must(t, "insert", db.InsertDeliveries(ctx, []notice.Delivery{now, later, suppressed, other}))
	// The same persona and event again is skipped, not an error.
	must(t, "insert again", db.InsertDeliveries(ctx, []notice.Delivery{newDelivery(a.ID, ev, "p1")}))

	got, err := db.Delivery(ctx, a.ID, now.ID)
	must(t, "get", err)
	if !reflect.DeepEqual(got, now) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, now)
	}
	list, _ := db.Deliveries(ctx, a.ID, store.DeliveryFilter{EventID: ev}, store.Page{})
	if len(list) != 3 {
		t.Fatalf("event has %d deliveries, want 3 (the duplicate skipped)", len(list))
	}

	// Due ones of every tenant are claimed, once.
	claimed := claimIDs(t, db, t0, 10)
	if len(claimed) != 2 || claimed[now.ID] != notice.StatusSending || claimed[other.ID] != notice.StatusSending {
		t.Fatalf("first claim %v, want %s and %s sending", claimed, now.ID, other.ID)
	}
	if again := claimIDs(t, db, t0.Add(30*time.Second), 10); len(again) != 0 {
		t.Fatalf("claimed rows claimed again within the lease: %v", again)
	}
	held, _ := db.Delivery(ctx, a.ID, now.ID)
	if held.Status != notice.StatusSending {
		t.Fatalf("claimed row status %s", held.Status)
	}

	// The worker crashed: past the lease the rows are claimed again, and the
	// later one has come due too. The limit holds.
	first, err := db.Delivery(ctx, a.ID, now.ID)
	must(t, "get claimed", err)
	if first.Tries != 0 {
		t.Fatalf("a first claim counted a try: %d", first.Tries)
	}
	if n := len(claimIDs(t, db, t0.Add(11*time.Minute), 2)); n != 2 {
		t.Fatalf("limited claim took %d rows, want 2", n)
	}
	rest, err := db.ClaimDeliveries(ctx, t0.Add(11*time.Minute), t0.Add(12*time.Minute), 10)
	must(t, "claim the rest", err)
	if len(rest) != 1 {
		t.Fatalf("rest of the claim: %v, want 1 row", rest)
	}
	// A row re-claimed from a dead worker counts the send it may have made
	// as a try (so the next looks for it first); a fresh one does not.
	for _, c := range []struct {
		d     notice.Delivery
		tries int
	}{{now, 1}, {other, 1}, {later, 0}} {
		d, err := db.Delivery(ctx, c.d.TenantID, c.d.ID)
		must(t, "get re-claimed", err)
		if d.Tries != c.tries {
			t.Fatalf("delivery %s after the claims: tries %d, want %d", c.d.ID, d.Tries, c.tries)
		}
	}

	// Sent with a confirmation deadline: claimed when it passes, marked sent.
	must(t, "sent", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: now.ID, Status: notice.StatusSent,
		Tries: 1, DueAt: t0.Add(30 * time.Minute), ExternalID: "SM1", At: t0.Add(12 * time.Minute)}}))
	if c := claimIDs(t, db, t0.Add(29*time.Minute), 10); c[now.ID] != "" {
		t.Fatalf("sent row claimed before its deadline: %v", c)
	}
	if c := claimIDs(t, db, t0.Add(31*time.Minute), 10); c[now.ID] != notice.StatusSent {
		t.Fatalf("confirmation timeout: %v, want %s as sent", c, now.ID)
	}
	// Its worker crashed too: re-claimed, still a confirmation timeout.
	if c := claimIDs(t, db, t0.Add(40*time.Minute), 10); c[now.ID] != notice.StatusSent {
		t.Fatalf("re-claimed confirmation timeout: %v", c)
	}
	if d, _ := db.Delivery(ctx, a.ID, now.ID); d.Tries != 1 {
		t.Fatalf("a re-claimed confirmation timeout counted a send: tries %d, want 1", d.Tries)
	}
	// Sent without a deadline waits for receipts only.
	must(t, "sent, no deadline", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: now.ID, Status: notice.StatusSent,
		Tries: 1, At: t0.Add(41 * time.Minute)}}))
	if c := claimIDs(t, db, t0.Add(50*time.Hour), 10); c[now.ID] != "" {
		t.Fatalf("sent row without a deadline claimed: %v", c)
	}
}

// claimOne claims at at, for a minute, the one delivery due then.
func claimOne(t *testing.T, db *store.DB, at time.Time) notice.Delivery {
	t.Helper()
	got, err := db.ClaimDeliveries(context.Background(), at, at.Add(time.Minute), 10)
	must(t, "claim", err)
	if len(got) != 1 {
		t.Fatalf("claimed %d at %s, want 1", len(got), at)
	}
	return got[0]
}

// testDeliveriesStaleWorker: a worker whose lease ran out and whose delivery
// another worker claimed cannot overwrite that worker's outcome; the current
// claim's can be written, once.
func testDeliveriesStaleWorker(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	d := newDelivery(a.ID, ids.New(), "p1")
	must(t, "insert", db.InsertDeliveries(ctx, []notice.Delivery{d}))
	claim := func(at time.Time) notice.Delivery { return claimOne(t, db, at) }
	stale := claim(t0)
	fresh := claim(t0.Add(2 * time.Minute)) // the first worker stalled past its lease
	if stale.Claim == 0 || fresh.Claim <= stale.Claim {
		t.Fatalf("claims %d then %d, want increasing from 1", stale.Claim, fresh.Claim)
	}
	sent := func(c notice.Delivery, sid string, at time.Time) store.DeliveryUpdate {
		return store.DeliveryUpdate{Claim: c.Claim, TenantID: a.ID, ID: d.ID, Status: notice.StatusSent, Channel: "sms",
			Tries: c.Tries + 1, ExternalID: sid, At: at,
			Steps: []notice.Step{{At: at, Status: notice.StatusSent, Channel: "sms", Detail: sid}}}
	}
	must(t, "the current claim's outcome", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{sent(fresh, "SM2", t0.Add(3*time.Minute))}))
	err := db.UpdateDeliveries(ctx, []store.DeliveryUpdate{sent(stale, "SM1", t0.Add(4*time.Minute))})
	wantErr(t, "the stale worker's outcome", err, store.ErrLeaseLost)
	got, err := db.Delivery(ctx, a.ID, d.ID)
	must(t, "get", err)
	if got.ExternalID != "SM2" || got.Status != notice.StatusSent || got.Tries != 2 {
		t.Fatalf("after the stale write: %+v, want the fresh claim's SM2, 2 tries", got)
	}
	steps, err := db.DeliverySteps(ctx, a.ID, d.ID)
	must(t, "steps", err)
	if len(steps) != 1 || steps[0].Detail != "SM2" {
		t.Fatalf("steps %+v, want only the fresh claim's", steps)
	}
	// Unclaimed writers (receipts) are not fenced; a missing row is still
	// not found, with or without a claim.
	must(t, "receipt", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: d.ID, Status: notice.StatusDelivered,
		Tries: 2, At: t0.Add(5 * time.Minute)}}))
	err = db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{Claim: 9, TenantID: a.ID, ID: "missing", Status: notice.StatusSent, At: t0}})
	wantErr(t, "a missing delivery", err, store.ErrNotFound)
}

// testDeliveriesResponseHolds: a customer's response — a reply, a read —
// is not undone by what the sender or a provider's receipt writes after it.
// A reply that came while the sender held the notice for its confirmation
// timeout is linked to it; the sender's outcome written after (the next
// channel tried) once overwrote "replied" with "sent", and a late
// "delivered" receipt overwrote "read".
func testDeliveriesResponseHolds(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	d := newDelivery(a.ID, ids.New(), "p1")
	d.ReplyExpected = true
	must(t, "insert", db.InsertDeliveries(ctx, []notice.Delivery{d}))
	claim := func(at time.Time) notice.Delivery { return claimOne(t, db, at) }
	step := func(status, ch string, at time.Time) []notice.Step {
		return []notice.Step{{At: at, Status: status, Channel: ch}}
	}
	first := claim(t0)
	must(t, "sent", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{Claim: first.Claim, TenantID: a.ID, ID: d.ID,
		Status: notice.StatusSent, Channel: "sms", Tries: 1, DueAt: t0.Add(15 * time.Minute), At: t0,
		Steps: step(notice.StatusSent, "sms", t0)}}))
	timeout := claim(t0.Add(16 * time.Minute)) // no answer yet: the sender moves it on
	awaiting, err := db.AwaitingReply(ctx, a.ID, "p1", t0.Add(-time.Hour))
	must(t, "awaiting reply", err)
	if len(awaiting) != 1 || awaiting[0].ID != d.ID {
		t.Fatalf("held for its confirmation timeout, awaiting a reply: %+v, want the notice", awaiting)
	}
	replied := t0.Add(16*time.Minute + time.Second)
	must(t, "replied", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: d.ID, Status: notice.StatusReplied,
		Channel: "sms", Tries: 1, ConversationID: "conv-1", At: replied, Steps: step(notice.StatusReplied, "sms", replied)}}))
	next := t0.Add(17 * time.Minute)
	must(t, "the sender's outcome", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{Claim: timeout.Claim, TenantID: a.ID, ID: d.ID,
		Status: notice.StatusSent, Channel: "email", ChannelIndex: 1, Tries: 1, DueAt: t0.Add(32 * time.Minute), At: next,
		Steps: step(notice.StatusSent, "email", next)}}))
	must(t, "a late receipt", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: d.ID, Status: notice.StatusDelivered,
		Channel: "email", ChannelIndex: 1, Tries: 1, At: next.Add(time.Second)}}))
	got, err := db.Delivery(ctx, a.ID, d.ID)
	must(t, "get", err)
	if got.Status != notice.StatusReplied || got.ConversationID != "conv-1" {
		t.Fatalf("after the sender's outcome and a receipt: %s in %q, want replied in conv-1", got.Status, got.ConversationID)
	}
	if c := claimIDs(t, db, t0.Add(time.Hour), 10); len(c) != 0 {
		t.Fatalf("a replied notice is due again: %v", c)
	}
	steps, err := db.DeliverySteps(ctx, a.ID, d.ID)
	must(t, "steps", err)
	if len(steps) != 3 || steps[2].Channel != "email" {
		t.Fatalf("steps %+v, want sent, replied, sent on email: what was done is kept", steps)
	}

	read := newDelivery(a.ID, ids.New(), "p2")
	must(t, "insert", db.InsertDeliveries(ctx, []notice.Delivery{read}))
	c := claim(t0)
	for _, u := range []store.DeliveryUpdate{
		{Claim: c.Claim, TenantID: a.ID, ID: read.ID, Status: notice.StatusSent, Channel: "sms", Tries: 1, At: t0},
		{TenantID: a.ID, ID: read.ID, Status: notice.StatusRead, Channel: "sms", Tries: 1, At: t0.Add(time.Minute)},
		{TenantID: a.ID, ID: read.ID, Status: notice.StatusDelivered, Channel: "sms", Tries: 1, At: t0.Add(2 * time.Minute)},
	} {
		must(t, "update "+u.Status, db.UpdateDeliveries(ctx, []store.DeliveryUpdate{u}))
	}
	if got, _ := db.Delivery(ctx, a.ID, read.ID); got.Status != notice.StatusRead {
		t.Fatalf("a read notice after a late receipt: %s, want read", got.Status)
	}
}

// testDeliveriesClaimRace claims from several goroutines at once: no row is
// handed out twice, none is lost.
func testDeliveriesClaimRace(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	ev := ids.New()
	const n = 600
	var ds []notice.Delivery
	for i := range n {
		ds = append(ds, newDelivery(a.ID, ev, fmt.Sprintf("p%04d", i)))
	}
	must(t, "insert", db.InsertDeliveries(ctx, ds))
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := db.ClaimDeliveries(ctx, t0, t0.Add(time.Minute), 25)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("claim: %v", err)
	}
	if len(seen) != n {
		t.Fatalf("claimed %d distinct rows, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("row %s claimed %d times", id, c)
		}
	}
}

func testDeliveriesUpdate(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	d := newDelivery(a.ID, ids.New(), "p1")
	must(t, "insert", db.InsertDeliveries(ctx, []notice.Delivery{d}))
	steps, err := db.DeliverySteps(ctx, a.ID, d.ID)
	must(t, "steps before any", err)
	if steps == nil || len(steps) != 0 {
		t.Fatalf("steps before any: %#v, want empty", steps)
	}
	sent := []notice.Step{{At: t0.Add(time.Second), Status: notice.StatusSending, Channel: "sms", Detail: "try 1"},
		{At: t0.Add(2 * time.Second), Status: notice.StatusSent, Channel: "sms"}}
	must(t, "update", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: d.ID, Status: notice.StatusSent,
		Channel: "sms", Tries: 1, ExternalID: "SM1", Subject: "Card", Body: "Card 4242 blocked", Steps: sent, At: t0.Add(2 * time.Second)}}))
	// A receipt: only the status changes, the rest stays as sent.
	delivered := notice.Step{At: t0.Add(time.Minute), Status: notice.StatusDelivered, Channel: "sms", Detail: "carrier receipt"}
	must(t, "receipt", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		return s.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: d.ID, Status: notice.StatusDelivered,
			Tries: 1, Steps: []notice.Step{delivered}, At: t0.Add(time.Minute)}})
	}))
	got, err := db.Delivery(ctx, a.ID, d.ID)
	must(t, "get", err)
	if got.Status != notice.StatusDelivered || got.Channel != "sms" || got.ExternalID != "SM1" || got.Tries != 1 ||
		!got.DueAt.IsZero() || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after updates: %+v", got)
	}
	subject, body, err := db.DeliveryContent(ctx, a.ID, d.ID)
	must(t, "content", err)
	if subject != "Card" || body != "Card 4242 blocked" {
		t.Fatalf("content %q %q", subject, body)
	}
	steps, err = db.DeliverySteps(ctx, a.ID, d.ID)
	must(t, "steps", err)
	if want := append(sent, delivered); !reflect.DeepEqual(steps, want) {
		t.Fatalf("steps:\n got %+v\nwant %+v", steps, want)
	}
	// A batch with a delivery of another tenant fails whole.
	err = db.UpdateDeliveries(ctx, []store.DeliveryUpdate{
		{TenantID: a.ID, ID: d.ID, Status: notice.StatusRead, Tries: 1, At: t0.Add(2 * time.Minute)},
		{TenantID: b.ID, ID: d.ID, Status: notice.StatusRead, At: t0.Add(2 * time.Minute)},
	})
	wantErr(t, "update through another tenant", err, store.ErrNotFound)
	if got, _ := db.Delivery(ctx, a.ID, d.ID); got.Status != notice.StatusDelivered {
		t.Fatalf("failed batch left status %s", got.Status)
	}
}

func testDeliveriesQueries(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	ev1, ev2 := ids.New(), ids.New()
	mk := func(tenantID, ev, persona, status string, cat prefs.Category, created time.Time, reply bool) notice.Delivery {
		d := newDelivery(tenantID, ev, persona)
		d.Status, d.Category, d.CreatedAt, d.UpdatedAt, d.ReplyExpected = status, cat, created, created, reply
		return d
	}
	ds := []notice.Delivery{
		mk(a.ID, ev1, "p1", notice.StatusSent, prefs.Marketing, t0, true),
		mk(a.ID, ev1, "p2", notice.StatusSuppressed, prefs.Marketing, t0, true),
		mk(a.ID, ev2, "p1", notice.StatusRead, prefs.Transactional, t0.Add(time.Hour), true),
		mk(a.ID, ids.New(), "p1", notice.StatusDelivered, prefs.Marketing, t0.Add(2*time.Hour), false),
		mk(a.ID, ids.New(), "p1", notice.StatusReplied, prefs.Marketing, t0.Add(3*time.Hour), true),
		mk(a.ID, ids.New(), "p1", notice.StatusSent, prefs.Marketing, t0.Add(-8*24*time.Hour), true),
		mk(b.ID, ev1, "p1", notice.StatusSent, prefs.Marketing, t0, true),
	}
	ds[0].Channel, ds[0].ExternalID = "email", "<m1@mail>"
	must(t, "insert", db.InsertDeliveries(ctx, ds))

	// Receipts find their delivery by the provider's id, per tenant and channel.
	got, err := db.DeliveryByExternalID(ctx, a.ID, "email", "<m1@mail>")
	must(t, "by external id", err)
	if got.ID != ds[0].ID {
		t.Fatalf("by external id: %s, want %s", got.ID, ds[0].ID)
	}
	for _, c := range []struct{ tenant, channel, ext string }{{b.ID, "email", "<m1@mail>"}, {a.ID, "sms", "<m1@mail>"}, {a.ID, "sms", ""}} {
		_, err = db.DeliveryByExternalID(ctx, c.tenant, c.channel, c.ext)
		wantErr(t, "by external id "+c.channel+" "+c.ext, err, store.ErrNotFound)
	}

	// Awaiting a reply: sent, delivered or read, reply expected, recent; newest first.
	wait, err := db.AwaitingReply(ctx, a.ID, "p1", t0.Add(-7*24*time.Hour))
	must(t, "awaiting reply", err)
	if len(wait) != 2 || wait[0].ID != ds[2].ID || wait[1].ID != ds[0].ID {
		t.Fatalf("awaiting reply: %v", deliveryIDs(wait))
	}

	// Counts for caps leave out what was held back.
	counts, err := db.CountRecent(ctx, a.ID, []string{"p1", "p2", "p3"}, string(prefs.Marketing), t0)
	must(t, "count", err)
	if !reflect.DeepEqual(counts, map[string]int{"p1": 3}) {
		t.Fatalf("marketing counts %v, want p1: 3", counts)
	}
	counts, _ = db.CountRecent(ctx, a.ID, []string{"p1"}, "", t0.Add(time.Hour))
	if counts["p1"] != 3 {
		t.Fatalf("all categories since +1h: %v, want p1: 3", counts)
	}

	// Lists: newest first, filtered, paged.
	all, err := db.Deliveries(ctx, a.ID, store.DeliveryFilter{PersonaID: "p1"}, store.Page{Limit: 3})
	must(t, "list", err)
	more, err := db.Deliveries(ctx, a.ID, store.DeliveryFilter{PersonaID: "p1"}, store.Page{After: all[len(all)-1].ID, Limit: 3})
	must(t, "list page 2", err)
	if ids := deliveryIDs(append(all, more...)); !slices.Equal(ids, []string{ds[5].ID, ds[4].ID, ds[3].ID, ds[2].ID, ds[0].ID}) {
		t.Fatalf("persona p1, newest first: %v", ids)
	}
	sent, _ := db.Deliveries(ctx, a.ID, store.DeliveryFilter{EventID: ev1, Status: notice.StatusSent}, store.Page{})
	if len(sent) != 1 || sent[0].ID != ds[0].ID {
		t.Fatalf("event and status filter: %v", deliveryIDs(sent))
	}

	// Response hours count up per persona.
	for _, h := range []int{9, 9, 167, 0} {
		must(t, "response hour", db.AddResponseHour(ctx, a.ID, "p1", h))
	}
	must(t, "response hour p2", db.AddResponseHour(ctx, a.ID, "p2", 20))
	must(t, "response hour at b", db.AddResponseHour(ctx, b.ID, "p1", 20))
	if err := db.AddResponseHour(ctx, a.ID, "p1", 168); err == nil {
		t.Fatal("hour 168 accepted")
	}
	hours, err := db.ResponseHours(ctx, a.ID, []string{"p1", "p2", "p9"})
	must(t, "response hours", err)
	var want1, want2 [168]int
	want1[9], want1[167], want1[0], want2[20] = 2, 1, 1, 1
	if len(hours) != 2 || hours["p1"] != want1 || hours["p2"] != want2 {
		t.Fatalf("response hours: %v", hours)
	}
}

func deliveryIDs(ds []notice.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
