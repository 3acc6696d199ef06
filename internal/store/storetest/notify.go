package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func testNotify(t *testing.T, open func(t testing.TB) *store.DB) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Types", testNotifyTypes},
		{"SettingsAndPrefs", testNotifySettingsPrefs},
		{"Consent", testNotifyConsent},
		{"Events", testNotifyEvents},
		{"DeliveriesClaim", testDeliveriesClaim},
		{"ClaimRace", testDeliveriesClaimRace},
		{"DeliveriesStaleWorker", testDeliveriesStaleWorker},
		{"DeliveriesResponseHolds", testDeliveriesResponseHolds},
		{"DeliveriesUpdate", testDeliveriesUpdate},
		{"DeliveriesQueries", testDeliveriesQueries},
		{"PersonasForNotify", testPersonasForNotify},
		{"Push", testPushSubscriptions},
		{"PushMany", testPushSubscriptionsMany},
		{"Erase", testErasePersona},
		{"Portal", testPortal},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func testNotifyTypes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	typ := notice.Type{TenantID: a.ID, Key: "card.blocked", Name: "Card blocked", Category: prefs.Critical,
		Channels: []string{"sms", "email"}, ReplyExpected: true, SendTime: notice.SendNow,
		ConfirmWithin: notice.Duration(15 * time.Minute), DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{
			"en": {"sms": {Short: "Card {{.last4}} blocked"}, "email": {Subject: "Your card", Body: "Card {{.last4}} was blocked."}},
			"pt": {"email": {Subject: "O seu cartão", Body: "Cartão {{.last4}} bloqueado."}},
		},
		CreatedAt: t0, UpdatedAt: t0}
	must(t, "upsert", db.UpsertNotificationType(ctx, typ))
	got, err := db.NotificationType(ctx, a.ID, typ.Key)
	must(t, "get", err)
	if !reflect.DeepEqual(got, typ) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, typ)
	}
	_, err = db.NotificationType(ctx, b.ID, typ.Key)
	wantErr(t, "type through another tenant", err, store.ErrNotFound)

	// Saving again replaces everything but the creation time.
	changed := typ
	changed.Name, changed.Channels, changed.Templates = "Blocked", []string{"email"}, nil
	changed.CreatedAt, changed.UpdatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
	must(t, "upsert again", db.UpsertNotificationType(ctx, changed))
	got, _ = db.NotificationType(ctx, a.ID, typ.Key)
	if got.Name != "Blocked" || !slices.Equal(got.Channels, []string{"email"}) || len(got.Templates) != 0 ||
		!got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after update: %+v", got)
	}

	must(t, "second type", db.UpsertNotificationType(ctx, notice.Type{TenantID: a.ID, Key: "appointment", Name: "A",
		Category: prefs.Transactional, CreatedAt: t0, UpdatedAt: t0}))
	list, err := db.NotificationTypes(ctx, a.ID)
	must(t, "list", err)
	if len(list) != 2 || list[0].Key != "appointment" || list[0].Channels == nil {
		t.Fatalf("list by key with channels never nil: %+v", list)
	}
	wantErr(t, "delete through another tenant", db.DeleteNotificationType(ctx, b.ID, typ.Key), store.ErrNotFound)
	must(t, "delete", db.DeleteNotificationType(ctx, a.ID, typ.Key))
	_, err = db.NotificationType(ctx, a.ID, typ.Key)
	wantErr(t, "deleted type", err, store.ErrNotFound)
}

