package media

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// phoneSDP is what a plain-RTP audio description says: where to send and which codecs.
type phoneSDP struct {
	addr    *net.UDPAddr
	codec   codec
	dtmfPT  uint8 // 0 when absent
	hasDTMF bool
	dir     string // sendrecv, sendonly, recvonly or inactive, as the far end says
}

// farSends and farReceives read the direction the far end gave (RFC 3264; a connection address
// of 0.0.0.0 is the old way of saying hold).
func (d phoneSDP) farReceives() bool {
	return d.dir != "sendonly" && d.dir != "inactive" && !d.addr.IP.IsUnspecified()
}

// answerDir is the direction to answer with.
func (d phoneSDP) answerDir() string {
	switch d.dir {
	case "sendonly":
		return "recvonly"
	case "recvonly":
		return "sendonly"
	case "inactive":
		return "inactive"
	}
	return "sendrecv"
}

// parsePhoneSDP reads the first audio section of an offer or answer and chooses G.711:
// PCMU when offered, else PCMA (the project's codec order).
func parsePhoneSDP(text string) (phoneSDP, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(text); err != nil {
		return phoneSDP{}, fmt.Errorf("media: read SDP: %w", err)
	}
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		conn := md.ConnectionInformation
		if conn == nil {
			conn = sd.ConnectionInformation
		}
		if conn == nil || conn.Address == nil {
			return phoneSDP{}, fmt.Errorf("media: SDP audio section has no connection address")
		}
		host := conn.Address.Address
		if i := strings.IndexByte(host, '/'); i >= 0 {
			host = host[:i]
		}
		ip := net.ParseIP(host)
		if ip == nil {
			ips, err := net.LookupIP(host)
			if err != nil || len(ips) == 0 {
				return phoneSDP{}, fmt.Errorf("media: SDP connection address %q: not an IP", host)
			}
			ip = ips[0]
		}
		out := phoneSDP{addr: &net.UDPAddr{IP: ip, Port: md.MediaName.Port.Value}, dir: "sendrecv"}
		for _, a := range append(append([]sdp.Attribute(nil), sd.Attributes...), md.Attributes...) {
			switch a.Key {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				out.dir = a.Key
			}
		}
		names := map[uint8]string{0: "PCMU", 8: "PCMA"}
		for _, a := range md.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			f := strings.Fields(a.Value)
			if len(f) != 2 {
				continue
			}
			pt, err := strconv.ParseUint(f[0], 10, 7)
			if err != nil {
				continue
			}
			enc := strings.SplitN(f[1], "/", 3)
			if len(enc) >= 2 && enc[1] == "8000" {
				names[uint8(pt)] = strings.ToUpper(enc[0])
			} else {
				names[uint8(pt)] = strings.ToUpper(enc[0]) + "/" + strings.Join(enc[1:], "/")
			}
		}
		var pcmu, pcma *uint8
		for _, f := range md.MediaName.Formats {
			v, err := strconv.ParseUint(f, 10, 7)
			if err != nil {
				continue
			}
			pt := uint8(v)
			switch names[pt] {
			case "PCMU":
				if pcmu == nil {
					pcmu = &pt
				}
			case "PCMA":
				if pcma == nil {
					pcma = &pt
				}
			case "TELEPHONE-EVENT":
				if !out.hasDTMF {
					out.dtmfPT, out.hasDTMF = pt, true
				}
			}
		}
		switch {
		case pcmu != nil:
			out.codec = codec{ulaw: true, pt: *pcmu}
		case pcma != nil:
			out.codec = codec{ulaw: false, pt: *pcma}
		default:
			return phoneSDP{}, ErrNoCommonCodec
		}
		return out, nil
	}
	return phoneSDP{}, fmt.Errorf("media: SDP has no audio section: %w", ErrNoCommonCodec)
}

// buildPhoneSDP writes an audio description: the codecs in order, telephone-event if dtmfPT != 0.
func buildPhoneSDP(sessID, version uint64, ip string, port int, codecs []codec, dtmfPT uint8, dir string) string {
	family := "IP4"
	if p := net.ParseIP(ip); p != nil && p.To4() == nil {
		family = "IP6"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=switchboard %d %d IN %s %s\r\ns=switchboard\r\nc=IN %s %s\r\nt=0 0\r\n",
		sessID, version, family, ip, family, ip)
	fmt.Fprintf(&b, "m=audio %d RTP/AVP", port)
	for _, c := range codecs {
		fmt.Fprintf(&b, " %d", c.pt)
	}
	if dtmfPT != 0 {
		fmt.Fprintf(&b, " %d", dtmfPT)
	}
	b.WriteString("\r\n")
	for _, c := range codecs {
		fmt.Fprintf(&b, "a=rtpmap:%d %s/8000\r\n", c.pt, c.name())
	}
	if dtmfPT != 0 {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", dtmfPT, dtmfPT)
	}
	fmt.Fprintf(&b, "a=ptime:20\r\na=%s\r\n", dir)
	return b.String()
}
