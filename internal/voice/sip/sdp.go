package sip

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNoCommonCodec is the answer to an offer with no G.711 audio: the SIP
// side answers it with 488 Not Acceptable Here. The media package returns an
// error matching it (errors.Is) from AnswerPhone.
var ErrNoCommonCodec = errors.New("no common codec (this center speaks PCMU and PCMA audio)")

// ErrBadSDP is a session description this package cannot read.
var ErrBadSDP = errors.New("malformed SDP")

// maxSDP bounds what ParseSDP reads; a real offer is a few hundred bytes.
const maxSDP = 64 << 10

// Session is the part of a session description (RFC 4566) that signalling
// needs: where media goes and which formats each stream offers.
type Session struct {
	Addr  string // session-level c= address
	Media []Media
}

// Media is one m= section.
type Media struct {
	Type    string            // audio, video, …
	Port    int               // 0 is a stream refused or disabled
	Proto   string            // RTP/AVP, …
	Formats []string          // payload types in preference order
	RTPMap  map[string]string // payload type → "PCMU/8000"
	Addr    string            // media-level c= address, if any
}

// Codec names a payload type of m: the rtpmap's encoding name, or the
// static RTP/AVP name (RFC 3551) when there is no rtpmap.
func (m Media) Codec(pt string) string {
	if enc, ok := m.RTPMap[pt]; ok {
		name, _, _ := strings.Cut(enc, "/")
		return strings.ToUpper(name)
	}
	switch pt {
	case "0":
		return "PCMU"
	case "8":
		return "PCMA"
	case "18":
		return "G729"
	case "9":
		return "G722"
	case "3":
		return "GSM"
	}
	return ""
}

// ParseSDP reads the lines of an SDP body this package needs. It is strict
// about what it uses (m= and c= lines) and ignores the rest.
func ParseSDP(body string) (Session, error) {
	if len(body) > maxSDP {
		return Session{}, fmt.Errorf("%w: %d bytes", ErrBadSDP, len(body))
	}
	var s Session
	sawVersion := false
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if len(line) < 2 || line[1] != '=' {
			return Session{}, fmt.Errorf("%w: line %q is not type=value", ErrBadSDP, clip(line))
		}
		value := line[2:]
		switch line[0] {
		case 'v':
			if value != "0" {
				return Session{}, fmt.Errorf("%w: version %q", ErrBadSDP, clip(value))
			}
			sawVersion = true
		case 'c':
			addr, err := connAddr(value)
			if err != nil {
				return Session{}, err
			}
			if len(s.Media) == 0 {
				s.Addr = addr
			} else {
				s.Media[len(s.Media)-1].Addr = addr
			}
		case 'm':
			m, err := mediaLine(value)
			if err != nil {
				return Session{}, err
			}
			s.Media = append(s.Media, m)
		case 'a':
			if len(s.Media) == 0 {
				continue
			}
			attr, ok := strings.CutPrefix(value, "rtpmap:")
			if !ok {
				continue
			}
			pt, enc, ok := strings.Cut(attr, " ")
			if !ok || !isDigits(pt) {
				return Session{}, fmt.Errorf("%w: rtpmap %q", ErrBadSDP, clip(attr))
			}
			s.Media[len(s.Media)-1].RTPMap[pt] = strings.TrimSpace(enc)
		}
	}
	if !sawVersion {
		return Session{}, fmt.Errorf("%w: no v=0 line", ErrBadSDP)
	}
	return s, nil
}

func mediaLine(value string) (Media, error) {
	f := strings.Fields(value)
	if len(f) < 4 {
		return Media{}, fmt.Errorf("%w: m=%q", ErrBadSDP, clip(value))
	}
	portText, _, _ := strings.Cut(f[1], "/") // port/count
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return Media{}, fmt.Errorf("%w: m= port %q", ErrBadSDP, clip(f[1]))
	}
	return Media{Type: f[0], Port: port, Proto: f[2], Formats: f[3:], RTPMap: map[string]string{}}, nil
}

func connAddr(value string) (string, error) {
	f := strings.Fields(value)
	if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return "", fmt.Errorf("%w: c=%q", ErrBadSDP, clip(value))
	}
	addr, _, _ := strings.Cut(f[2], "/") // multicast TTL
	return addr, nil
}

// AudioCodecs lists the G.711 codecs an offer's first active audio stream
// carries, in the offer's order ("PCMU", "PCMA").
func (s Session) AudioCodecs() []string {
	for _, m := range s.Media {
		if m.Type != "audio" || m.Port == 0 || (m.Proto != "RTP/AVP" && m.Proto != "RTP/AVPF") {
			continue
		}
		var out []string
		for _, pt := range m.Formats {
			if c := m.Codec(pt); c == "PCMU" || c == "PCMA" {
				if enc := m.RTPMap[pt]; enc != "" {
					if parts := strings.Split(enc, "/"); len(parts) < 2 || parts[1] != "8000" {
						continue // G.711 is 8 kHz; anything else is not what it says
					}
				}
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}

// CheckOffer says whether this center can answer offer: nil when its first
// active plain-RTP audio stream offers PCMU or PCMA, an error matching
// ErrNoCommonCodec when it does not (video only, G.729 only, SRTP only), and
// one matching ErrBadSDP when it cannot be read. The SIP side answers 488
// for the first and 400 for the second without asking media.
func CheckOffer(offer string) error {
	s, err := ParseSDP(offer)
	if err != nil {
		return err
	}
	if len(s.AudioCodecs()) == 0 {
		return ErrNoCommonCodec
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
