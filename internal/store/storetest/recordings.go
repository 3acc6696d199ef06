package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testCallRecordings: a tenant's recording policy; a recording's audio is
// read only through CallRecordingAudio (not the general attachment route),
// by its tenant; retention's candidates carry the tenant's policy, and a
// deletion removes the audio once.
func testCallRecordings(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "rec-a"), NewTenant(t, db, "rec-b")
	persona := newPersona(t, db, a.ID)
	conv := newConversation(t, db, a.ID, persona.ID, "webchat", conversation.StatusOpen)

	_, err := db.RecordingPolicy(ctx, a.ID)
	wantErr(t, "no policy yet", err, store.ErrNotFound)
	must(t, "put policy", db.PutRecordingPolicy(ctx, a.ID, store.RecordingPolicy{Mode: "ask", RetentionDays: 7, UpdatedAt: t0}))
	must(t, "replace policy", db.PutRecordingPolicy(ctx, a.ID, store.RecordingPolicy{Mode: "announce", RetentionDays: 30, UpdatedAt: t0}))
	p, err := db.RecordingPolicy(ctx, a.ID)
	must(t, "read policy", err)
	if p.Mode != "announce" || p.RetentionDays != 30 || !p.UpdatedAt.Equal(t0) {
		t.Fatalf("policy %+v", p)
	}
	_, err = db.RecordingPolicy(ctx, b.ID)
	wantErr(t, "other tenant's policy", err, store.ErrNotFound)

	callID, att := ids.New(), ids.New()
	wav := []byte("RIFF....WAVEfmt the audio")
	r := store.CallRecording{CallID: callID, TenantID: a.ID, ConversationID: conv.ID, AgentID: "ana", Consent: "announced",
		AttachmentID: att, Size: int64(len(wav)), Seconds: 12, RetentionDays: 30, CreatedAt: t0}
	must(t, "insert recording", db.InsertCallRecording(ctx, r, "call.wav", "audio/wav", wav))
	wantErr(t, "insert twice", db.InsertCallRecording(ctx, r, "", "", nil), store.ErrConflict)
	refused := store.CallRecording{CallID: ids.New(), TenantID: a.ID, ConversationID: conv.ID, Consent: "refused", CreatedAt: t0}
	must(t, "insert refusal", db.InsertCallRecording(ctx, refused, "", "", nil))

	_, _, err = db.Attachment(ctx, a.ID, att)
	wantErr(t, "recording through the attachment route", err, store.ErrNotFound)
	got, meta, data, err := db.CallRecordingAudio(ctx, a.ID, callID)
	must(t, "audio", err)
	if string(data) != string(wav) || meta.ContentType != "audio/wav" || got.AgentID != "ana" || got.Seconds != 12 || !got.CreatedAt.Equal(t0) {
		t.Fatalf("audio %+v %+v %q", got, meta, data)
	}
	_, _, _, err = db.CallRecordingAudio(ctx, b.ID, callID)
	wantErr(t, "other tenant's audio", err, store.ErrNotFound)
	_, _, _, err = db.CallRecordingAudio(ctx, a.ID, refused.CallID)
	wantErr(t, "refused call's audio", err, store.ErrNotFound)

	kept, err := db.KeptRecordings(ctx, t0.Add(time.Second), 10)
	must(t, "kept", err)
	if len(kept) != 1 || kept[0].CallID != callID || kept[0].PolicyDays != 30 {
		t.Fatalf("kept %+v", kept)
	}
	if kept, _ := db.KeptRecordings(ctx, t0, 10); len(kept) != 0 {
		t.Fatalf("kept before it was made: %+v", kept)
	}
	gone, err := db.DeleteCallRecordingAudio(ctx, a.ID, callID, 30, t0.Add(31*24*time.Hour))
	if err != nil || !gone {
		t.Fatalf("delete: %v %v", gone, err)
	}
	gone, err = db.DeleteCallRecordingAudio(ctx, a.ID, callID, 30, t0.Add(32*24*time.Hour))
	if err != nil || gone {
		t.Fatalf("delete again: %v %v", gone, err)
	}
	_, _, _, err = db.CallRecordingAudio(ctx, a.ID, callID)
	wantErr(t, "deleted audio", err, store.ErrNotFound)
	got, err = db.CallRecording(ctx, a.ID, callID)
	must(t, "row after deletion", err)
	if !got.DeletedAt.Equal(t0.Add(31*24*time.Hour)) || got.RetentionDays != 30 {
		t.Fatalf("row after deletion %+v", got)
	}
	if kept, _ := db.KeptRecordings(ctx, t0.Add(time.Hour), 10); len(kept) != 0 {
		t.Fatalf("kept after deletion: %+v", kept)
	}

	// Erasing the customer takes their calls' recordings, audio first.
	last := store.CallRecording{CallID: ids.New(), TenantID: a.ID, ConversationID: conv.ID, Consent: "granted", AttachmentID: ids.New(),
		Size: 4, CreatedAt: t0}
	must(t, "insert another", db.InsertCallRecording(ctx, last, "call.wav", "audio/wav", []byte("RIFF")))
	must(t, "erase persona", db.ErasePersona(ctx, a.ID, persona.ID))
	for _, id := range []string{callID, refused.CallID, last.CallID} {
		_, err := db.CallRecording(ctx, a.ID, id)
		wantErr(t, "recording after erasure", err, store.ErrNotFound)
	}
	var left int
	must(t, "count audio", db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE tenant_id = $1 AND id = $2`,
		a.ID, last.AttachmentID).Scan(&left))
	if left != 0 {
		t.Fatal("the recording's audio outlived the erasure")
	}
}
