package calls_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
)

// TestCallRecording: under "announce" a call is recorded — the WAV holds
// the customer's 440 Hz on channel 1 and the agent's 1000 Hz on channel 2 —
// the announcement is in the customer's consent ledger with the call and
// conversation, only the call's agent and supervisors hear it, and the
// retention job (its clock moved a month on) deletes it and says so on the
// timeline. Under "ask", a customer who refuses is not recorded and the
// ledger says so.
func TestCallRecording(t *testing.T) {
	c := newCenter(t)
	ctx := context.Background()
	db := c.n.app.DB
	tenantID := c.ana.user.TenantID
	var pol map[string]any
	c.admin.do("PUT", "/api/v1/settings/recording", map[string]any{"mode": "sometimes"}, nil, 422)
	c.ana.do("PUT", "/api/v1/settings/recording", map[string]any{"mode": "announce"}, nil, 403) // admins set it
	c.admin.do("PUT", "/api/v1/settings/recording", map[string]any{"mode": "announce", "retention_days": 30}, &pol, 200)
	if pol["mode"] != "announce" || pol["retention_days"] != float64(30) {
		t.Fatalf("policy stored as %v", pol)
	}

	cust, conv := c.customer(t)
	callID, who, customer, desk := connect(t, c, cust)
	// The frame that makes the call active comes before the policy's step.
	for f := cust.state("active"); f["recording"] != "announced"; f = cust.state("active") {
	}
	desk.hears(t, who.user.Name, 440)
	customer.hears(t, "customer", 1000)
	time.Sleep(2 * time.Second) // two seconds of conversation to record
	who.do("POST", "/api/v1/calls/"+callID+"/hangup", nil, nil, 200)
	rec := waitRecording(t, db, tenantID, callID)
	if rec.Consent != "announced" || rec.AttachmentID == "" || rec.Seconds < 1 {
		t.Fatalf("recording row %+v", rec)
	}

	// Who hears it: the call's agent and the admin; not the other agent,
	// and not through the general attachment route.
	other := c.ana
	if who == c.ana {
		other = c.ben
	}
	other.do("GET", "/api/v1/calls/"+callID+"/recording", nil, nil, 404)
	c.admin.do("GET", "/api/v1/attachments/"+rec.AttachmentID, nil, nil, 404)
	wav := get(t, who, "/api/v1/calls/"+callID+"/recording", 200)
	if len(wav) < 44 || binary.LittleEndian.Uint16(wav[22:]) != 2 || binary.LittleEndian.Uint32(wav[24:]) != 8000 {
		t.Fatalf("not a 2-channel 8 kHz WAV: %d bytes", len(wav))
	}
	chans := deinterleave(wav[44:], 2)
	for i, want := range []float64{440, 1000} {
		s := chans[i]
		if len(s) < 8000 {
			t.Fatalf("channel %d holds %d samples", i+1, len(s))
		}
		f, rms := analyse(s[len(s)-8000:]) // the last second
		if rms < 1000 || math.Abs(f-want) > want*0.06 {
			t.Errorf("channel %d: %.0f Hz at RMS %.0f, want %.0f Hz", i+1, f, rms, want)
		}
	}
	c.admin.do("GET", "/api/v1/calls/"+callID+"/recording", nil, nil, 200)

	// The ledger: the announcement, with the call and the conversation.
	cv, err := db.Conversation(ctx, tenantID, conv)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := db.ConsentRecords(ctx, tenantID, cv.PersonaID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 1 || ledger[0].Scope != recording.Scope || !ledger[0].Granted || ledger[0].Source != "announcement" ||
		!strings.Contains(ledger[0].Note, callID) || !strings.Contains(ledger[0].Note, conv) {
		t.Fatalf("ledger after the announced call: %+v", ledger)
	}
	timelineHas(t, c, conv, "Call recording announced to the customer", "Call recorded (0:0")

	// Retention: a day short of it nothing goes; past it the audio is deleted.
	fake := clock.NewFake(rec.CreatedAt.Add(29 * 24 * time.Hour))
	purger := recording.NewPurger(db, outbox.New(db, c.n.app.Bus, fake, nil), fake, nil)
	if n, err := purger.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("purge at 29 days: %d, %v", n, err)
	}
	who.do("GET", "/api/v1/calls/"+callID+"/recording", nil, nil, 200)
	fake.Advance(24 * time.Hour)
	if n, err := purger.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("purge at 30 days: %d, %v", n, err)
	}
	who.do("GET", "/api/v1/calls/"+callID+"/recording", nil, nil, 404)
	if r, err := db.CallRecording(ctx, tenantID, callID); err != nil || r.DeletedAt.IsZero() {
		t.Fatalf("after retention: %+v, %v", r, err)
	}
	if _, _, err := db.Attachment(ctx, tenantID, rec.AttachmentID); err == nil {
		t.Fatal("the audio is still stored")
	}
	timelineHas(t, c, conv, "Call recording deleted after 30 days")
	// The job's run: nothing left to delete, and it comes back in an hour.
	var snooze *rivertype.JobSnoozeError
	if err := purger.Work(ctx, &river.Job[recording.PurgeArgs]{JobRow: &rivertype.JobRow{}}); !errors.As(err, &snooze) || snooze.Duration != recording.PurgeEvery {
		t.Fatalf("the retention job's run: %v, want a snooze of %s", err, recording.PurgeEvery)
	}
	// The node scheduled the one retention job when it started serving.
	deadline := time.Now().Add(wait)
	for {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'call_recording_purge'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d retention jobs scheduled, want 1", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	noCallWork(t, c, conv)

	// Ask, and the customer refuses: nothing is recorded.
	c.admin.do("PUT", "/api/v1/settings/recording", map[string]any{"mode": "ask", "retention_days": 30}, nil, 200)
	callID, who, _, _ = connect(t, c, cust)
	for f := cust.state("active"); f["recording"] != "asked"; f = cust.state("active") {
	}
	cust.send(map[string]any{"type": "call.recording", "call_id": callID, "consent": false})
	for f := cust.state("active"); f["recording"] != "refused"; f = cust.state("active") {
	}
	who.do("POST", "/api/v1/calls/"+callID+"/hangup", nil, nil, 200)
	rec = waitRecording(t, db, tenantID, callID)
	if rec.Consent != "refused" || rec.AttachmentID != "" || rec.Size != 0 {
		t.Fatalf("refused call's row %+v", rec)
	}
	c.admin.do("GET", "/api/v1/calls/"+callID+"/recording", nil, nil, 404)
	ledger, _ = db.ConsentRecords(ctx, tenantID, cv.PersonaID)
	if last := ledger[len(ledger)-1]; len(ledger) != 2 || last.Granted || last.Source != "customer" || !strings.Contains(last.Note, callID) {
		t.Fatalf("ledger after the refusal: %+v", ledger)
	}
	timelineHas(t, c, conv, "The customer refused the call being recorded")
}

