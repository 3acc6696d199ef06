package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testRouting covers the routing, SLA and callback storage. The parts share one
// database, each with tenants of its own; the readers across tenants (the
// rebuild's) are checked on the rows of the part's tenants.
func testRouting(t *testing.T, db *store.DB) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Config", testRoutingConfig},
		{"ConfigKind", testRoutingConfigKind},
		{"Agents", testRoutingAgents},
		{"PresenceStates", testPresenceStates},
		{"Work", testRoutingWork},
		{"Offers", testRoutingOffers},
		{"MoveRace", testRoutingMoveRace},
		{"Decisions", testRoutingDecisions},
		{"Unrouted", testUnroutedConversations},
		{"SLAClocks", testSLAClocks},
		{"DueSLAClocks", testDueSLAClocks},
		{"Callbacks", testCallbacks},
		{"ActiveWorkLarge", testActiveWorkLarge},
		{"Among", testRoutingAmong},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, db) })
	}
}

// ofTenants keeps the items whose tenant is one of ids.
func ofTenants[T any](items []T, tenantOf func(T) string, ids ...string) []T {
	var out []T
	for _, it := range items {
		if slices.Contains(ids, tenantOf(it)) {
			out = append(out, it)
		}
	}
	return out
}

func testRoutingConfig(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "cfg-a"), NewTenant(t, db, "cfg-b")
	for _, kind := range []store.ConfigKind{store.ConfigQueues, store.ConfigCalendars, store.ConfigSLAPolicies, store.ConfigRoutingRules} {
		t.Run(string(kind), func(t *testing.T) {
			sales := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "sales", Config: json.RawMessage(`{"n":1}`), CreatedAt: t0, UpdatedAt: t0}
			support := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "support", Config: json.RawMessage(`{"n":2}`), CreatedAt: t0, UpdatedAt: t0}
			must(t, "put sales", db.PutConfig(ctx, kind, sales))
			must(t, "put support", db.PutConfig(ctx, kind, support))
			// The same name in another tenant is another record.
			theirs := store.ConfigRecord{ID: ids.New(), TenantID: b.ID, Name: "sales", Config: json.RawMessage(`{}`), CreatedAt: t0, UpdatedAt: t0}
			must(t, "put other tenant's sales", db.PutConfig(ctx, kind, theirs))

			got, err := db.Config(ctx, kind, a.ID, sales.ID)
			must(t, "get", err)
			if got.Name != "sales" || string(got.Config) != `{"n":1}` || !got.CreatedAt.Equal(t0) || got.TenantID != a.ID {
				t.Fatalf("Config = %+v", got)
			}

			// An update keeps the creation time and may rename.
			upd := sales
			upd.Name, upd.Config, upd.CreatedAt, upd.UpdatedAt = "sales-eu", json.RawMessage(`{"n":3}`), t0.Add(time.Hour), t0.Add(time.Minute)
			must(t, "update", db.PutConfig(ctx, kind, upd))
			got, _ = db.Config(ctx, kind, a.ID, sales.ID)
			if got.Name != "sales-eu" || string(got.Config) != `{"n":3}` || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
				t.Fatalf("after update: %+v", got)
			}
			taken := upd
			taken.Name = "support"
			wantErr(t, "rename onto another record's name", db.PutConfig(ctx, kind, taken), store.ErrConflict)
			dup := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "support", Config: json.RawMessage(`{}`), CreatedAt: t0, UpdatedAt: t0}
			wantErr(t, "new record with a taken name", db.PutConfig(ctx, kind, dup), store.ErrConflict)
			bad := dup
			bad.Name = "bad"
			bad.Config = json.RawMessage(`{"n":`)
			if err := db.PutConfig(ctx, kind, bad); err == nil {
				t.Fatal("PutConfig stored a document that is not JSON")
			}

			list, err := db.Configs(ctx, kind, a.ID)
			must(t, "list", err)
			if len(list) != 2 || list[0].Name != "sales-eu" || list[1].Name != "support" {
				t.Fatalf("Configs = %+v, want sales-eu and support by name", list)
			}

			// Tenant B neither reads nor changes A's records.
			_, err = db.Config(ctx, kind, b.ID, sales.ID)
			wantErr(t, "get through another tenant", err, store.ErrNotFound)
			hijack := upd
			hijack.TenantID, hijack.Name, hijack.Config = b.ID, "hijacked", json.RawMessage(`{"evil":true}`)
			wantErr(t, "put over another tenant's id", db.PutConfig(ctx, kind, hijack), store.ErrNotFound)
			wantErr(t, "delete through another tenant", db.DeleteConfig(ctx, kind, b.ID, sales.ID), store.ErrNotFound)
			got, err = db.Config(ctx, kind, a.ID, sales.ID)
			must(t, "get after foreign writes", err)
			if got.Name != "sales-eu" || string(got.Config) != `{"n":3}` {
				t.Fatalf("another tenant changed the record: %+v", got)
			}
			listB, _ := db.Configs(ctx, kind, b.ID)
			if len(listB) != 1 || listB[0].ID != theirs.ID {
				t.Fatalf("tenant B lists %+v", listB)
			}

			all, err := db.AllConfigs(ctx, kind)
			must(t, "all", err)
			if n := len(ofTenants(all, func(r store.ConfigRecord) string { return r.TenantID }, a.ID, b.ID)); n != 3 {
				t.Fatalf("AllConfigs holds %d records of the two tenants, want 3", n)
			}

			must(t, "delete", db.DeleteConfig(ctx, kind, a.ID, sales.ID))
			_, err = db.Config(ctx, kind, a.ID, sales.ID)
			wantErr(t, "deleted record", err, store.ErrNotFound)
			wantErr(t, "delete again", db.DeleteConfig(ctx, kind, a.ID, sales.ID), store.ErrNotFound)
		})
	}
}

