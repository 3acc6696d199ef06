package speech_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os/exec"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// detect runs audio through a detector frame by frame and returns the keys.
func detect(p speech.PCM) string {
	var d speech.DTMFDetector
	var keys []rune
	for i := 0; i < len(p); i += speech.FrameSamples {
		frame := make([]int16, speech.FrameSamples)
		copy(frame, p[i:])
		if k, ok := d.Feed(frame); ok {
			keys = append(keys, k)
		}
	}
	return string(keys)
}

// keyed is keys as DTMF, each on for on samples and off for off samples,
// starting after lead samples of silence.
func keyed(keys string, lead, on, off int) speech.PCM {
	p := speech.Silence(lead)
	for _, k := range keys {
		p = append(p, speech.DTMF(k, on)...)
		p = append(p, speech.Silence(off)...)
	}
	return p
}

func addNoise(p speech.PCM, level float64, seed uint64) speech.PCM {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make(speech.PCM, len(p))
	for i, v := range p {
		out[i] = int16(max(-32768, min(32767, float64(v)+r.NormFloat64()*level*32767)))
	}
	return out
}

func scale(p speech.PCM, f float64) speech.PCM {
	out := make(speech.PCM, len(p))
	for i, v := range p {
		out[i] = int16(float64(v) * f)
	}
	return out
}

func TestDTMFDetector(t *testing.T) {
	const all = "0123456789*#ABCD"
	for _, tc := range []struct {
		name  string
		audio speech.PCM
		want  string
	}{
		{"every key, 100 ms on and off", keyed(all, 0, 800, 800), all},
		{"off the frame grid", keyed(all, 77, 750, 530), all},
		{"the same key twice", keyed("1155", 40, 640, 400), "1155"},
		{"quiet (-30 dBFS)", scale(keyed("159#", 0, 800, 800), 0.1), "159#"},
		{"with line noise (-36 dBFS)", addNoise(keyed("2580", 13, 800, 800), 0.016, 1), "2580"},
		{"60 ms keys", keyed("369", 80, 480, 480), "369"},
		{"20 ms is too short", keyed("7", 0, 160, 800), ""},
		{"silence", speech.Silence(8000), ""},
		{"noise", addNoise(speech.Silence(8000), 0.1, 2), ""},
		{"a single tone", speech.Tone(8000, 0.3, 697), ""},
		{"beep", speech.Beep(), ""},
		{"ring-back", append(speech.Ringback(), speech.RingbackNA()...), ""},
		{"hold music", speech.HoldMusic(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := detect(tc.audio); got != tc.want {
				t.Fatalf("detected %q, want %q", got, tc.want)
			}
		})
	}
	if speech.DTMF('x', 100) != nil {
		t.Error("a tone for x")
	}
}

// Talk-off: speech must not be taken for keys.
func TestDTMFDetectorIgnoresSpeech(t *testing.T) {
	e := newEspeak(t)
	for lang, text := range map[string]string{
		"en": "Press one for cards, two for loans, star to go back, or pound to leave a message. Your call is important to us.",
		"de": "Drücken Sie die Eins für Karten, die Zwei für Kredite, oder die Rautetaste für eine Nachricht.",
		"fr": "Appuyez sur un pour les cartes, deux pour les prêts, ou dièse pour laisser un message.",
		"es": "Pulse uno para tarjetas, dos para préstamos, o almohadilla para dejar un mensaje.",
	} {
		pcm, err := e.Speak(context.Background(), text, lang)
		if err != nil {
			t.Fatal(err)
		}
		if got := detect(pcm); got != "" {
			t.Errorf("%s speech detected as keys %q", lang, got)
		}
		// Keys pressed over the prompt (barge-in) are still heard.
		mixed := make(speech.PCM, len(pcm))
		keys := keyed("42", speech.Rate, 800, 1600)
		for i := range mixed {
			v := int(pcm[i]) / 4 // the prompt as it comes back, attenuated by the echo path
			if i < len(keys) {
				v += int(keys[i])
			}
			mixed[i] = int16(max(-32768, min(32767, v)))
		}
		if got := detect(mixed); got != "42" {
			t.Errorf("%s: keys over speech detected as %q, want \"42\"", lang, got)
		}
	}
}

// sox's synth makes the tone pairs independently of our generator.
func TestDTMFDetectorOnSoxTones(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Fatalf("sox not found: apt-get install sox (make test-deps does)")
	}
	pairs := map[rune][2]string{'1': {"697", "1209"}, '5': {"770", "1336"}, '9': {"852", "1477"}, '0': {"941", "1336"}, '#': {"941", "1477"}, '*': {"941", "1209"}}
	var audio speech.PCM
	const keys = "150#9*"
	for _, k := range keys {
		p := pairs[k]
		out, err := exec.Command(sox, "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw", "-",
			"synth", "0.08", "sine", p[0], "sine", p[1], "remix", "-", "gain", "-6", "pad", "0.033", "0.07").Output()
		if err != nil {
			t.Fatalf("sox: %v", err)
		}
		for i := 0; i+1 < len(out); i += 2 {
			audio = append(audio, int16(binary.LittleEndian.Uint16(out[i:])))
		}
	}
	if got := detect(audio); got != keys {
		t.Fatalf("detected %q in sox's tones, want %q", got, keys)
	}
}