func testNotifySettingsPrefs(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	st, err := db.NotifySettings(ctx, a.ID)
	must(t, "settings before any", err)
	if !reflect.DeepEqual(st, notice.Settings{}) {
		t.Fatalf("settings before any: %+v, want the zero value", st)
	}
	on, off := true, false
	want := notice.Settings{
		Defaults:    prefs.Preferences{Channels: map[string]bool{"sms": false}, Categories: map[prefs.Category]prefs.TypePref{prefs.Marketing: {Enabled: &on}}},
		Caps:        map[prefs.Category]notice.Cap{prefs.Marketing: {Max: 2, Window: notice.Duration(24 * time.Hour)}},
		RateLimits:  map[string]float64{"sms": 10.5},
		MaxAttempts: 4,
	}
	must(t, "set settings", db.SetNotifySettings(ctx, a.ID, want, t0))
	must(t, "set settings again", db.SetNotifySettings(ctx, a.ID, want, t0.Add(time.Minute)))
	st, err = db.NotifySettings(ctx, a.ID)
	must(t, "settings", err)
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("settings round trip:\n got %+v\nwant %+v", st, want)
	}

	p1, p2 := newPersona(t, db, a.ID), newPersona(t, db, a.ID)
	got, err := db.PersonaPrefs(ctx, a.ID, p1.ID)
	must(t, "prefs before any", err)
	if !reflect.DeepEqual(got, prefs.Preferences{}) {
		t.Fatalf("prefs before any: %+v", got)
	}
	mine := prefs.Preferences{
		Channels:   map[string]bool{"email": true, "sms": false},
		Types:      map[string]prefs.TypePref{"card.blocked": {Enabled: &off, Channels: []string{"email"}}},
		Order:      []string{"webpush", "email"},
		Retrieval:  prefs.Web,
		QuietHours: &prefs.QuietHours{From: "22:00", To: "07:00", Days: []string{"fri", "sat"}},
		TimeZone:   "Europe/Lisbon",
		Momentary:  &prefs.Momentary{State: "driving", AllowChannels: []string{"voice"}, Until: t0.Add(time.Hour)},
	}
	must(t, "set prefs", db.SetPersonaPrefs(ctx, a.ID, p1.ID, mine, t0))
	got, err = db.PersonaPrefs(ctx, a.ID, p1.ID)
	must(t, "prefs", err)
	if !reflect.DeepEqual(got, mine) {
		t.Fatalf("prefs round trip:\n got %+v\nwant %+v", got, mine)
	}
	mine.Retrieval = ""
	must(t, "replace prefs", db.SetPersonaPrefs(ctx, a.ID, p1.ID, mine, t0.Add(time.Minute)))
	many, err := db.PersonaPrefsMany(ctx, a.ID, []string{p1.ID, p2.ID, "nobody"})
	must(t, "prefs many", err)
	if len(many) != 1 || !reflect.DeepEqual(many[p1.ID], mine) {
		t.Fatalf("PersonaPrefsMany = %+v", many)
	}
}

// appendConsent appends a record through the consent package and stores it.
func appendConsent(t *testing.T, db *store.DB, tenantID, personaID, scope string, granted bool, note string, at time.Time) consent.Record {
	t.Helper()
	ctx := context.Background()
	chain, err := db.ConsentRecords(ctx, tenantID, personaID)
	must(t, "load chain", err)
	r, err := consent.Append(chain, consent.Record{TenantID: tenantID, PersonaID: personaID, Scope: scope, Granted: granted,
		Source: consent.SourceAgent, Actor: "u1", Note: note, At: at})
	must(t, "append", err)
	must(t, "store record", db.AppendConsent(ctx, r))
	return r
}