func testRoutingConfigKind(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "kind-a")
	for _, kind := range []store.ConfigKind{"", "users", "routing_queues; DROP TABLE tenants", "Routing_Queues"} {
		r := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "x", Config: json.RawMessage(`{}`), CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, "put "+string(kind), db.PutConfig(ctx, kind, r), store.ErrConfigKind)
		_, err := db.Config(ctx, kind, a.ID, r.ID)
		wantErr(t, "get "+string(kind), err, store.ErrConfigKind)
		_, err = db.Configs(ctx, kind, a.ID)
		wantErr(t, "list "+string(kind), err, store.ErrConfigKind)
		_, err = db.AllConfigs(ctx, kind)
		wantErr(t, "all "+string(kind), err, store.ErrConfigKind)
		wantErr(t, "delete "+string(kind), db.DeleteConfig(ctx, kind, a.ID, r.ID), store.ErrConfigKind)
	}
	if _, err := db.Tenant(ctx, a.ID); err != nil {
		t.Fatalf("tenants after the refused kinds: %v", err)
	}
}

func testRoutingAgents(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "agents-a"), NewTenant(t, db, "agents-b")
	ana := NewUser(t, db, a.ID, "ana@a.example", tenant.RoleAgent)
	ben := NewUser(t, db, a.ID, "ben@a.example", tenant.RoleSupervisor)
	admin := NewUser(t, db, a.ID, "admin@a.example", tenant.RoleAdmin)
	working := NewUser(t, db, a.ID, "working@a.example", tenant.RoleAdmin)
	gone := NewUser(t, db, a.ID, "gone@a.example", tenant.RoleAgent)
	gone.Disabled = true
	must(t, "disable", db.UpdateUser(ctx, gone))
	cleo := NewUser(t, db, b.ID, "cleo@b.example", tenant.RoleAgent)

	_, err := db.AgentRoutingOf(ctx, a.ID, ana.ID)
	wantErr(t, "profile before any", err, store.ErrNotFound)
	must(t, "put ana", db.PutAgentRouting(ctx, a.ID, ana.ID, json.RawMessage(`{"skills":{"fr":3}}`), t0))
	must(t, "put ana again", db.PutAgentRouting(ctx, a.ID, ana.ID, json.RawMessage(`{"skills":{"fr":5}}`), t0.Add(time.Minute)))
	must(t, "put working admin", db.PutAgentRouting(ctx, a.ID, working.ID, json.RawMessage(`{}`), t0))
	must(t, "put gone", db.PutAgentRouting(ctx, a.ID, gone.ID, json.RawMessage(`{}`), t0))
	got, err := db.AgentRoutingOf(ctx, a.ID, ana.ID)
	must(t, "get ana", err)
	if got.Name != ana.Name || got.Role != "agent" || got.Presence != "offline" || string(got.Config) != `{"skills":{"fr":5}}` ||
		!got.UpdatedAt.Equal(t0.Add(time.Minute)) || got.TenantID != a.ID || got.UserID != ana.ID {
		t.Fatalf("AgentRoutingOf = %+v", got)
	}
	wantErr(t, "profile of an unknown user", db.PutAgentRouting(ctx, a.ID, ids.New(), json.RawMessage(`{"skills":{}}`), t0), store.ErrNotFound)
	if err := db.PutAgentRouting(ctx, a.ID, ben.ID, json.RawMessage(`{"skills":`), t0); err == nil {
		t.Fatal("PutAgentRouting stored a profile that is not JSON")
	}

	// Tenant B can neither read A's profiles nor write one for A's users.
	_, err = db.AgentRoutingOf(ctx, b.ID, ana.ID)
	wantErr(t, "profile through another tenant", err, store.ErrNotFound)
	wantErr(t, "put through another tenant", db.PutAgentRouting(ctx, b.ID, ana.ID, json.RawMessage(`{"evil":1}`), t0), store.ErrNotFound)
	got, _ = db.AgentRoutingOf(ctx, a.ID, ana.ID)
	if string(got.Config) != `{"skills":{"fr":5}}` {
		t.Fatalf("another tenant changed ana's profile: %s", got.Config)
	}

	all, err := db.AllAgentRouting(ctx)
	must(t, "all", err)
	all = ofTenants(all, func(a store.AgentRouting) string { return a.TenantID }, a.ID, b.ID)
	byUser := map[string]store.AgentRouting{}
	for _, ar := range all {
		byUser[ar.UserID] = ar
	}
	for _, u := range []tenant.User{ana, ben, working, cleo} {
		if _, ok := byUser[u.ID]; !ok {
			t.Errorf("AllAgentRouting misses %s (%s)", u.Email, u.Role)
		}
	}
	for _, u := range []tenant.User{admin, gone} {
		if _, ok := byUser[u.ID]; ok {
			t.Errorf("AllAgentRouting lists %s (%s, disabled %v)", u.Email, u.Role, u.Disabled)
		}
	}
	if len(all) != 4 {
		t.Errorf("AllAgentRouting lists %d users of the two tenants, want 4", len(all))
	}
	if c := byUser[ben.ID].Config; c != nil {
		t.Errorf("ben has no profile but Config = %s", c)
	}
	if c := byUser[ana.ID].Config; string(c) != `{"skills":{"fr":5}}` {
		t.Errorf("ana's Config in AllAgentRouting = %s", c)
	}
	if t.Failed() {
		t.FailNow()
	}
}

