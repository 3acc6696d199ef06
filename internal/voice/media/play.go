package media

import (
	"sync"
)

// AudioSource gives 20 ms frames of 8 kHz mono PCM (160 samples) for Play. ReadFrame returns
// io.EOF when the source is done; any other error ends the playback too. It is called from the
// room's 20 ms mixer and must not block (render speech ahead, then hand out frames).
type AudioSource interface {
	ReadFrame(frame []int16) error
}

type player struct {
	to   legImpl
	src  AudioSource
	once sync.Once
	done chan struct{}
}

func (p *player) read(frame []int16) bool {
	clear(frame)
	return p.src.ReadFrame(frame) == nil
}

func (p *player) finish() { p.once.Do(func() { close(p.done) }) }

// Play plays src into leg `to`, mixed with whatever else `to` hears, paced at 20 ms per frame
// (prompts, hold music, speech). It ends when src returns an error (io.EOF) or stop is called;
// stop may be called more than once and after the end.
func (r *Room) Play(to Leg, src AudioSource) (stop func()) {
	p := &player{src: src, done: make(chan struct{})}
	li, ok := impl(to)
	if !ok {
		p.finish()
		return func() {}
	}
	p.to = li
	r.mu.Lock()
	if r.closed || r.members[li] == nil {
		r.mu.Unlock()
		p.finish()
		return func() {}
	}
	r.players[p] = struct{}{}
	r.rebuildLocked()
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		if _, ok := r.players[p]; ok {
			delete(r.players, p)
			r.rebuildLocked()
		}
		r.mu.Unlock()
		p.finish()
	}
}

// tap hands a leg's audio out in 20 ms frames; it never blocks media: a reader that falls
// more than a second behind loses frames.
type tap struct {
	mu      sync.Mutex
	ch      chan []int16
	pending []int16
	ended   bool
}

func (t *tap) push(pcm []int16) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		return
	}
	t.pending = append(t.pending, pcm...)
	for len(t.pending) >= FrameSamples {
		f := make([]int16, FrameSamples)
		copy(f, t.pending)
		t.pending = append(t.pending[:0], t.pending[FrameSamples:]...)
		select {
		case t.ch <- f:
		default:
		}
	}
}

func (t *tap) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ended {
		t.ended = true
		close(t.ch)
	}
}

// Tap gives what leg `from` says, as 20 ms frames of 8 kHz PCM, until stop is called or the leg
// leaves the room (then the channel is closed).
func (r *Room) Tap(from Leg) (frames <-chan []int16, stop func()) {
	t := &tap{ch: make(chan []int16, 50)}
	li, ok := impl(from)
	r.mu.Lock()
	m := r.members[li]
	if !ok || r.closed || m == nil {
		r.mu.Unlock()
		t.end()
		return t.ch, func() {}
	}
	m.taps = append(m.taps, t)
	r.mu.Unlock()
	return t.ch, func() {
		r.mu.Lock()
		if m := r.members[li]; m != nil {
			for i, x := range m.taps {
				if x == t {
					m.taps = append(m.taps[:i], m.taps[i+1:]...)
					break
				}
			}
		}
		r.mu.Unlock()
		t.end()
	}
}
