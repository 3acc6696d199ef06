package calls

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/voice/recording"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// A phone caller answers the recording question (ADR 0043, mode "ask") on
// the keypad: 1 agrees, 2 refuses — the same answer as the widget's
// buttons, written to the consent ledger "via keypad". Keys count only
// while the question is pending; before it, after it and under the other
// modes they change nothing (a key pressed to an IVR after the call was
// answered is no answer to a question nobody asked).
//
// The keys arrive as RFC 4733 events on the phone leg (LegKey) or, for a
// phone that sends none, from the in-band detector on what the caller says
// (keypadInBand), as in the number's keypad menu.

// recordingKeyAnswer is what a key means for the recording question: agree,
// and whether it is an answer at all.
func recordingKeyAnswer(key rune) (agree, ok bool) {
	switch key {
	case '1':
		return true, true
	case '2':
		return false, true
	}
	return false, false
}

// recordingKey applies a key the customer's phone leg pressed; how says
// how it was heard (rfc4733, in-band), for the log. It reports whether the
// question is still pending afterwards.
func (s *Service) recordingKey(ctx context.Context, l *live, key rune, how string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done || l.recording == nil || l.recording.consent != recording.Asked {
		return false
	}
	agree, ok := recordingKeyAnswer(key)
	if !ok {
		return true
	}
	st, err := recording.OnAnswer(l.recording.policy, l.recording.consent, agree)
	if err != nil {
		s.log.Warn("recording answer on the keypad", "call_id", l.rec.ID, "err", err)
		return false
	}
	s.log.Info("recording answered on the keypad", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "key", string(key), "heard", how)
	s.recordStep(ctx, l, st, recording.ViaKeypad)
	s.broadcast(l)
	return false
}

// keypadInBand listens for keys in what a phone caller says while the
// recording question is pending, for phones that send no RFC 4733 events.
// It stops once the question is answered, the call ends, or the phone sends
// an RFC 4733 event (then the leg's events carry the keys). l.mu is held.
func (s *Service) keypadInBand(l *live) {
	pl, isPhone := l.cust.(*phoneLeg)
	rm, isRoom := l.room.(room)
	if !isPhone || !isRoom || l.recording == nil || l.recording.consent != recording.Asked {
		return
	}
	frames, stop := rm.r.Tap(pl.p)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer stop()
		var det speech.DTMFDetector
		n := 0
		for f := range frames {
			if pl.rfc4733.Load() {
				return
			}
			if k, ok := det.Feed(f); ok {
				if !s.recordingKey(context.Background(), l, k, "in-band") {
					return
				}
			}
			if n++; n%25 == 0 && !s.stillAsked(l) { // twice a second
				return
			}
		}
	}()
}

// stillAsked reports whether the call's recording question is pending.
func (s *Service) stillAsked(l *live) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.done && l.recording != nil && l.recording.consent == recording.Asked
}