func testPresenceStates(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "presence-a"), NewTenant(t, db, "presence-b")
	must(t, "put lunch", db.PutPresenceState(ctx, store.PresenceState{TenantID: a.ID, Name: "lunch", CreatedAt: t0}))
	must(t, "put backoffice", db.PutPresenceState(ctx, store.PresenceState{TenantID: a.ID, Name: "backoffice", Routable: true, CreatedAt: t0}))
	must(t, "put b lunch", db.PutPresenceState(ctx, store.PresenceState{TenantID: b.ID, Name: "lunch", Routable: true, CreatedAt: t0}))
	must(t, "make lunch routable", db.PutPresenceState(ctx, store.PresenceState{TenantID: a.ID, Name: "lunch", Routable: true, CreatedAt: t0.Add(time.Hour)}))
	got, err := db.PresenceStates(ctx, a.ID)
	must(t, "list", err)
	want := []store.PresenceState{
		{TenantID: a.ID, Name: "backoffice", Routable: true, CreatedAt: t0},
		{TenantID: a.ID, Name: "lunch", Routable: true, CreatedAt: t0},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("PresenceStates = %+v, want %+v", got, want)
	}
	wantErr(t, "delete through another tenant", db.DeletePresenceState(ctx, b.ID, "backoffice"), store.ErrNotFound)
	must(t, "delete", db.DeletePresenceState(ctx, a.ID, "lunch"))
	got, _ = db.PresenceStates(ctx, a.ID)
	if len(got) != 1 || got[0].Name != "backoffice" {
		t.Fatalf("after delete: %+v", got)
	}
	gotB, _ := db.PresenceStates(ctx, b.ID)
	if len(gotB) != 1 || gotB[0].Name != "lunch" {
		t.Fatalf("tenant B's states after A deleted its lunch: %+v", gotB)
	}
}

