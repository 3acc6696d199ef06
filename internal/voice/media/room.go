package media

import (
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Room is where a call's legs meet. Who hears whom is the room's matrix, set with Connect.
//
// Audio from a leg is forwarded the moment it arrives to every listener that hears only that
// leg (a two-party call costs no mixing and adds no delay). A listener that hears several legs,
// or has a prompt playing into it, is served by the room's 20 ms mixer, which also feeds
// recordings. The mixer runs only while some listener or recording needs it.
type Room struct {
	srv *Server
	id  string

	mu        sync.RWMutex
	members   map[legImpl]*member
	order     int // connection counter: the latest browser connected to a viewer is the one seen
	players   map[*player]struct{}
	recorders map[*recorder]struct{}
	closed    bool
	tickStop  chan struct{}
	tickDone  chan struct{}
}

type member struct {
	leg   legImpl
	hears map[*member]int // sources this member hears, with the order they were connected in
	mixed bool            // served by the mixer
	// derived from the matrix
	direct  []*member // listeners that get this member's packets as they arrive
	viewers []*member // browsers that see this member's video
	seenBy  *member   // whose video this member sees
	taps    []*tap

	bufMu  sync.Mutex
	buf    []int16 // decoded audio waiting for the mixer
	primed bool    // enough is buffered to ride out arrival jitter
}

func newRoom(s *Server, id string) *Room {
	return &Room{srv: s, id: id, members: map[legImpl]*member{}, players: map[*player]struct{}{}, recorders: map[*recorder]struct{}{}}
}

// ID returns the room's id.
func (r *Room) ID() string { return r.id }

func impl(l Leg) (legImpl, bool) {
	li, ok := l.(legImpl)
	return li, ok
}

// Add puts a leg in the room, hearing nobody and heard by nobody until Connect. A leg is in one
// room at a time: adding it here takes it out of the room it was in.
func (r *Room) Add(l Leg) {
	li, ok := impl(l)
	if !ok || li.base().isClosed() {
		return
	}
	b := li.base()
	b.roomMu.Lock()
	old := b.room
	b.roomMu.Unlock()
	if old != nil && old != r {
		old.Remove(l)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if _, in := r.members[li]; !in {
		r.members[li] = &member{leg: li, hears: map[*member]int{}}
	}
	b.roomMu.Lock()
	b.room = r
	b.roomMu.Unlock()
	r.rebuildLocked()
	r.mu.Unlock()
}

// Remove takes a leg out of the room: nobody hears it, it hears nobody, its taps end and
// prompts playing into it stop. The leg itself stays open.
func (r *Room) Remove(l Leg) {
	li, ok := impl(l)
	if !ok {
		return
	}
	r.mu.Lock()
	m, in := r.members[li]
	if in {
		delete(r.members, li)
		for _, o := range r.members {
			delete(o.hears, m)
		}
		for _, t := range m.taps {
			t.end()
		}
		m.taps = nil
		for p := range r.players {
			if p.to == li {
				delete(r.players, p)
			}
		}
		r.rebuildLocked()
	}
	r.mu.Unlock()
	b := li.base()
	b.roomMu.Lock()
	if b.room == r {
		b.room = nil
	}
	b.roomMu.Unlock()
}

// Connect sets whether `to` hears `from`. Between two browser legs, video follows audio: a
// browser sees the video of the browser it most recently started hearing.
func (r *Room) Connect(from, to Leg, on bool) {
	fi, ok1 := impl(from)
	ti, ok2 := impl(to)
	if !ok1 || !ok2 || fi == ti {
		return
	}
	r.mu.Lock()
	fm, tm := r.members[fi], r.members[ti]
	if fm == nil || tm == nil {
		r.mu.Unlock()
		return
	}
	_, had := tm.hears[fm]
	if on && !had {
		r.order++
		tm.hears[fm] = r.order
	} else if !on {
		delete(tm.hears, fm)
	}
	keyframes := r.rebuildLocked()
	r.mu.Unlock()
	for _, b := range keyframes {
		b.requestKeyframe()
	}
}

// Close empties the room: legs stay open but leave it, prompts and taps end, recordings stop
// taking audio (their stop function still finishes the file). The server forgets the room.
func (r *Room) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	legs := make([]legImpl, 0, len(r.members))
	for l := range r.members {
		legs = append(legs, l)
	}
	r.mu.Unlock()
	for _, l := range legs {
		r.Remove(l)
	}
	r.mu.Lock()
	clear(r.players)
	clear(r.recorders)
	r.rebuildLocked()
	r.mu.Unlock()
	r.waitTicker()
	r.srv.forgetRoom(r)
}

// rebuildLocked derives the forwarding lists from the matrix and starts or stops the mixer.
// It returns the browsers that must be asked for a keyframe because someone new sees them.
func (r *Room) rebuildLocked() []*Browser {
	for _, m := range r.members {
		m.direct, m.viewers = m.direct[:0], m.viewers[:0]
	}
	playing := map[legImpl]bool{}
	for p := range r.players {
		playing[p.to] = true
	}
	var keyframes []*Browser
	needMixer := len(r.recorders) > 0
	for _, m := range r.members {
		m.mixed = len(m.hears) > 1 || playing[m.leg]
		needMixer = needMixer || m.mixed
		if !m.mixed {
			for src := range m.hears {
				src.direct = append(src.direct, m)
			}
		}
		// video: the browser this one most recently started hearing
		var seen *member
		if _, viewer := m.leg.(*Browser); viewer {
			best := 0
			for src, order := range m.hears {
				if _, ok := src.leg.(*Browser); ok && order > best {
					seen, best = src, order
				}
			}
		}
		if seen != nil {
			seen.viewers = append(seen.viewers, m)
			if m.seenBy != seen {
				keyframes = append(keyframes, seen.leg.(*Browser))
			}
		}
		m.seenBy = seen
	}
	if r.closed {
		needMixer = false
	}
	if needMixer && r.tickStop == nil {
		r.tickStop, r.tickDone = make(chan struct{}), make(chan struct{})
		go r.mixLoop(r.tickStop, r.tickDone)
	} else if !needMixer && r.tickStop != nil {
		close(r.tickStop)
		r.tickStop = nil
	}
	return keyframes
}

func (r *Room) waitTicker() {
	r.mu.Lock()
	done := r.tickDone
	r.mu.Unlock()
	if done != nil {
		<-done
	}
}

// The mixer's jitter buffer per leg: it starts taking a leg's audio once two frames wait (the
// packets' arrival is not in phase with the mixer's clock), and keeps at most four (80 ms): a
// leg that sends faster than real time loses its oldest audio rather than falling behind.
const (
	primeBuffered = 2 * FrameSamples
	maxBuffered   = 4 * FrameSamples
)

// audioFrom takes one packet's audio from leg l: forwarded at once to direct listeners,
// decoded for the mixer, taps and recordings when they need it.
func (r *Room) audioFrom(l legImpl, c codec, payload []byte) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m := r.members[l]
	if m == nil {
		return
	}
	for _, d := range m.direct {
		d.leg.base().sendPayload(c, payload)
	}
	if r.tickStop == nil && len(m.taps) == 0 {
		return
	}
	m.bufMu.Lock()
	start := len(m.buf)
	m.buf = c.decode(m.buf, payload)
	for _, t := range m.taps {
		t.push(m.buf[start:])
	}
	if r.tickStop == nil {
		m.buf = m.buf[:0]
	} else if len(m.buf) > maxBuffered {
		m.buf = append(m.buf[:0], m.buf[len(m.buf)-maxBuffered:]...)
	}
	m.bufMu.Unlock()
}