func testNotifyConsent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	pid, other := ids.New(), ids.New() // the ledger does not need the persona to exist
	r1 := appendConsent(t, db, a.ID, pid, "channel:sms", true, "", t0)
	r2 := appendConsent(t, db, a.ID, pid, "channel:sms", false, "said so on the phone", t0.Add(time.Second))
	appendConsent(t, db, a.ID, other, consent.ScopeAll, false, "", t0)

	chain, err := db.ConsentRecords(ctx, a.ID, pid)
	must(t, "records", err)
	if !reflect.DeepEqual(chain, []consent.Record{r1, r2}) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", chain, []consent.Record{r1, r2})
	}
	if chain[0].Previous != nil || chain[1].Previous == nil || *chain[1].Previous != true {
		t.Fatalf("previous: %v, %v", chain[0].Previous, chain[1].Previous)
	}
	if err := consent.Verify(chain); err != nil {
		t.Fatalf("stored chain does not verify: %v", err)
	}

	// Two appends raced: the second with the same seq is turned away.
	late, err := consent.Append([]consent.Record{r1}, consent.Record{TenantID: a.ID, PersonaID: pid, Scope: consent.ScopeAll,
		Granted: true, Source: consent.SourceAPI, Actor: "k1", At: t0.Add(2 * time.Second)})
	must(t, "append late", err)
	wantErr(t, "same seq", db.AppendConsent(ctx, late), store.ErrConflict)

	many, err := db.ConsentRecordsMany(ctx, a.ID, []string{pid, other, "nobody"})
	must(t, "many", err)
	if len(many) != 2 || len(many[pid]) != 2 || many[pid][1].Seq != 2 || len(many[other]) != 1 {
		t.Fatalf("ConsentRecordsMany = %+v", many)
	}

	must(t, "redact", db.RedactConsentNotes(ctx, a.ID, pid))
	chain, _ = db.ConsentRecords(ctx, a.ID, pid)
	if chain[1].Note != "" || chain[1].NoteSalt != "" || chain[1].NoteDigest != r2.NoteDigest || chain[1].Hash != r2.Hash {
		t.Fatalf("redacted record: %+v", chain[1])
	}
}

func testNotifyEvents(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	ev := notice.Event{TenantID: a.ID, ID: ids.New(), Type: "card.blocked", Data: map[string]any{"last4": "4242", "n": 2.5},
		IdempotencyKey: "k1", SendAt: t0.Add(time.Hour), Recipients: 3, CreatedAt: t0}
	must(t, "insert", db.InsertNotifyEvent(ctx, ev))
	got, err := db.NotifyEvent(ctx, a.ID, ev.ID)
	must(t, "get", err)
	if !reflect.DeepEqual(got, ev) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, ev)
	}
	dup := ev
	dup.ID = ids.New()
	wantErr(t, "same idempotency key", db.InsertNotifyEvent(ctx, dup), store.ErrConflict)
	byKey, err := db.NotifyEventByKey(ctx, a.ID, "k1")
	must(t, "by key", err)
	if byKey.ID != ev.ID {
		t.Fatalf("by key: %s, want the first event %s", byKey.ID, ev.ID)
	}
	dup.TenantID = b.ID
	must(t, "same key at another tenant", db.InsertNotifyEvent(ctx, dup))
	// Events without a key never collide.
	for range 2 {
		must(t, "no key", db.InsertNotifyEvent(ctx, notice.Event{TenantID: a.ID, ID: ids.New(), Type: "x", CreatedAt: t0}))
	}
	_, err = db.NotifyEventByKey(ctx, a.ID, "")
	wantErr(t, "empty key", err, store.ErrNotFound)
	_, err = db.NotifyEvent(ctx, b.ID, ev.ID)
	wantErr(t, "event through another tenant", err, store.ErrNotFound)
}