func newWork(tenantID, conversationID, state string, arrived time.Time) store.WorkRecord {
	id := ids.New()
	return store.WorkRecord{ID: id, TenantID: tenantID, ConversationID: conversationID, Kind: "conversation", QueueID: "q1",
		Modality: "chat", Priority: 1, State: state, Data: json.RawMessage(`{"id":"` + id + `"}`), ArrivedAt: arrived, UpdatedAt: arrived}
}

func testRoutingWork(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "work-a"), NewTenant(t, db, "work-b")
	w := newWork(a.ID, "c1", "waiting", t0)
	must(t, "insert", db.InsertWork(ctx, w))
	wantErr(t, "insert the same id", db.InsertWork(ctx, w), store.ErrConflict)
	got, err := db.Work(ctx, a.ID, w.ID)
	must(t, "get", err)
	w.Data = json.RawMessage(string(w.Data))
	if got.ID != w.ID || got.ConversationID != "c1" || got.Kind != "conversation" || got.QueueID != "q1" || got.Modality != "chat" ||
		got.Priority != 1 || got.State != "waiting" || got.AgentID != "" || string(got.Data) != string(w.Data) || !got.ArrivedAt.Equal(t0) {
		t.Fatalf("Work = %+v, want %+v", got, w)
	}

	must(t, "offer", db.MoveWork(ctx, a.ID, w.ID, []string{"waiting"}, "offered", "ana", t0.Add(time.Second)))
	err = db.MoveWork(ctx, a.ID, w.ID, []string{"waiting"}, "offered", "ben", t0.Add(time.Second))
	wantErr(t, "offer an offered item", err, store.ErrConflict)
	must(t, "assign", db.MoveWork(ctx, a.ID, w.ID, []string{"waiting", "offered"}, "assigned", "ana", t0.Add(2*time.Second)))
	got, _ = db.Work(ctx, a.ID, w.ID)
	if got.State != "assigned" || got.AgentID != "ana" || !got.UpdatedAt.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("after assign: %+v", got)
	}
	wantErr(t, "move unknown item", db.MoveWork(ctx, a.ID, ids.New(), []string{"waiting"}, "offered", "ana", t0), store.ErrNotFound)

	must(t, "update", db.UpdateWork(ctx, a.ID, w.ID, "q2", 3, json.RawMessage(`{"overflowed":true}`), t0.Add(3*time.Second)))
	got, _ = db.Work(ctx, a.ID, w.ID)
	if got.QueueID != "q2" || got.Priority != 3 || string(got.Data) != `{"overflowed":true}` || got.State != "assigned" {
		t.Fatalf("after update: %+v", got)
	}
	if err := db.UpdateWork(ctx, a.ID, w.ID, "q2", 3, json.RawMessage(`{`), t0); err == nil {
		t.Fatal("UpdateWork stored data that is not JSON")
	}

	// Tenant B neither reads nor moves nor changes A's item.
	_, err = db.Work(ctx, b.ID, w.ID)
	wantErr(t, "get through another tenant", err, store.ErrNotFound)
	wantErr(t, "move through another tenant", db.MoveWork(ctx, b.ID, w.ID, []string{"assigned"}, "finished", "", t0), store.ErrNotFound)
	wantErr(t, "update through another tenant", db.UpdateWork(ctx, b.ID, w.ID, "evil", 0, json.RawMessage(`{}`), t0), store.ErrNotFound)
	got, _ = db.Work(ctx, a.ID, w.ID)
	if got.State != "assigned" || got.QueueID != "q2" {
		t.Fatalf("another tenant changed the item: %+v", got)
	}
	forB, _ := db.ActiveWorkFor(ctx, b.ID, "c1")
	if len(forB) != 0 {
		t.Fatalf("tenant B sees A's work of c1: %+v", forB)
	}

	// Active work: waiting, offered and assigned, not the rest.
	waiting := newWork(a.ID, "c1", "waiting", t0.Add(-time.Minute))
	finished := newWork(a.ID, "c1", "finished", t0)
	other := newWork(a.ID, "c2", "offered", t0)
	theirs := newWork(b.ID, "c1", "waiting", t0)
	for _, x := range []store.WorkRecord{waiting, finished, other, theirs} {
		must(t, "insert "+x.State, db.InsertWork(ctx, x))
	}
	for _, st := range []string{"withdrawn", "expired"} {
		x := newWork(a.ID, "c1", "waiting", t0)
		must(t, "insert", db.InsertWork(ctx, x))
		must(t, "move to "+st, db.MoveWork(ctx, a.ID, x.ID, []string{"waiting"}, st, "", t0))
	}
	forC1, err := db.ActiveWorkFor(ctx, a.ID, "c1")
	must(t, "active for c1", err)
	if len(forC1) != 2 || forC1[0].ID != waiting.ID || forC1[1].ID != w.ID {
		t.Fatalf("ActiveWorkFor(c1) = %v, want the waiting item then the assigned one", workIDs(forC1))
	}
	all, err := db.ActiveWork(ctx)
	must(t, "active", err)
	all = ofTenants(all, func(w store.WorkRecord) string { return w.TenantID }, a.ID, b.ID)
	gotIDs := workIDs(all)
	for _, x := range []store.WorkRecord{w, waiting, other, theirs} {
		if !slices.Contains(gotIDs, x.ID) {
			t.Errorf("ActiveWork misses %s (%s)", x.ID, x.State)
		}
	}
	if len(all) != 4 {
		t.Fatalf("ActiveWork lists %d items of the two tenants, want 4", len(all))
	}

	// Streamed in batches of two: the same items in the same order, each
	// batch its own slice.
	full, err := db.ActiveWork(ctx)
	must(t, "active", err)
	var streamed []store.WorkRecord
	var batches [][]store.WorkRecord
	must(t, "each active", db.EachActiveWork(ctx, 2, func(batch []store.WorkRecord) error {
		if len(batch) == 0 || len(batch) > 2 {
			t.Errorf("EachActiveWork gave a batch of %d, want 1–2", len(batch))
		}
		batches = append(batches, batch)
		streamed = append(streamed, batch...)
		return nil
	}))
	if !slices.Equal(workIDs(streamed), workIDs(full)) {
		t.Fatalf("EachActiveWork streamed %v, ActiveWork lists %v", workIDs(streamed), workIDs(full))
	}
	var kept []store.WorkRecord
	for _, b := range batches {
		kept = append(kept, b...)
	}
	for i := range kept {
		if kept[i].ID != full[i].ID || string(kept[i].Data) != string(full[i].Data) || !kept[i].ArrivedAt.Equal(full[i].ArrivedAt) {
			t.Fatalf("batch kept after the stream moved on changed at %d: %s %s, want %s %s",
				i, kept[i].ID, kept[i].Data, full[i].ID, full[i].Data)
		}
	}
	stop := errors.New("stop")
	if err := db.EachActiveWork(ctx, 1, func([]store.WorkRecord) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("EachActiveWork returned %v, want the callback's error", err)
	}
}

