package calls_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// TestPhoneCallerAnswersRecordingOnKeypad: under "ask", baresip (a real SIP
// phone) calls the tenant's number; an agent takes the call in a Pion
// WebRTC client and hears the caller's 440 Hz; the question is pending
// ("asked") until the caller presses a key (RFC 4733). A key that is no
// answer (5) changes nothing; 1 agrees — the call is recorded (the caller
// on channel 1, the agent on channel 2) and the ledger says granted via
// the keypad; on a second call 2 refuses — nothing is recorded and the
// ledger says refused. A third caller's phone sends no RFC 4733 events: it
// plays the tones of key 2 once a second (in-band), ignored until the
// question is asked and then heard as the refusal.
func TestPhoneCallerAnswersRecordingOnKeypad(t *testing.T) {
	c := newCenter(t, func(cfg *config.Config) {
		cfg.SIPListen = "127.0.0.1:0"
		cfg.OutboundAllow = "127.0.0.0/8" // baresip's Contact and RTP are on loopback
	})
	if c.n.app.SIP == nil {
		t.Fatal("--sip-listen given, and the node has no SIP server")
	}
	ctx := context.Background()
	db := c.n.app.DB
	tenantID := c.ana.user.TenantID
	const number = "+15550100"
	c.admin.do("POST", "/api/v1/phone/trunks", map[string]any{"name": "Main line", "accept_from": []string{"127.0.0.1"},
		"numbers": []map[string]any{{"number": number, "queue_id": c.queue}}}, nil, 201)
	c.admin.do("PUT", "/api/v1/settings/recording", map[string]any{"mode": "ask", "retention_days": 30}, nil, 200)

	for _, tc := range []struct {
		caller string
		keys   []rune
		inBand bool // key 2's tones in the caller's audio, once a second
		want   string
	}{
		{"+15550121", []rune{'5', '1'}, false, "granted"},
		{"+15550122", []rune{'2'}, false, "refused"},
		{"+15550123", nil, true, "refused"},
	} {
		o := baresiptest.Options{User: tc.caller}
		if tc.inBand {
			o.AudioFile = keyTones(t, 697, 1336)
		}
		phone := baresiptest.Start(t, o)
		if err := phone.Dial("sip:" + number + "@" + c.n.app.SIP.UDPAddr()); err != nil {
			t.Fatal(err)
		}
		phone.WaitEvent("CALL_ESTABLISHED")
		who, ring := rungForAny(t, c.ana, c.ben)
		callID, conv := ring["call_id"].(string), ring["conversation_id"].(string)
		who.do("POST", "/api/v1/offers/"+ring["offer_id"].(string)+"/accept", nil, nil, 204)
		who.sig.state("connecting")
		desk := dial(t, who.sig, callID, 1000)
		for f := who.sig.state("active"); f["recording"] != "asked"; f = who.sig.state("active") {
		}
		if !tc.inBand {
			desk.hears(t, who.user.Name, 440) // the caller, through the server
		}

		for _, k := range tc.keys {
			if err := phone.SendDTMF(k); err != nil {
				t.Fatal(err)
			}
		}
		f := who.sig.state("active")
		for ; f["recording"] == "asked"; f = who.sig.state("active") {
		}
		if f["recording"] != tc.want {
			t.Fatalf("%s pressed %q: the call's recording is %v, want %s", tc.caller, string(tc.keys), f["recording"], tc.want)
		}
		if tc.want == "granted" {
			time.Sleep(2 * time.Second) // two seconds of conversation to record
		}
		who.do("POST", "/api/v1/calls/"+callID+"/hangup", nil, nil, 200)
		phone.WaitEvent("CALL_CLOSED")

		rec := waitRecording(t, db, tenantID, callID)
		if rec.Consent != tc.want {
			t.Fatalf("recording row %+v, want consent %s", rec, tc.want)
		}
		if tc.want == "granted" {
			if rec.AttachmentID == "" || rec.Seconds < 1 {
				t.Fatalf("recording row %+v", rec)
			}
			wav := get(t, who, "/api/v1/calls/"+callID+"/recording", 200)
			if len(wav) < 44 || binary.LittleEndian.Uint16(wav[22:]) != 2 {
				t.Fatalf("not a 2-channel WAV: %d bytes", len(wav))
			}
			chans := deinterleave(wav[44:], 2)
			for i, want := range []float64{440, 1000} {
				s := chans[i]
				if len(s) < 8000 {
					t.Fatalf("channel %d holds %d samples", i+1, len(s))
				}
				f, rms := analyse(s[len(s)-8000:])
				if rms < 1000 || math.Abs(f-want) > want*0.06 {
					t.Errorf("channel %d: %.0f Hz at RMS %.0f, want %.0f Hz", i+1, f, rms, want)
				}
			}
			timelineHas(t, c, conv, "The customer agreed to the call being recorded", "Call recorded (0:0")
		} else {
			if rec.AttachmentID != "" || rec.Size != 0 {
				t.Fatalf("refused call's row %+v", rec)
			}
			c.admin.do("GET", "/api/v1/calls/"+callID+"/recording", nil, nil, 404)
			timelineHas(t, c, conv, "The customer refused the call being recorded")
		}

		// The caller's ledger: one answer, from the customer, via the keypad.
		cv, err := db.Conversation(ctx, tenantID, conv)
		if err != nil {
			t.Fatal(err)
		}
		if cv.PersonaID == "" {
			t.Fatalf("the phone call's conversation has no persona: %+v", cv)
		}
		ledger, err := db.ConsentRecords(ctx, tenantID, cv.PersonaID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ledger) != 1 || ledger[0].Scope != recording.Scope || ledger[0].Granted != (tc.want == "granted") ||
			ledger[0].Source != "customer" || !strings.Contains(ledger[0].Note, "(keypad)") || !strings.Contains(ledger[0].Note, callID) {
			t.Fatalf("%s's ledger: %+v", tc.caller, ledger)
		}
		noCallWork(t, c, conv)
	}
}

// rungForAny waits until one of the agents' feeds rings for a call, any
// call: a phone call's id is not known before it rings.
func rungForAny(t testing.TB, agents ...*agent) (*agent, map[string]any) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, a := range agents {
			select {
			case f, ok := <-a.sig.frames:
				if !ok {
					t.Fatalf("%s: feed closed", a.user.Name)
				}
				if f["type"] == "call.state" && f["state"] == "ringing" && f["offer_id"] != nil {
					return a, f
				}
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	t.Fatalf("no agent was rung within %s", wait)
	return nil, nil
}

// keyTones writes a WAV (8 kHz, 16-bit mono) of a key's tone pair (row and
// column Hz) for 120 ms once a second, for 90 seconds: a phone pressing
// the key in-band, over and over.
func keyTones(t testing.TB, row, col float64) string {
	t.Helper()
	const rate, secs = 8000, 90
	pcm := make([]byte, 0, rate*secs*2)
	for i := 0; i < rate*secs; i++ {
		var v float64
		if i%rate < rate*120/1000 {
			x := float64(i) / rate
			v = 0.3*math.Sin(2*math.Pi*row*x) + 0.3*math.Sin(2*math.Pi*col*x)
		}
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(v*math.MaxInt16)))
	}
	h := make([]byte, 44)
	copy(h, "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(pcm)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], 1) // mono
	binary.LittleEndian.PutUint32(h[24:], rate)
	binary.LittleEndian.PutUint32(h[28:], rate*2)
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(pcm)))
	path := filepath.Join(t.TempDir(), "key.wav")
	if err := os.WriteFile(path, append(h, pcm...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
