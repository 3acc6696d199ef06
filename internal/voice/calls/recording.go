package calls

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/switchboard-cx/switchboard/internal/voice/call"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
)

// Recorder is how calls are recorded under their tenant's policy (ADR
// 0043): *recording.Service.
type Recorder interface {
	Policy(ctx context.Context, tenantID string) (recording.Policy, error)
	WriteConsent(ctx context.Context, c recording.Call, what recording.Consent, via string) error
	Store(ctx context.Context, c recording.Call, what recording.Consent, wav []byte, seconds, retentionDays int) error
	StoreRefused(ctx context.Context, c recording.Call) error
}

// recState is a call's recording: the policy it began under, the consent
// so far, and the parts recorded (one per agent leg: a transfer starts a
// new part). Guarded by the call's l.mu.
type recState struct {
	policy  recording.Policy
	consent recording.Consent
	parts   []*recPart
	agent   Leg // the agent leg the last part records
	running bool
}

type recPart struct {
	f    *os.File
	stop func() error
}

func (r *recState) info(l *live) recording.Call {
	return recording.Call{ID: l.rec.ID, TenantID: l.rec.TenantID, ConversationID: l.rec.ConversationID, AgentID: l.rec.AgentID}
}

// recordOnChange follows the call into active: the first time, the
// tenant's policy decides (announce and record, ask, or nothing); after a
// transfer, the new agent's leg is recorded in a new part. l.mu is held.
func (s *Service) recordOnChange(ctx context.Context, l *live) {
	if s.recorder == nil || l.rec.State != call.Active || l.room == nil || l.cust == nil || l.agent == nil {
		return
	}
	if l.recording == nil {
		p, err := s.recorder.Policy(ctx, l.rec.TenantID)
		if err != nil {
			s.log.Warn("recording policy; the call is not recorded", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "err", err)
			return
		}
		l.recording = &recState{policy: p}
		if p.Mode == recording.Off {
			return
		}
		s.recordStep(ctx, l, recording.OnActive(p), recording.ViaPrompt)
		// A phone caller answers on the keypad (keypad.go).
		s.keypadInBand(l)
		s.broadcast(l) // the customer learns she is asked, or told
		return
	}
	if r := l.recording; r.running && r.agent != l.agent {
		s.startPart(l)
	}
}

// recordStep carries out one step of the recording's core. l.mu is held.
func (s *Service) recordStep(ctx context.Context, l *live, st recording.Step, via string) {
	r := l.recording
	if st.Say != "" {
		s.say(l, st.Say)
	}
	if st.Ledger != "" {
		if err := s.recorder.WriteConsent(ctx, r.info(l), st.Ledger, via); err != nil {
			s.log.Error("write recording consent", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "err", err)
		}
	}
	if st.Start {
		r.running = true
		s.startPart(l)
	}
	if st.Stop {
		r.running = false
		stopParts(r, st.Discard)
	}
	r.consent = st.Now
}

// startPart ends the part being recorded, if any, and records the room's
// customer and agent legs (channels 1 and 2) into a new one. l.mu is held.
func (s *Service) startPart(l *live) {
	r := l.recording
	if n := len(r.parts); n > 0 {
		r.parts[n-1].stop()
	}
	f, err := os.CreateTemp("", "call-recording-*.wav")
	if err != nil {
		s.log.Error("recording: temporary file", "call_id", l.rec.ID, "err", err)
		return
	}
	r.agent = l.agent
	r.parts = append(r.parts, &recPart{f: f, stop: l.room.Record(f, l.cust, l.agent)})
}

// stopParts ends the recording; discard throws its parts away.
func stopParts(r *recState, discard bool) {
	for _, p := range r.parts {
		p.stop()
	}
	if discard {
		for _, p := range r.parts {
			p.f.Close()
			os.Remove(p.f.Name())
		}
		r.parts = nil
	}
}

// say plays a prompt to the customer; it is rendered off the call's lock.
func (s *Service) say(l *live, text string) {
	if s.cfg.Speak == nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		src, err := s.cfg.Speak(context.Background(), text)
		if err != nil {
			s.log.Warn("recording prompt", "call_id", l.rec.ID, "err", err)
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if !l.done && l.room != nil && l.cust != nil {
			l.room.Play(l.cust, src)
		}
	}()
}

// recordingAnswer is the customer's answer to the recording question (or
// her refusal of an announced recording).
func (s *Service) recordingAnswer(ctx context.Context, l *live, agree *bool, via string) error {
	if agree == nil {
		return fmt.Errorf("%w: consent: true (agree) or false (refuse) is required", ErrInvalid)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return fmt.Errorf("call %s has ended: %w", l.rec.ID, errConflict)
	}
	if l.recording == nil {
		return fmt.Errorf("%w: consent: this call is not recorded", ErrInvalid)
	}
	st, err := recording.OnAnswer(l.recording.policy, l.recording.consent, *agree)
	if err != nil {
		return fmt.Errorf("%w: consent: %v", ErrInvalid, err)
	}
	before := l.recording.consent
	s.recordStep(ctx, l, st, via)
	if l.recording.consent != before {
		s.broadcast(l)
	}
	return nil
}

// finishRecording ends the call's recording and stores it — or the
// refusal — in the background. l.mu is held.
func (s *Service) finishRecording(l *live) {
	r := l.recording
	l.recording = nil
	if r == nil || r.policy.Mode == recording.Off {
		return
	}
	stopParts(r, false)
	info := r.info(l)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx := context.Background()
		defer stopParts(r, true)
		switch {
		case r.consent == recording.Refused:
			if err := s.recorder.StoreRefused(ctx, info); err != nil {
				s.log.Error("store recording refusal", "tenant_id", info.TenantID, "call_id", info.ID, "err", err)
			}
		case recording.Keep(r.consent) && len(r.parts) > 0:
			var wavs [][]byte
			for _, p := range r.parts {
				if _, err := p.f.Seek(0, io.SeekStart); err != nil {
					s.log.Error("read recording", "call_id", info.ID, "err", err)
					return
				}
				b, err := io.ReadAll(p.f)
				if err != nil {
					s.log.Error("read recording", "call_id", info.ID, "err", err)
					return
				}
				wavs = append(wavs, b)
			}
			wav, secs, err := recording.JoinWAV(wavs)
			if err == nil {
				err = s.recorder.Store(ctx, info, r.consent, wav, secs, r.policy.RetentionDays)
			}
			if err != nil {
				s.log.Error("store recording", "tenant_id", info.TenantID, "call_id", info.ID, "err", err)
			}
		}
	}()
}

// recordingOf is the call's recording consent for its state frame.
func recordingOf(l *live) string {
	if l.recording == nil {
		return ""
	}
	return string(l.recording.consent)
}