func workIDs(ws []store.WorkRecord) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.ID
	}
	return out
}

func testRoutingOffers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "offers-a"), NewTenant(t, db, "offers-b")
	o := store.OfferRecord{ID: ids.New(), TenantID: a.ID, WorkID: "w1", AgentID: "ana", State: "open", Reason: "longest idle",
		CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Second)}
	must(t, "insert", db.InsertOffer(ctx, o))
	wantErr(t, "insert the same id", db.InsertOffer(ctx, o), store.ErrConflict)
	got, err := db.Offer(ctx, a.ID, o.ID)
	must(t, "get", err)
	if got != o {
		t.Fatalf("Offer = %+v, want %+v", got, o)
	}
	_, err = db.Offer(ctx, b.ID, o.ID)
	wantErr(t, "get through another tenant", err, store.ErrNotFound)
	wantErr(t, "decide through another tenant", db.MoveOffer(ctx, b.ID, o.ID, "open", "declined", t0), store.ErrNotFound)
	forB, _ := db.OffersFor(ctx, b.ID, "ana", "")
	if len(forB) != 0 {
		t.Fatalf("tenant B sees A's offers: %+v", forB)
	}

	later := store.OfferRecord{ID: ids.New(), TenantID: a.ID, WorkID: "w2", AgentID: "ana", State: "open", CreatedAt: t0.Add(time.Second), ExpiresAt: t0.Add(time.Minute)}
	toBen := store.OfferRecord{ID: ids.New(), TenantID: a.ID, WorkID: "w3", AgentID: "ben", State: "open", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	theirs := store.OfferRecord{ID: ids.New(), TenantID: b.ID, WorkID: "w9", AgentID: "ana", State: "open", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	for _, x := range []store.OfferRecord{later, toBen, theirs} {
		must(t, "insert", db.InsertOffer(ctx, x))
	}

	must(t, "accept", db.MoveOffer(ctx, a.ID, o.ID, "open", "accepted", t0.Add(5*time.Second)))
	wantErr(t, "expire an accepted offer", db.MoveOffer(ctx, a.ID, o.ID, "open", "expired", t0.Add(30*time.Second)), store.ErrConflict)
	wantErr(t, "decide an unknown offer", db.MoveOffer(ctx, a.ID, ids.New(), "open", "expired", t0), store.ErrNotFound)
	got, _ = db.Offer(ctx, a.ID, o.ID)
	if got.State != "accepted" || !got.DecidedAt.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after accept: %+v", got)
	}

	open, err := db.OffersFor(ctx, a.ID, "ana", "open")
	must(t, "open for ana", err)
	if len(open) != 1 || open[0].ID != later.ID {
		t.Fatalf("OffersFor(ana, open) = %+v", open)
	}
	every, _ := db.OffersFor(ctx, a.ID, "ana", "")
	if len(every) != 2 || every[0].ID != o.ID || every[1].ID != later.ID {
		t.Fatalf("OffersFor(ana, all) = %+v", every)
	}
	all, err := db.OpenOffers(ctx)
	must(t, "open offers", err)
	all = ofTenants(all, func(o store.OfferRecord) string { return o.TenantID }, a.ID, b.ID)
	if len(all) != 3 {
		t.Fatalf("OpenOffers lists %d offers of the two tenants, want 3 (later, toBen, theirs): %+v", len(all), all)
	}
	for _, x := range all {
		if x.State != "open" {
			t.Fatalf("OpenOffers lists a %s offer", x.State)
		}
	}
}

