package httpapi

import (
	"context"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// callFixture is an ended voice call in the tenant's first conversation,
// answered by its admin, stored as the calls service stores one.
func callFixture(f *fixtures) string {
	at := time.Now().UTC().Add(-time.Hour)
	c, evs, err := call.New(ids.New(), f.tf.Tenant.ID, f.id("conversationID", ""), call.Audio, call.Customer, at)
	if err != nil {
		f.t.Fatal(err)
	}
	more, _ := c.Accepted(f.tf.Admin.ID, at.Add(5*time.Second))
	evs = append(evs, more...)
	more, _ = c.End(call.ReasonHangup, call.Customer, at.Add(time.Minute))
	evs = append(evs, more...)
	if err := f.w.db.InsertCall(context.Background(), store.CallRecord{Call: *c, UpdatedAt: at.Add(time.Minute)}, evs); err != nil {
		f.t.Fatalf("call fixture: %v", err)
	}
	// Recorded, so its recording's route has something to serve.
	if err := f.w.db.InsertCallRecording(context.Background(), store.CallRecording{CallID: c.ID, TenantID: c.TenantID,
		ConversationID: c.ConversationID, AgentID: c.AgentID, Consent: "announced", AttachmentID: ids.New(), Size: 4,
		RetentionDays: 30, CreatedAt: at.Add(time.Minute)}, "call.wav", "audio/wav", []byte("RIFF")); err != nil {
		f.t.Fatalf("call recording fixture: %v", err)
	}
	return c.ID
}
