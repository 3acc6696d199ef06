package speech

import "sync"

// HoldLine is what a caller on hold or waiting in a queue hears: music
// looped, with announcements ("you are third in line") spoken over it when
// given. The music pauses for an announcement and picks up where it left
// off. Say may be called from any goroutine while a room reads frames.
type HoldLine struct {
	mu     sync.Mutex
	music  *Looper
	says   []PCM
	offset int // within says[0]
}

// NewHoldLine plays music (HoldMusic(), usually) until stopped.
func NewHoldLine(music PCM) *HoldLine { return &HoldLine{music: Loop(music)} }

// Say queues an announcement, spoken after any before it.
func (h *HoldLine) Say(p PCM) {
	if len(p) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.says = append(h.says, p)
}

// Pending is how many announcements are queued or being spoken.
func (h *HoldLine) Pending() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.says)
}

// ReadFrame plays the next frame of an announcement, else of the music. A
// frame never mixes the two: an announcement's last frame is padded with
// silence. It never ends.
func (h *HoldLine) ReadFrame(frame []int16) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.says) == 0 {
		return h.music.ReadFrame(frame)
	}
	n := copy(frame, h.says[0][h.offset:])
	clear(frame[n:])
	h.offset += n
	if h.offset >= len(h.says[0]) {
		h.says, h.offset = h.says[1:], 0
	}
	return nil
}