// race runs move twice at once, with the two agents, and returns the two
// results in agent order.
func race(move func(agent string) error, agents [2]string) [2]error {
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, agent := range agents {
		wg.Go(func() {
			<-start
			errs[i] = move(agent)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner checks that exactly one of the racing moves won and the other got
// ErrConflict, and returns the winner's agent.
func oneWinner(t *testing.T, what string, errs [2]error, agents [2]string) string {
	t.Helper()
	switch {
	case errs[0] == nil && errors.Is(errs[1], store.ErrConflict):
		return agents[0]
	case errs[1] == nil && errors.Is(errs[0], store.ErrConflict):
		return agents[1]
	}
	t.Fatalf("%s: results %v and %v, want exactly one success and one ErrConflict", what, errs[0], errs[1])
	return ""
}

// testRoutingMoveRace has two writers (two nodes, or a node and its restarted
// self) move the same item at once: the guard lets exactly one win.
func testRoutingMoveRace(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "race-a")
	agents := [2]string{"ana", "ben"}
	for round := range 20 {
		// Half the rounds move in a transaction that also records the decision,
		// as the dispatcher does; the others with a single statement.
		inTx := round%2 == 1
		w := newWork(a.ID, "", "offered", t0)
		must(t, "insert work", db.InsertWork(ctx, w))
		o := store.OfferRecord{ID: ids.New(), TenantID: a.ID, WorkID: w.ID, AgentID: "ana", State: "open", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
		must(t, "insert offer", db.InsertOffer(ctx, o))

		errs := race(func(agent string) error {
			move := func(s *store.Store) error {
				return s.MoveWork(ctx, a.ID, w.ID, []string{"offered"}, "assigned", agent, t0.Add(time.Second))
			}
			if !inTx {
				return move(&db.Store)
			}
			return db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
				if err := move(s); err != nil {
					return err
				}
				return s.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: a.ID, WorkID: w.ID, Kind: "assign", AgentID: agent, At: t0})
			})
		}, agents)
		winner := oneWinner(t, fmt.Sprintf("round %d: assign work", round), errs, agents)
		got, err := db.Work(ctx, a.ID, w.ID)
		must(t, "get work", err)
		if got.State != "assigned" || got.AgentID != winner {
			t.Fatalf("round %d: work is %s to %q, want assigned to the winner %s", round, got.State, got.AgentID, winner)
		}

		errs = race(func(to string) error {
			return db.MoveOffer(ctx, a.ID, o.ID, "open", to, t0.Add(time.Second))
		}, [2]string{"accepted", "expired"})
		state := oneWinner(t, fmt.Sprintf("round %d: decide offer", round), errs, [2]string{"accepted", "expired"})
		gotOffer, _ := db.Offer(ctx, a.ID, o.ID)
		if gotOffer.State != state {
			t.Fatalf("round %d: offer is %s, want the winner's %s", round, gotOffer.State, state)
		}
	}
}