func testPersonasForNotify(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	email := func(v string, verified bool) persona.Identifier {
		return persona.Identifier{Kind: persona.KindEmail, Value: v, Verified: verified}
	}
	ana := newPersona(t, db, a.ID, email("z@example.com", true), email("a@example.com", false),
		persona.Identifier{Kind: persona.KindPhone, Value: "+15550001"})
	bob := newPersona(t, db, a.ID)
	cy := newPersona(t, db, a.ID, persona.Identifier{Kind: persona.KindPhone, Value: "+15550002"})
	merged := newPersona(t, db, a.ID)
	newPersona(t, db, b.ID, email("z@example.com", true))
	_, err := db.MergePersonas(ctx, store.PersonaMerge{ID: ids.New(), TenantID: a.ID, SurvivorID: cy.ID, MergedID: merged.ID, ActorID: "u1", CreatedAt: t0})
	must(t, "merge", err)
	must(t, "push", db.AddPushSubscription(ctx, store.PushSubscription{TenantID: a.ID, ID: ids.New(), PersonaID: bob.ID,
		Endpoint: "https://push.example/1", P256dh: "k", Auth: "a", CreatedAt: t0}))

	first, err := db.PersonasForNotify(ctx, a.ID, "", 2)
	must(t, "page 1", err)
	rest, err := db.PersonasForNotify(ctx, a.ID, first[len(first)-1].ID, 2)
	must(t, "page 2", err)
	got := map[string]store.NotifyPersona{}
	for _, p := range append(first, rest...) {
		got[p.ID] = p
	}
	want := map[string]store.NotifyPersona{
		ana.ID: {ID: ana.ID, Name: "P", Email: "z@example.com", Phone: "+15550001"}, // verified first
		bob.ID: {ID: bob.ID, Name: "P", HasPush: true},
		cy.ID:  {ID: cy.ID, Name: "P", Phone: "+15550002"},
	}
	if len(first) != 2 || len(rest) != 1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("pages %d+%d: %+v\nwant %+v", len(first), len(rest), got, want)
	}
	byID, err := db.NotifyPersonasByID(ctx, a.ID, []string{ana.ID, merged.ID, "nobody", bob.ID})
	must(t, "by id", err)
	if len(byID) != 2 || byID[ana.ID] != want[ana.ID] || byID[bob.ID] != want[bob.ID] {
		t.Fatalf("by id: %+v", byID)
	}
}

func testPushSubscriptions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	p := newPersona(t, db, a.ID)
	sub := store.PushSubscription{TenantID: a.ID, ID: ids.New(), PersonaID: p.ID, Endpoint: "https://push.example/1",
		P256dh: "key1", Auth: "auth1", UserAgent: "Firefox", CreatedAt: t0}
	must(t, "add", db.AddPushSubscription(ctx, sub))
	// The browser subscribed again: same endpoint, new keys, the first id kept.
	again := sub
	again.ID, again.P256dh, again.Auth, again.CreatedAt = ids.New(), "key2", "auth2", t0.Add(time.Hour)
	must(t, "add again", db.AddPushSubscription(ctx, again))
	list, err := db.PushSubscriptions(ctx, a.ID, p.ID)
	must(t, "list", err)
	want := sub
	want.P256dh, want.Auth = "key2", "auth2"
	if len(list) != 1 || list[0] != want {
		t.Fatalf("after upsert: %+v\nwant %+v", list, want)
	}
	wantErr(t, "delete through another tenant", db.DeletePushSubscription(ctx, b.ID, sub.ID), store.ErrNotFound)
	must(t, "delete", db.DeletePushSubscription(ctx, a.ID, sub.ID))
	if list, _ := db.PushSubscriptions(ctx, a.ID, p.ID); len(list) != 0 {
		t.Fatalf("after delete: %+v", list)
	}
}