// popFrame takes the next 20 ms of a member's audio for the mixer; nil when none is waiting.
func (m *member) popFrame(dst []int16) []int16 {
	m.bufMu.Lock()
	defer m.bufMu.Unlock()
	if !m.primed && len(m.buf) >= primeBuffered {
		m.primed = true
	}
	if !m.primed {
		return nil
	}
	if len(m.buf) < FrameSamples {
		m.primed = false // underrun: wait for the buffer to refill
		return nil
	}
	dst = append(dst[:0], m.buf[:FrameSamples]...)
	m.buf = append(m.buf[:0], m.buf[FrameSamples:]...)
	return dst
}

// mixLoop is the room's 20 ms clock for mixed listeners, prompts and recordings.
func (r *Room) mixLoop(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(FrameDuration)
	defer t.Stop()
	frames := map[*member][]int16{}
	pool := map[*member][]int16{}
	mix := make([]int32, FrameSamples)
	out := make([]int16, FrameSamples)
	pframe := make([]int16, FrameSamples)
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var finished []*player
		r.mu.RLock()
		clear(frames)
		for _, m := range r.members {
			if f := m.popFrame(pool[m]); f != nil {
				frames[m], pool[m] = f, f
			}
		}
		for _, m := range r.members {
			if !m.mixed {
				continue
			}
			clear(mix)
			for src := range m.hears {
				for i, s := range frames[src] {
					mix[i] += int32(s)
				}
			}
			for p := range r.players {
				if p.to != m.leg {
					continue
				}
				if !p.read(pframe) {
					finished = append(finished, p)
					continue
				}
				for i, s := range pframe {
					mix[i] += int32(s)
				}
			}
			for i, s := range mix {
				out[i] = int16(max(-32768, min(32767, s)))
			}
			m.leg.base().sendPCM(out)
		}
		for rec := range r.recorders {
			rec.frame(func(l legImpl) []int16 {
				if m := r.members[l]; m != nil {
					return frames[m]
				}
				return nil
			})
		}
		for m := range pool {
			if r.members[m.leg] != m {
				delete(pool, m)
			}
		}
		r.mu.RUnlock()
		if len(finished) > 0 {
			r.mu.Lock()
			for _, p := range finished {
				if _, ok := r.players[p]; ok {
					delete(r.players, p)
					p.finish()
				}
			}
			r.rebuildLocked()
			r.mu.Unlock()
		}
	}
}

// videoFrom forwards a browser's video packet to the browsers that see it.
func (r *Room) videoFrom(b *Browser, src *webrtc.TrackRemote, slot int, p *rtp.Packet) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m := r.members[b]
	if m == nil {
		return
	}
	for _, v := range m.viewers {
		if vb, ok := v.leg.(*Browser); ok {
			vb.sendVideo(src, slot, p)
		}
	}
}

// videoStarted is called when a browser's video begins: its viewers need a keyframe.
func (r *Room) videoStarted(b *Browser) {
	r.mu.RLock()
	m := r.members[b]
	has := m != nil && len(m.viewers) > 0
	r.mu.RUnlock()
	if has {
		b.requestKeyframe()
	}
}

// keyframeWanted passes a viewer's picture loss on to the browser it sees.
func (r *Room) keyframeWanted(viewer *Browser) {
	r.mu.RLock()
	m := r.members[viewer]
	var src *Browser
	if m != nil && m.seenBy != nil {
		src, _ = m.seenBy.leg.(*Browser)
	}
	r.mu.RUnlock()
	if src != nil {
		src.requestKeyframe()
	}
}