func testRoutingDecisions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "decisions-a"), NewTenant(t, db, "decisions-b")
	var want []store.DecisionRecord
	for i, kind := range []string{"offer", "offer_expired", "offer", "assign"} {
		d := store.DecisionRecord{ID: ids.New(), TenantID: a.ID, WorkID: "w1", ConversationID: "c1", Kind: kind, AgentID: "ana",
			QueueID: "q1", OfferID: "o1", Reason: "step " + fmt.Sprint(i), At: t0.Add(time.Duration(i) * time.Second)}
		must(t, "insert "+kind, db.InsertDecision(ctx, d))
		want = append([]store.DecisionRecord{d}, want...)
	}
	wantErr(t, "insert the same id", db.InsertDecision(ctx, want[0]), store.ErrConflict)
	must(t, "other conversation", db.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: a.ID, ConversationID: "c2", Kind: "offer", At: t0}))
	got, err := db.Decisions(ctx, a.ID, "c1", 10)
	must(t, "list", err)
	if !slices.Equal(got, want) {
		t.Fatalf("Decisions = %+v, want newest first %+v", got, want)
	}
	got, _ = db.Decisions(ctx, a.ID, "c1", 2)
	if len(got) != 2 || got[0].Kind != "assign" || got[1].Reason != "step 2" {
		t.Fatalf("Decisions limit 2 = %+v", got)
	}
	got, _ = db.Decisions(ctx, b.ID, "c1", 10)
	if len(got) != 0 {
		t.Fatalf("tenant B sees A's decisions: %+v", got)
	}
}

