package phone

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// recorder is what a voicemail dialogue needs beyond the Dialogue: the
// energy of each frame the caller says while recording, and where the
// recording goes.
type recorder struct {
	audio func(now time.Time, energy float64) ivr.Step
	start func(room *media.Room, leg *media.Phone)
}

// run drives a dialogue on the phone leg in a room of its own: its prompts
// rendered and played, the caller's keys from RFC 4733 events (or, for a
// phone that sends none, the in-band detector on what the caller says), its
// ticks on timers. It returns how the dialogue ended once the last words
// were said, or gone when the caller hung up first.
func (s *Service) run(ctx context.Context, c *sip.Inbound, leg *media.Phone, d ivr.Dialogue, rec *recorder) (end *ivr.End, gone bool) {
	room := s.media.Room("ivr." + leg.ID())
	defer room.Close()
	room.Add(leg)
	frames, stopTap := room.Tap(leg)
	defer stopTap()
	out := newPlayout()
	stopPlay := room.Play(leg, out)
	defer stopPlay()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var det speech.DTMFDetector
	rfc4733 := false
	var finalBy time.Time // the last words' deadline once the dialogue ended

	apply := func(st ivr.Step) {
		now := s.clock.Now()
		if st.Interrupt {
			out.clear()
		}
		if len(st.Play) > 0 {
			pcm, err := ivr.Render(ctx, s.speaker, st.Play)
			if err != nil {
				s.log.Warn("phone prompt", "err", err)
			}
			out.add(pcm)
		}
		if st.Record && rec != nil {
			rec.start(room, leg)
		}
		if !st.Until.IsZero() {
			timer.Reset(max(st.Until.Sub(now), time.Millisecond))
		}
		if st.End != nil && end == nil {
			end = st.End
			finalBy = now.Add(out.left() + 2*time.Second)
			timer.Reset(max(finalBy.Sub(now), time.Millisecond))
		}
	}
	apply(d.Start(s.clock.Now()))
	events := leg.Events()
	for {
		if end != nil && (!out.busy() || !s.clock.Now().Before(finalBy)) {
			return end, false
		}
		select {
		case <-ctx.Done():
			d.Hangup(s.clock.Now())
			return nil, true
		case ev, ok := <-events:
			if !ok || ev.Type == media.Ended {
				d.Hangup(s.clock.Now())
				return nil, true
			}
			if ev.Type == media.DTMF && end == nil {
				rfc4733 = true
				apply(d.Digit(s.clock.Now(), ev.Digit))
			}
		case f, ok := <-frames:
			if !ok {
				frames = nil
				continue
			}
			if end != nil {
				continue
			}
			if rec != nil {
				apply(rec.audio(s.clock.Now(), rms(f)))
			}
			if !rfc4733 && end == nil {
				if k, ok := det.Feed(f); ok {
					apply(d.Digit(s.clock.Now(), k))
				}
			}
		case <-out.drained:
			if end == nil {
				apply(d.PlayDone(s.clock.Now()))
			}
		case <-timer.C:
			if end == nil {
				apply(d.Tick(s.clock.Now()))
			}
		}
	}
}

func rms(f []int16) float64 {
	var sum float64
	for _, v := range f {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum/float64(max(len(f), 1))) / math.MaxInt16
}

// playout is what a dialogue says, as one endless source in the room: the
// prompts queued, silence between them. drained is signalled when what was
// queued has been played out (a dialogue's PlayDone).
type playout struct {
	mu      sync.Mutex
	pcm     []int16
	pos     int
	drained chan struct{}
}

func newPlayout() *playout { return &playout{drained: make(chan struct{}, 1)} }

func (p *playout) add(pcm speech.PCM) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pos >= len(p.pcm) {
		p.pcm, p.pos = nil, 0
		p.forget()
	}
	p.pcm = append(p.pcm, pcm...)
	if len(p.pcm) == 0 {
		p.signal() // nothing to say: played at once
	}
}

// clear stops what is playing (a key barged in); no PlayDone follows.
func (p *playout) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pcm, p.pos = nil, 0
	p.forget()
}

func (p *playout) busy() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pos < len(p.pcm)
}

func (p *playout) left() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Duration(len(p.pcm)-p.pos) * time.Second / speech.Rate
}

func (p *playout) signal() {
	select {
	case p.drained <- struct{}{}:
	default:
	}
}

// forget drops a drained signal not yet taken: it was about sounds that
// are gone.
func (p *playout) forget() {
	select {
	case <-p.drained:
	default:
	}
}

// ReadFrame plays the next frame, or silence; it never ends.
func (p *playout) ReadFrame(frame []int16) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pos >= len(p.pcm) {
		clear(frame)
		return nil
	}
	n := copy(frame, p.pcm[p.pos:])
	clear(frame[n:])
	p.pos += n
	if p.pos >= len(p.pcm) {
		p.signal()
	}
	return nil
}