// connect starts an audio call from the customer, has whoever is rung take
// it, and waits until both sides hear each other: the customer plays
// 440 Hz, the agent 1000 Hz.
func connect(t *testing.T, c *center, cust *signal) (string, *agent, *peer, *peer) {
	t.Helper()
	cust.send(map[string]any{"type": "call.start", "media": "audio"})
	callID := cust.state("queued", "ringing")["call_id"].(string)
	customer := dial(t, cust, callID, 440)
	who, ring := firstRung(t, callID, c.ana, c.ben)
	who.do("POST", "/api/v1/offers/"+ring["offer_id"].(string)+"/accept", nil, nil, 204)
	who.sig.state("connecting")
	desk := dial(t, who.sig, callID, 1000)
	who.sig.state("active")
	return callID, who, customer, desk
}

func waitRecording(t *testing.T, db *store.DB, tenantID, callID string) store.CallRecording {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		r, err := db.CallRecording(context.Background(), tenantID, callID)
		if err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recording row for call %s within %s: %v", callID, wait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(t *testing.T, a *agent, path string, want int) []byte {
	t.Helper()
	resp, err := a.http.Get(a.n.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, want)
	}
	if want == http.StatusOK && resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("GET %s: content type %q", path, resp.Header.Get("Content-Type"))
	}
	return b
}

func deinterleave(data []byte, n int) [][]int16 {
	out := make([][]int16, n)
	for i := 0; i+2*n <= len(data); i += 2 * n {
		for ch := 0; ch < n; ch++ {
			out[ch] = append(out[ch], int16(binary.LittleEndian.Uint16(data[i+2*ch:])))
		}
	}
	return out
}

func timelineHas(t *testing.T, c *center, conv string, want ...string) {
	t.Helper()
	var msgs struct {
		Items []struct {
			Body string
			Meta json.RawMessage
		}
	}
	c.admin.do("GET", "/api/v1/conversations/"+conv+"/messages", nil, &msgs, 200)
	var all []string
	for _, m := range msgs.Items {
		all = append(all, m.Body)
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(all, "\n"), w) {
			t.Errorf("the timeline lacks %q:\n%s", w, strings.Join(all, "\n"))
		}
	}
}
