package speech

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// decodeWAV reads a mono 16-bit PCM WAV. espeak-ng writing to a pipe cannot
// seek back to fill in the sizes, so it leaves them at 0x7fffffff: the data
// chunk is taken to run to the end of b whatever its header says.
func decodeWAV(b []byte) ([]int16, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV file")
	}
	var rate, channels, bits int
	fmtSeen := false
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("short fmt chunk")
			}
			if f := binary.LittleEndian.Uint16(body[0:2]); f != 1 {
				return nil, 0, fmt.Errorf("WAV format %d, want PCM (1)", f)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
			fmtSeen = true
		case "data":
			if !fmtSeen {
				return nil, 0, errors.New("data before fmt")
			}
			if channels != 1 || bits != 16 || rate <= 0 {
				return nil, 0, fmt.Errorf("WAV is %d channels of %d bits at %d Hz, want mono 16-bit", channels, bits, rate)
			}
			if size > len(body) || size <= 0 {
				size = len(body)
			}
			out := make([]int16, size/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return out, rate, nil
		}
		if size < 0 || size > len(body) {
			return nil, 0, fmt.Errorf("chunk %q overruns the file", id)
		}
		p += 8 + size + size&1
	}
	return nil, 0, errors.New("no data chunk")
}