// testPushSubscriptionsMany asks for more personas than one IN list holds,
// the ones with subscriptions on both sides of a chunk's edge and one asked
// for twice, in two chunks.
func testPushSubscriptionsMany(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	ana, bob, cy := newPersona(t, db, a.ID), newPersona(t, db, a.ID), newPersona(t, db, a.ID)
	foreign := newPersona(t, db, b.ID)
	sub := func(tenantID, personaID, endpoint string, at time.Time) store.PushSubscription {
		p := store.PushSubscription{TenantID: tenantID, ID: ids.New(), PersonaID: personaID, Endpoint: "https://push.example/" + endpoint,
			P256dh: "key-" + endpoint, Auth: "auth-" + endpoint, UserAgent: "UA " + endpoint, CreatedAt: at}
		must(t, "add "+endpoint, db.AddPushSubscription(ctx, p))
		return p
	}
	anaPhone := sub(a.ID, ana.ID, "ana-phone", t0.Add(time.Hour))
	anaLaptop := sub(a.ID, ana.ID, "ana-laptop", t0) // older: listed first
	bobPhone := sub(a.ID, bob.ID, "bob-phone", t0)
	sub(b.ID, foreign.ID, "foreign", t0)

	asked := make([]string, 1200)
	for i := range asked {
		asked[i] = fmt.Sprintf("nobody-%04d", i)
	}
	asked[3], asked[499], asked[500], asked[700], asked[1199] = ana.ID, cy.ID, bob.ID, ana.ID, foreign.ID
	got, err := db.PushSubscriptionsMany(ctx, a.ID, asked)
	must(t, "many", err)
	want := map[string][]store.PushSubscription{
		ana.ID: {anaLaptop, anaPhone},
		bob.ID: {bobPhone},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for _, ask := range [][]string{nil, {cy.ID}, {foreign.ID}} {
		if got, err := db.PushSubscriptionsMany(ctx, a.ID, ask); err != nil || len(got) != 0 {
			t.Fatalf("asked for %v: %+v, %v", ask, got, err)
		}
	}
}

func testErasePersona(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	// keep is another customer of the tenant: nothing of theirs may go.
	seed := func(idents ...persona.Identifier) (persona.Persona, conversation.Conversation) {
		p := newPersona(t, db, a.ID, idents...)
		c := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
		att := conversation.Attachment{ID: ids.New(), Name: "id.png", ContentType: "image/png", Size: 3}
		must(t, "attachment", db.InsertAttachment(ctx, a.ID, att, []byte("png"), t0))
		must(t, "message", db.InsertMessage(ctx, conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: c.ID,
			Kind: conversation.KindMessage, Direction: conversation.Inbound, Channel: "sms", AuthorType: "persona",
			AuthorID: p.ID, Body: "my card number is …", Attachments: []conversation.Attachment{att}, Status: "received",
			CreatedAt: t0, UpdatedAt: t0}))
		must(t, "tags", db.SetTags(ctx, a.ID, c.ID, []string{"fraud"}))
		must(t, "thread", db.AddThreadKey(ctx, a.ID, "sms", "k-"+p.ID, c.ID))
		work := store.WorkRecord{ID: ids.New(), TenantID: a.ID, ConversationID: c.ID, Kind: "conversation", Modality: "sms",
			State: "waiting", Data: []byte(`{}`), ArrivedAt: t0, UpdatedAt: t0}
		must(t, "work", db.InsertWork(ctx, work))
		must(t, "offer", db.InsertOffer(ctx, store.OfferRecord{ID: ids.New(), TenantID: a.ID, WorkID: work.ID, AgentID: "u1",
			State: "open", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
		must(t, "decision", db.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: a.ID, WorkID: work.ID,
			ConversationID: c.ID, Kind: "queued", At: t0}))
		must(t, "sla", db.PutSLAClock(ctx, store.SLAClock{TenantID: a.ID, ConversationID: c.ID, Target: "first_response",
			PolicyID: "pol", State: "running", Started: t0, Due: t0.Add(time.Hour)}))
		must(t, "callback", db.InsertCallback(ctx, store.CallbackRecord{ID: ids.New(), TenantID: a.ID, PersonaID: p.ID,
			Phone: "+15550009", State: "waiting", NotBefore: t0, CreatedAt: t0, UpdatedAt: t0}))
		d := newDelivery(a.ID, ids.New(), p.ID)
		must(t, "delivery", db.InsertDeliveries(ctx, []notice.Delivery{d}))
		must(t, "step", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: a.ID, ID: d.ID, Status: notice.StatusSent,
			Body: "Hello", Steps: []notice.Step{{At: t0, Status: notice.StatusSent}}, At: t0}}))
		must(t, "prefs", db.SetPersonaPrefs(ctx, a.ID, p.ID, prefs.Preferences{Retrieval: prefs.Web}, t0))
		must(t, "hours", db.AddResponseHour(ctx, a.ID, p.ID, 10))
		must(t, "push", db.AddPushSubscription(ctx, store.PushSubscription{TenantID: a.ID, ID: ids.New(), PersonaID: p.ID,
			Endpoint: "https://push.example/" + p.ID, P256dh: "k", Auth: "a", CreatedAt: t0}))
		must(t, "portal session", db.CreatePortalSession(ctx, store.PortalSession{TokenHash: "h-" + p.ID, TenantID: a.ID,
			PersonaID: p.ID, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))
		appendConsent(t, db, a.ID, p.ID, "channel:sms", false, "asked by phone", t0)
		return p, c
	}
	gone, goneConv := seed(persona.Identifier{Kind: persona.KindPhone, Value: "+15550001"})
	keep, keepConv := seed(persona.Identifier{Kind: persona.KindPhone, Value: "+15550002"})
	// A persona merged into the erased one is the same customer.
	old := newPersona(t, db, a.ID, persona.Identifier{Kind: persona.KindEmail, Value: "old@example.com"})
	_, err := db.MergePersonas(ctx, store.PersonaMerge{ID: ids.New(), TenantID: a.ID, SurvivorID: gone.ID, MergedID: old.ID, ActorID: "u1", CreatedAt: t0})
	must(t, "merge", err)

	// An event raised for the erased persona alone, and a batch for both
	// with data of each.
	alone := notice.Event{TenantID: a.ID, ID: ids.New(), Type: "card.blocked", Data: map[string]any{"card": "4242"}, Recipients: 1, CreatedAt: t0}
	batch := notice.Event{TenantID: a.ID, ID: ids.New(), Type: "card.blocked", Recipients: 2, CreatedAt: t0,
		Data: map[string]any{"x": 1.0, store.RecipientDataKey: map[string]any{gone.ID: map[string]any{"card": "4242"}, keep.ID: map[string]any{"card": "1111"}}}}
	for _, ev := range []notice.Event{alone, batch} {
		must(t, "event", db.InsertNotifyEvent(ctx, ev))
	}
	must(t, "event deliveries", db.InsertDeliveries(ctx, []notice.Delivery{newDelivery(a.ID, alone.ID, gone.ID),
		newDelivery(a.ID, batch.ID, gone.ID), newDelivery(a.ID, batch.ID, keep.ID)}))

	before := personaRows(t, db, a.ID, keep.ID, keepConv.ID)
	must(t, "erase", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ErasePersona(ctx, a.ID, gone.ID) }))
	for table, n := range personaRows(t, db, a.ID, gone.ID, goneConv.ID) {
		if want := map[bool]int{true: 1, false: 0}[table == "consent_records"]; n != want {
			t.Errorf("%s: %d rows of the erased persona, want %d", table, n, want)
		}
	}
	for table, n := range personaRows(t, db, a.ID, old.ID, ids.New()) { // ids.New(): it has no conversation
		if n != 0 {
			t.Errorf("%s: %d rows of the persona merged into the erased one", table, n)
		}
	}
	if after := personaRows(t, db, a.ID, keep.ID, keepConv.ID); !reflect.DeepEqual(after, before) {
		t.Errorf("the other persona's rows changed:\n before %v\n after  %v", before, after)
	}
	_, err = db.NotifyEvent(ctx, a.ID, alone.ID)
	wantErr(t, "event for the erased persona alone", err, store.ErrNotFound)
	got, err := db.NotifyEvent(ctx, a.ID, batch.ID)
	must(t, "batch event", err)
	if want := map[string]any{"x": 1.0, store.RecipientDataKey: map[string]any{keep.ID: map[string]any{"card": "1111"}}}; !reflect.DeepEqual(got.Data, want) {
		t.Errorf("batch event data %v, want %v", got.Data, want)
	}
	var files int
	must(t, "count files", db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM attachments`).Scan(&files))
	if files != 1 {
		t.Errorf("%d attachments left, want the other persona's 1", files)
	}
	wantErr(t, "erase again", db.ErasePersona(ctx, a.ID, gone.ID), store.ErrNotFound)

	// A rollup fold reads its events and states before its transaction: one
	// that read the erased conversation's events before the erasure must not
	// write after it (its row would bring the erased conversation's id back).
	// It conflicts, and folds again from the events as they are now.
	read, err := db.RollupCursorAt(ctx, a.ID)
	must(t, "cursor", err)
	must(t, "erase the other", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ErasePersona(ctx, a.ID, keep.ID) }))
	wantErr(t, "a fold that read before the erasure", db.AdvanceRollupCursor(ctx, a.ID, read, 1, t0), store.ErrConflict)
}

// personaRows counts, per table, the rows that belong to a persona or its
// conversation.
func personaRows(t *testing.T, db *store.DB, tenantID, personaID, conversationID string) map[string]int {
	t.Helper()
	byConv := `tenant_id = $1 AND conversation_id = $3`
	where := map[string]string{
		"personas":              `tenant_id = $1 AND (id = $2 OR merged_into = $2) AND $3 = $3`,
		"persona_identifiers":   `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"persona_claims":        `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"persona_merges":        `tenant_id = $1 AND (survivor_id = $2 OR merged_id = $2) AND $3 = $3`,
		"conversations":         `tenant_id = $1 AND (persona_id = $2 OR id = $3)`,
		"messages":              byConv + ` AND $2 = $2`,
		"conversation_tags":     byConv + ` AND $2 = $2`,
		"conversation_threads":  byConv + ` AND $2 = $2`,
		"routing_work":          byConv + ` AND $2 = $2`,
		"routing_decisions":     byConv + ` AND $2 = $2`,
		"sla_clocks":            byConv + ` AND $2 = $2`,
		"routing_offers":        `tenant_id = $1 AND work_id IN (SELECT id FROM routing_work WHERE ` + byConv + `) AND $2 = $2`,
		"callbacks":             `tenant_id = $1 AND (persona_id = $2 OR conversation_id = $3)`,
		"notify_deliveries":     `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"notify_steps":          `tenant_id = $1 AND delivery_id IN (SELECT id FROM notify_deliveries WHERE tenant_id = $1 AND persona_id = $2) AND $3 = $3`,
		"notify_prefs":          `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"notify_response_hours": `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"push_subscriptions":    `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"portal_sessions":       `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
		"consent_records":       `tenant_id = $1 AND persona_id = $2 AND $3 = $3`,
	}
	out := map[string]int{}
	for table, w := range where {
		var n int
		must(t, "count "+table, db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table+` WHERE `+w,
			tenantID, personaID, conversationID).Scan(&n))
		out[table] = n
	}
	return out
}

