package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

func testCalls(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "calls-a"), NewTenant(t, db, "calls-b")
	conv := newConversation(t, db, a.ID, newPersona(t, db, a.ID).ID, "webchat", conversation.StatusOpen)

	c, evs, err := call.New(ids.New(), a.ID, conv.ID, call.Video, call.Customer, t0)
	must(t, "new call", err)
	rec := store.CallRecord{Call: *c, WorkID: "w1", Node: "node-1", UpdatedAt: t0}
	must(t, "insert call", db.InsertCall(ctx, rec, evs))
	wantErr(t, "insert twice", db.InsertCall(ctx, rec, nil), store.ErrConflict)

	// Answered, held, ended: every field comes back as written.
	var all []call.Event
	all = append(all, evs...)
	step := func(evs []call.Event, err error) {
		t.Helper()
		must(t, "step", err)
		all = append(all, evs...)
		rec.Call, rec.UpdatedAt = *c, c.CreatedAt.Add(time.Minute)
		must(t, "update call", db.UpdateCall(ctx, rec, evs))
	}
	step(c.Accepted("ana", t0.Add(3*time.Second)))
	c.LegUp(call.Customer, t0.Add(4*time.Second))
	step(c.LegUp(call.Agent, t0.Add(4*time.Second)))
	step(c.HoldOn(t0.Add(10 * time.Second)))
	step(c.Mute(true, t0.Add(11*time.Second)))
	got, err := db.Call(ctx, a.ID, c.ID)
	must(t, "read held call", err)
	if got.State != call.Held || !got.HoldSince.Equal(t0.Add(10*time.Second)) || !got.Muted || got.AgentID != "ana" ||
		got.WorkID != "w1" || got.Node != "node-1" || got.Media != call.Video || got.Initiator != call.Customer {
		t.Fatalf("held call read back as %+v", got)
	}
	if live, err := db.LiveCalls(ctx, "node-1"); err != nil || len(live) != 1 || live[0].ID != c.ID {
		t.Fatalf("live calls on node-1: %+v %v", live, err)
	}
	if live, err := db.LiveCalls(ctx, "node-2"); err != nil || len(live) != 0 {
		t.Fatalf("live calls on node-2: %+v %v", live, err)
	}
	step(c.Resume(t0.Add(20 * time.Second)))
	rec.RecordingRef = "rec/1.wav"
	step(c.End(call.ReasonHangup, call.Agent, t0.Add(60*time.Second)))
	got, err = db.Call(ctx, a.ID, c.ID)
	must(t, "read ended call", err)
	if got.State != call.Ended || got.EndedReason != call.ReasonHangup || got.HungUpBy != call.Agent ||
		got.Hold != 10*time.Second || !got.HoldSince.IsZero() || !got.AnsweredAt.Equal(t0.Add(3*time.Second)) ||
		!got.EndedAt.Equal(t0.Add(time.Minute)) || got.RecordingRef != "rec/1.wav" {
		t.Fatalf("ended call read back as %+v", got)
	}
	if d := got.Durations(t0.Add(time.Hour)); d != (call.Durations{Ring: 3 * time.Second, Talk: 47 * time.Second, Hold: 10 * time.Second}) {
		t.Fatalf("durations of the stored call: %+v", d)
	}
	if live, _ := db.LiveCalls(ctx, ""); len(live) != 0 {
		t.Fatalf("an ended call is live: %+v", live)
	}
	stored, err := db.CallEvents(ctx, a.ID, c.ID)
	must(t, "call events", err)
	if len(stored) != len(all) {
		t.Fatalf("%d events stored, want %d: %+v", len(stored), len(all), stored)
	}
	for i := range all {
		if stored[i].Type != all[i].Type || !stored[i].At.Equal(all[i].At) || stored[i].By != all[i].By ||
			stored[i].Agent != all[i].Agent || stored[i].Detail != all[i].Detail {
			t.Fatalf("event %d: %+v, want %+v", i, stored[i], all[i])
		}
	}

	// A second call in the conversation lists first.
	c2, evs2, _ := call.New(ids.New(), a.ID, conv.ID, call.Audio, call.Agent, t0.Add(time.Hour))
	must(t, "insert second call", db.InsertCall(ctx, store.CallRecord{Call: *c2, UpdatedAt: t0.Add(time.Hour)}, evs2))
	list, err := db.CallsOf(ctx, a.ID, conv.ID)
	if err != nil || len(list) != 2 || list[0].ID != c2.ID || list[1].ID != c.ID {
		t.Fatalf("calls of the conversation: %+v %v", list, err)
	}

	// Another tenant sees none of it.
	_, err = db.Call(ctx, b.ID, c.ID)
	wantErr(t, "foreign call", err, store.ErrNotFound)
	if list, _ := db.CallsOf(ctx, b.ID, conv.ID); len(list) != 0 {
		t.Fatalf("foreign tenant lists %d calls", len(list))
	}
	if evs, _ := db.CallEvents(ctx, b.ID, c.ID); len(evs) != 0 {
		t.Fatalf("foreign tenant reads %d call events", len(evs))
	}
	foreign := rec
	foreign.TenantID = b.ID
	wantErr(t, "update a call as another tenant", db.UpdateCall(ctx, foreign, nil), store.ErrNotFound)
}
