package outcall

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// line is one answered call's audio: its phone leg in its room, and the
// SIP call that carries it.
type line struct {
	room *media.Room
	leg  *media.Phone
	out  *sip.Outbound
}

// hungUp is closed when the far end hangs up (BYE) or the leg ends.
func (l line) hungUp() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		select {
		case <-l.out.Ended():
		case <-l.legEnded():
		}
		close(done)
	}()
	return done
}

// legEnded drains the leg's events up to its end. Only used while no
// dialogue reads them.
func (l line) legEnded() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for ev := range l.leg.Events() {
			if ev.Type == media.Ended {
				break
			}
		}
		close(done)
	}()
	return done
}

// playback is one sound played into the leg; done closes when it has all
// been played (not when it was stopped).
type playback struct {
	src  speech.AudioSource
	once sync.Once
	done chan struct{}
}

func newPlayback(pcm speech.PCM) *playback {
	return &playback{src: pcm.Source(), done: make(chan struct{})}
}

// ReadFrame plays the sound and marks its end.
func (p *playback) ReadFrame(frame []int16) error {
	err := p.src.ReadFrame(frame)
	if err != nil {
		p.once.Do(func() { close(p.done) })
	}
	return err
}

// converse drives a dialogue on the line until it ends (its last words
// played) or the far end hangs up, and returns how it ended. first is the
// dialogue's Start step with its sounds already rendered (pre), so that the
// caller hears the notice the moment the call is answered. decided, if
// set, is told the end as soon as the dialogue decides it, while its last
// words ("thank you") still play.
func converse(ctx context.Context, l line, d ivr.Dialogue, first ivr.Step, pre speech.PCM,
	sp speech.Speaker, clk clock.Clock, log *slog.Logger, decided func(ivr.End)) ivr.End {
	var (
		cur    *playback
		stop   = func() {}
		queue  []speech.PCM
		timer  *time.Timer
		ending *ivr.End
	)
	defer func() {
		stop()
		if timer != nil {
			timer.Stop()
		}
	}()
	startNext := func() {
		if cur != nil || len(queue) == 0 {
			return
		}
		cur, queue = newPlayback(queue[0]), queue[1:]
		stop = l.room.Play(l.leg, cur)
	}
	apply := func(st ivr.Step, pcm speech.PCM) {
		if st.Interrupt {
			stop()
			cur, queue = nil, nil
		}
		if pcm == nil && len(st.Play) > 0 {
			var err error
			if pcm, err = ivr.Render(ctx, sp, st.Play); err != nil {
				log.Warn("render a prompt; it is skipped", "err", err)
			}
		}
		if len(pcm) > 0 {
			queue = append(queue, pcm)
		}
		if timer != nil {
			timer.Stop()
			timer = nil
		}
		if !st.Until.IsZero() {
			timer = time.NewTimer(max(st.Until.Sub(clk.Now()), 0))
		}
		if st.End != nil && ending == nil {
			ending = st.End
			if decided != nil {
				decided(*ending)
			}
		}
		startNext()
	}
	apply(first, pre)
	ended := l.out.Ended()
	events := l.leg.Events()
	for {
		if ending != nil && cur == nil {
			return *ending
		}
		var played <-chan struct{}
		if cur != nil {
			played = cur.done
		}
		var tick <-chan time.Time
		if timer != nil {
			tick = timer.C
		}
		select {
		case <-played:
			cur = nil
			startNext()
			if cur == nil && ending == nil {
				apply(d.PlayDone(clk.Now()), nil)
			}
		case <-tick:
			timer = nil
			apply(d.Tick(clk.Now()), nil)
		case ev, ok := <-events:
			switch {
			case !ok || ev.Type == media.Ended:
				return hangup(d, clk, ending)
			case ev.Type == media.DTMF:
				apply(d.Digit(clk.Now(), ev.Digit), nil)
			}
		case <-ended:
			return hangup(d, clk, ending)
		case <-ctx.Done():
			return hangup(d, clk, ending)
		}
	}
}

// hangup ends the dialogue because the far end went away; a dialogue that
// had already ended (its last words were playing) keeps its end.
func hangup(d ivr.Dialogue, clk clock.Clock, ending *ivr.End) ivr.End {
	if ending != nil {
		return *ending
	}
	if st := d.Hangup(clk.Now()); st.End != nil {
		return *st.End
	}
	return ivr.End{Reason: ivr.ReasonHangup, Action: ivr.Action{Type: ivr.ActionHangup}}
}
