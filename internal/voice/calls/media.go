package calls

import (
	"context"
	"io"
	"time"
)

// Media is the media server as calls use it: internal/voice/media's Server
// through the adapter in mediaserver.go. Calls are refused ("unavailable")
// on a node without one.
type Media interface {
	// ICEServers are the STUN/TURN servers (with time-limited credentials)
	// for one participant's browser.
	ICEServers(user string) []ICEServer
	// AcceptBrowser answers a browser's offer with a new leg; onCandidate
	// receives the server's trickled candidates (RTCIceCandidateInit JSON).
	AcceptBrowser(ctx context.Context, id, offerSDP string, onCandidate func(candidateJSON string)) (Leg, string, error)
	// Room is the call's room, made on first use.
	Room(id string) Room
}

// Leg is one browser's peer connection with the server.
type Leg interface {
	ID() string
	Events() <-chan LegEvent
	AddCandidate(candidateJSON string) error
	Renegotiate(offerSDP string) (answerSDP string, err error)
	Close(reason string) error
}

// Room is where a call's legs meet; who hears whom is set by Connect.
type Room interface {
	Add(l Leg)
	Remove(l Leg)
	// Connect makes to hear from (on), or stop hearing it.
	Connect(from, to Leg, on bool)
	// Play plays src to a leg (hold music) until it ends or stop is called.
	Play(to Leg, src AudioSource) (stop func())
	// Record writes the legs into w as a WAV file, one channel per leg,
	// until stop is called.
	Record(w io.WriteSeeker, legs ...Leg) (stop func() error)
	Close()
}

// AudioSource gives 20 ms frames of 8 kHz mono PCM; io.EOF when done.
type AudioSource interface {
	ReadFrame(frame []int16) error
}

// LegEventType is what happened to a leg.
type LegEventType string

// The leg events.
const (
	LegConnected    LegEventType = "connected"
	LegDisconnected LegEventType = "disconnected"
	LegRecovered    LegEventType = "recovered"
	LegEnded        LegEventType = "ended"
	// LegKey is a key the leg's caller pressed (a phone leg's RFC 4733
	// event): Key says which.
	LegKey LegEventType = "key"
)

// LegEvent is one change of a leg's connection.
type LegEvent struct {
	Type   LegEventType
	Reason string
	Key    rune
	At     time.Time
}

// ICEServer is one entry of RTCConfiguration.iceServers.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}
