package calls

import (
	"context"
	"fmt"
	"io"

	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// MediaServer is the media server as calls use it.
func MediaServer(s *media.Server) Media { return mediaServer{s} }

// HoldMusic is internal/voice/speech's generated hold music, looped: what
// a customer on hold or in a transfer hears (Config.HoldMusic).
func HoldMusic() AudioSource { return speech.Loop(speech.HoldMusic()) }

type mediaServer struct{ s *media.Server }

func (m mediaServer) ICEServers(user string) []ICEServer {
	var out []ICEServer
	for _, x := range m.s.ICEServers(user) {
		out = append(out, ICEServer{URLs: x.URLs, Username: x.Username, Credential: x.Credential})
	}
	return out
}

func (m mediaServer) AcceptBrowser(ctx context.Context, id, offerSDP string, onCandidate func(string)) (Leg, string, error) {
	b, answer, err := m.s.AcceptBrowser(ctx, id, offerSDP, onCandidate)
	if err != nil {
		return nil, "", err
	}
	return newBrowserLeg(b), answer, nil
}

func (m mediaServer) Room(id string) Room { return room{m.s.Room(id)} }

// browserLeg is a media.Browser with its events in calls' terms.
type browserLeg struct {
	b      *media.Browser
	events chan LegEvent
}

func newBrowserLeg(b *media.Browser) *browserLeg {
	l := &browserLeg{b: b, events: make(chan LegEvent, 16)}
	go func() {
		defer close(l.events)
		for ev := range b.Events() {
			var t LegEventType
			switch ev.Type {
			case media.Connected:
				t = LegConnected
			case media.Disconnected:
				t = LegDisconnected
			case media.Recovered:
				t = LegRecovered
			case media.Ended:
				t = LegEnded
			default:
				continue
			}
			l.events <- LegEvent{Type: t, Reason: ev.Reason, At: ev.At}
		}
	}()
	return l
}

func (l *browserLeg) ID() string                             { return l.b.ID() }
func (l *browserLeg) Events() <-chan LegEvent                { return l.events }
func (l *browserLeg) AddCandidate(c string) error            { return l.b.AddCandidate(c) }
func (l *browserLeg) Renegotiate(sdp string) (string, error) { return l.b.Renegotiate(sdp) }
func (l *browserLeg) Close(reason string) error              { return l.b.Close(reason) }

// room is a media.Room taking calls' legs.
type room struct{ r *media.Room }

func legOf(l Leg) media.Leg {
	switch x := l.(type) {
	case *browserLeg:
		return x.b
	case *phoneLeg:
		return x.p
	}
	return nil
}

func (r room) Add(l Leg) {
	if m := legOf(l); m != nil {
		r.r.Add(m)
	}
}

func (r room) Remove(l Leg) {
	if m := legOf(l); m != nil {
		r.r.Remove(m)
	}
}

func (r room) Connect(from, to Leg, on bool) {
	f, t := legOf(from), legOf(to)
	if f != nil && t != nil {
		r.r.Connect(f, t, on)
	}
}

func (r room) Play(to Leg, src AudioSource) func() {
	if m := legOf(to); m != nil {
		return r.r.Play(m, src)
	}
	return func() {}
}

func (r room) Record(w io.WriteSeeker, legs ...Leg) func() error {
	var ms []media.Leg
	for _, l := range legs {
		m := legOf(l)
		if m == nil {
			return func() error { return fmt.Errorf("calls: record: leg %s is not a media leg", l.ID()) }
		}
		ms = append(ms, m)
	}
	return r.r.Record(w, ms...)
}

// Speech makes Config.Speak from a text-to-speech engine (speech.Espeak,
// behind a speech.Cache), in English.
func Speech(sp speech.Speaker) func(ctx context.Context, text string) (AudioSource, error) {
	return func(ctx context.Context, text string) (AudioSource, error) {
		pcm, err := sp.Speak(ctx, text, "en")
		if err != nil {
			return nil, err
		}
		return pcm.Source(), nil
	}
}

func (r room) Close() { r.r.Close() }