func testUnroutedConversations(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "unrouted-a"), NewTenant(t, db, "unrouted-b")
	pa, pb := newPersona(t, db, a.ID), newPersona(t, db, b.ID)
	n := 0
	conv := func(tenantID, personaID string, status conversation.Status, assignee string) conversation.Conversation {
		t.Helper()
		n++
		at := t0.Add(time.Duration(-n) * time.Minute) // each older than the last
		c := conversation.Conversation{ID: ids.New(), TenantID: tenantID, PersonaID: personaID, Status: status, AssigneeID: assignee,
			Priority: conversation.PriorityNormal, Channel: "webchat", Modalities: []string{"webchat"}, CreatedAt: at, UpdatedAt: at}
		must(t, "create conversation", db.CreateConversation(ctx, c))
		return c
	}
	missed := conv(a.ID, pa.ID, conversation.StatusOpen, "")
	assigned := conv(a.ID, pa.ID, conversation.StatusOpen, "ana")
	routed := conv(a.ID, pa.ID, conversation.StatusOpen, "")
	done := conv(a.ID, pa.ID, conversation.StatusOpen, "") // its work finished without an assignee
	resolved := conv(a.ID, pa.ID, conversation.StatusResolved, "")
	pending := conv(a.ID, pa.ID, conversation.StatusPending, "")
	theirs := conv(b.ID, pb.ID, conversation.StatusOpen, "") // the oldest
	must(t, "tag", db.SetTags(ctx, a.ID, missed.ID, []string{"vip"}))
	must(t, "routed work", db.InsertWork(ctx, newWork(a.ID, routed.ID, "waiting", t0)))
	must(t, "finished work", db.InsertWork(ctx, newWork(a.ID, done.ID, "finished", t0)))
	// Work of another tenant with the same conversation id does not count.
	must(t, "foreign work", db.InsertWork(ctx, newWork(b.ID, missed.ID, "waiting", t0)))

	got, err := db.UnroutedConversations(ctx, nil, 100)
	must(t, "unrouted", err)
	got = ofTenants(got, func(c conversation.Conversation) string { return c.TenantID }, a.ID, b.ID)
	var gotIDs []string
	for _, c := range got {
		gotIDs = append(gotIDs, c.ID)
	}
	want := []string{theirs.ID, done.ID, missed.ID}
	if !slices.Equal(gotIDs, want) {
		t.Fatalf("UnroutedConversations = %v, want oldest first %v (not assigned %s, routed %s, resolved %s, pending %s)",
			gotIDs, want, assigned.ID, routed.ID, resolved.ID, pending.ID)
	}
	if tags := got[2].Tags; !slices.Equal(tags, []string{"vip"}) {
		t.Fatalf("tags of the missed conversation: %v", tags)
	}
	one, err := db.UnroutedConversations(ctx, nil, 1)
	must(t, "unrouted limit 1", err)
	if len(one) != 1 {
		t.Fatalf("limit 1 gave %d conversations", len(one))
	}
	// Paging one at a time walks the same list.
	var paged []string
	for after := (*conversation.Conversation)(nil); ; {
		page, err := db.UnroutedConversations(ctx, after, 1)
		must(t, "unrouted page", err)
		if len(page) == 0 {
			break
		}
		paged = append(paged, page[0].ID)
		after = &page[0]
	}
	if !slices.Equal(paged, gotIDs) {
		t.Fatalf("paged %v, want %v", paged, gotIDs)
	}
}
