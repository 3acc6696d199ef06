package speech

import "io"

// AudioSource gives audio one frame at a time: it fills frame (160 samples,
// 20 ms at 8 kHz) and returns io.EOF once nothing is left. It has the method
// set of media.AudioSource, so a room plays these without this package
// importing media.
type AudioSource interface {
	ReadFrame(frame []int16) error
}

// Reader plays a PCM once. The last frame is padded with silence.
type Reader struct {
	pcm PCM
	pos int
}

// Source plays p once.
func (p PCM) Source() *Reader { return &Reader{pcm: p} }

// ReadFrame fills frame with the next samples, or returns io.EOF.
func (r *Reader) ReadFrame(frame []int16) error {
	if r.pos >= len(r.pcm) {
		return io.EOF
	}
	n := copy(frame, r.pcm[r.pos:])
	clear(frame[n:])
	r.pos += n
	return nil
}

// Looper plays a PCM over and over; it never ends (stop it by stopping the
// playback).
type Looper struct {
	pcm PCM
	pos int
}

// Loop plays p forever. An empty p plays silence.
func Loop(p PCM) *Looper { return &Looper{pcm: p} }

// ReadFrame fills frame, wrapping round to the start.
func (l *Looper) ReadFrame(frame []int16) error {
	if len(l.pcm) == 0 {
		clear(frame)
		return nil
	}
	for i := range frame {
		frame[i] = l.pcm[l.pos]
		l.pos = (l.pos + 1) % len(l.pcm)
	}
	return nil
}

// Sequence plays sources one after another and ends when the last ends.
type Sequence struct {
	srcs []AudioSource
}

// Then plays srcs in order (a prompt, then a beep).
func Then(srcs ...AudioSource) *Sequence { return &Sequence{srcs: srcs} }

// ReadFrame reads from the current source, moving on at its end. A frame
// never mixes two sources: the tail of one is padded with silence.
func (s *Sequence) ReadFrame(frame []int16) error {
	for len(s.srcs) > 0 {
		err := s.srcs[0].ReadFrame(frame)
		if err != io.EOF {
			return err
		}
		s.srcs = s.srcs[1:]
	}
	return io.EOF
}
