package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// recorder writes one WAV channel per leg, 8 kHz 16-bit, a frame every 20 ms of the mixer.
type recorder struct {
	mu      sync.Mutex
	w       io.WriteSeeker
	bw      *bufio.Writer
	legs    []legImpl
	samples int64
	err     error
	buf     []byte
}

const wavHeaderSize = 44

func writeWAVHeader(w io.Writer, channels int, samples int64) error {
	data := samples * int64(channels) * 2
	h := make([]byte, wavHeaderSize)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+data))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], 8000)
	binary.LittleEndian.PutUint32(h[28:], uint32(8000*2*channels))
	binary.LittleEndian.PutUint16(h[32:], uint16(2*channels))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(data))
	_, err := w.Write(h)
	return err
}

// frame writes one 20 ms frame per channel; get returns a leg's frame or nil for silence.
func (rec *recorder) frame(get func(legImpl) []int16) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.err != nil || rec.bw == nil {
		return
	}
	n := len(rec.legs)
	need := FrameSamples * n * 2
	if cap(rec.buf) < need {
		rec.buf = make([]byte, need)
	}
	buf := rec.buf[:need]
	clear(buf)
	for ch, l := range rec.legs {
		f := get(l)
		for i := 0; i < len(f) && i < FrameSamples; i++ {
			binary.LittleEndian.PutUint16(buf[(i*n+ch)*2:], uint16(f[i]))
		}
	}
	if _, err := rec.bw.Write(buf); err != nil {
		rec.err = err
		return
	}
	rec.samples += FrameSamples
}

// Record writes what the given legs say into w as a WAV file: 8 kHz, 16-bit, one channel per
// leg in the order given (silence while a leg says nothing or is not in the room). stop ends
// the recording, fixes the WAV header's lengths and reports the first write error.
func (r *Room) Record(w io.WriteSeeker, legs ...Leg) (stop func() error) {
	rec := &recorder{w: w, bw: bufio.NewWriterSize(w, 32<<10)}
	for _, l := range legs {
		li, ok := impl(l)
		if !ok {
			return func() error { return fmt.Errorf("media: record: leg %v is not a media leg", l) }
		}
		rec.legs = append(rec.legs, li)
	}
	if len(rec.legs) == 0 {
		return func() error { return fmt.Errorf("media: record: no legs given") }
	}
	if err := writeWAVHeader(rec.bw, len(rec.legs), 0); err != nil {
		return func() error { return fmt.Errorf("media: record: %w", err) }
	}
	r.mu.Lock()
	if !r.closed {
		r.recorders[rec] = struct{}{}
		r.rebuildLocked()
	}
	r.mu.Unlock()
	var once sync.Once
	var result error
	return func() error {
		once.Do(func() {
			r.mu.Lock()
			if _, ok := r.recorders[rec]; ok {
				delete(r.recorders, rec)
				r.rebuildLocked()
			}
			r.mu.Unlock()
			rec.mu.Lock()
			defer rec.mu.Unlock()
			result = rec.finish()
			rec.bw = nil
		})
		return result
	}
}

func (rec *recorder) finish() error {
	if rec.err != nil {
		return fmt.Errorf("media: record: %w", rec.err)
	}
	if err := rec.bw.Flush(); err != nil {
		return fmt.Errorf("media: record: %w", err)
	}
	if _, err := rec.w.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("media: record: rewind for the header: %w", err)
	}
	if err := writeWAVHeader(rec.w, len(rec.legs), rec.samples); err != nil {
		return fmt.Errorf("media: record: %w", err)
	}
	if _, err := rec.w.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("media: record: %w", err)
	}
	return nil
}