func testPortal(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b, c := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo"), NewTenant(t, db, "charlie")
	email := persona.Identifier{Kind: persona.KindEmail, Value: "ana@example.com"}
	pa := newPersona(t, db, a.ID, email)
	pb := newPersona(t, db, b.ID, email, persona.Identifier{Kind: persona.KindPhone, Value: "+15550001"})
	newPersona(t, db, c.ID, persona.Identifier{Kind: persona.KindEmail, Value: "someone@example.com"})
	found, err := db.PersonasByIdentifier(ctx, email)
	must(t, "by identifier", err)
	if len(found) != 2 {
		t.Fatalf("found %d personas, want one at each of two tenants", len(found))
	}
	byTenant := map[string]persona.Persona{found[0].TenantID: found[0], found[1].TenantID: found[1]}
	if byTenant[a.ID].ID != pa.ID || byTenant[b.ID].ID != pb.ID || len(byTenant[b.ID].Identifiers) != 2 {
		t.Fatalf("by identifier: %+v", found)
	}
	if none, _ := db.PersonasByIdentifier(ctx, persona.Identifier{Kind: persona.KindPhone, Value: "ana@example.com"}); len(none) != 0 {
		t.Fatalf("kind ignored: %+v", none)
	}

	code := store.PortalCode{ID: ids.New(), Identifier: email.String(), CodeHash: "h1", ExpiresAt: t0.Add(10 * time.Minute), CreatedAt: t0}
	must(t, "create code", db.CreatePortalCode(ctx, code))
	newer := code
	newer.ID, newer.CodeHash, newer.CreatedAt = ids.New(), "h2", t0.Add(time.Minute)
	must(t, "create newer code", db.CreatePortalCode(ctx, newer))
	got, err := db.LatestPortalCode(ctx, email.String())
	must(t, "latest", err)
	if got != newer {
		t.Fatalf("latest code %+v, want %+v", got, newer)
	}
	for want := 1; want <= 2; want++ {
		n, err := db.PortalCodeAttempt(ctx, newer.ID)
		must(t, "attempt", err)
		if n != want {
			t.Fatalf("attempts %d, want %d", n, want)
		}
	}
	wantErr(t, "use expired", db.UsePortalCode(ctx, newer.ID, t0.Add(11*time.Minute)), store.ErrNotFound)
	must(t, "use", db.UsePortalCode(ctx, newer.ID, t0.Add(2*time.Minute)))
	wantErr(t, "use twice", db.UsePortalCode(ctx, newer.ID, t0.Add(3*time.Minute)), store.ErrNotFound)
	got, _ = db.PortalCode(ctx, newer.ID)
	if got.Attempts != 2 || !got.UsedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("used code: %+v", got)
	}
	_, err = db.LatestPortalCode(ctx, "email:nobody@example.com")
	wantErr(t, "no code", err, store.ErrNotFound)

	sess := store.PortalSession{TokenHash: "t1", Identifier: email.String(), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
	must(t, "session", db.CreatePortalSession(ctx, sess))
	wantErr(t, "same token", db.CreatePortalSession(ctx, sess), store.ErrConflict)
	link := store.PortalSession{TokenHash: "t2", TenantID: a.ID, PersonaID: pa.ID, ExpiresAt: t0.Add(time.Minute), CreatedAt: t0}
	must(t, "link session", db.CreatePortalSession(ctx, link))
	gotS, err := db.PortalSession(ctx, "t2", t0)
	must(t, "get session", err)
	if gotS != link {
		t.Fatalf("session %+v, want %+v", gotS, link)
	}
	_, err = db.PortalSession(ctx, "t2", t0.Add(time.Minute))
	wantErr(t, "expired session", err, store.ErrNotFound)
	must(t, "sign out", db.DeletePortalSession(ctx, "t1"))
	_, err = db.PortalSession(ctx, "t1", t0)
	wantErr(t, "ended session", err, store.ErrNotFound)
	if n, err := db.PortalCodesSince(ctx, email.String(), t0); err != nil || n != 2 {
		t.Fatalf("codes since t0: %d %v, want 2", n, err)
	}
	// Expired codes stay a day, for the daily cap; expired sessions go at once.
	n, err := db.DeleteExpiredPortal(ctx, t0.Add(20*time.Minute))
	must(t, "delete expired", err)
	if n != 1 {
		t.Fatalf("deleted %d expired rows at +20m, want the 1 session", n)
	}
	n, err = db.DeleteExpiredPortal(ctx, t0.Add(20*time.Minute+store.PortalCodeKeep))
	must(t, "delete expired", err)
	if n != 2 {
		t.Fatalf("deleted %d expired rows a day later, want the 2 codes", n)
	}
}
