package sip_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// invite is a hand-written INVITE to number at addr with body as SDP.
func invite(network, addr, number, body string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INVITE sip:%s@%s SIP/2.0\r\n", number, addr)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s 127.0.0.1:9;rport;branch=z9hG4bK%d\r\n", strings.ToUpper(network), time.Now().UnixNano())
	b.WriteString("Max-Forwards: 70\r\n")
	b.WriteString("From: <sip:caller@127.0.0.1>;tag=abc\r\n")
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", number, addr)
	fmt.Fprintf(&b, "Call-ID: raw-%d\r\n", time.Now().UnixNano())
	b.WriteString("CSeq: 1 INVITE\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

// exchange sends msg to addr over network and returns the status code of
// the first final response, skipping provisional ones.
func exchange(t *testing.T, network, addr, msg string) int {
	t.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	buf := make([]byte, 65535)
	for {
		var first string
		if network == "udp" {
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("no response to %q: %v", strings.SplitN(msg, "\r\n", 2)[0], err)
			}
			first = strings.SplitN(string(buf[:n]), "\r\n", 2)[0]
		} else {
			first, err = r.ReadString('\n')
			if err != nil {
				t.Fatalf("no response to %q: %v", strings.SplitN(msg, "\r\n", 2)[0], err)
			}
			// skip the rest of this response's head and its (empty) body
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == "\r\n" {
					break
				}
			}
		}
		var code int
		if _, err := fmt.Sscanf(first, "SIP/2.0 %d", &code); err != nil {
			t.Fatalf("not a response: %q", first)
		}
		if code >= 200 {
			return code
		}
	}
}

func options(network, addr string) string {
	return fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:9;rport;branch=z9hG4bK%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:%s>\r\nCall-ID: opt-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		addr, strings.ToUpper(network), time.Now().UnixNano(), addr, time.Now().UnixNano())
}

// TestInviteRefusals: the answers an INVITE gets before any handler sees
// it, over UDP and TCP — and malformed SIP leaves the server serving.
func TestInviteRefusals(t *testing.T) {
	reached := make(calls, 10)
	open := sip.Trunk{ID: "open", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
	closed := sip.Trunk{ID: "closed", Numbers: []string{"+15550200"}}
	secret := sip.Trunk{ID: "secret", Numbers: []string{"+15550300"}, Username: "u", Password: "p"}
	srv := newServer(t, sip.Config{}, trunkTable(open, closed, secret), reached)
	peer := newRTPPeer(t)
	video := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
	g729 := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"
	contact := "Contact: <sip:caller@127.0.0.1:9>"

	for _, network := range []string{"udp", "tcp"} {
		addr := srv.UDPAddr()
		if network == "tcp" {
			addr = srv.TCPAddr()
		}
		for _, tc := range []struct {
			name string
			msg  string
			want int
		}{
			{"unknown number", invite(network, addr, "+19990000", peer.sdp(), contact), 404},
			{"video only", invite(network, addr, "+15550100", video, contact), 488},
			{"G.729 only", invite(network, addr, "+15550100", g729, contact), 488},
			{"no offer", invite(network, addr, "+15550100", "", contact), 488},
			{"malformed SDP", invite(network, addr, "+15550100", "hello\r\n", contact), 400},
			{"no Contact", invite(network, addr, "+15550100", peer.sdp()), 400},
			{"no CSeq", strings.Replace(invite(network, addr, "+15550100", peer.sdp(), contact), "CSeq: 1 INVITE\r\n", "", 1), 400},
			{"source not accepted", invite(network, addr, "+15550200", peer.sdp(), contact), 403},
			{"no credentials", invite(network, addr, "+15550300", peer.sdp(), contact), 401},
			{"forged credentials", invite(network, addr, "+15550300", peer.sdp(), contact,
				`Authorization: Digest username="u", realm="switchboard", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri="sip:x", response="00000000000000000000000000000000"`), 401},
			{"re-INVITE outside any call", strings.Replace(invite(network, addr, "+15550100", peer.sdp(), contact), "\r\nCall-ID", ";tag=theirs\r\nCall-ID", 1), 481},
		} {
			if got := exchange(t, network, addr, tc.msg); got != tc.want {
				t.Errorf("%s %s: %d, want %d", network, tc.name, got, tc.want)
			}
		}

		// Malformed SIP: sipgo's parser refuses it (logged, dropped); the
		// server keeps serving.
		for _, junk := range []string{"\x00\x01garbage\r\n\r\n", "INVITE\r\n\r\n", "INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nCSeq: x\r\nContent-Length: 99999\r\n\r\n",
			"SIP/2.0 200 OK\r\n\r\n", strings.Repeat("A", 5000)} {
			c, err := net.Dial(network, addr)
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte(junk))
			c.Close()
		}
		if got := exchange(t, network, addr, options(network, addr)); got != 200 {
			t.Fatalf("%s OPTIONS after malformed SIP: %d", network, got)
		}
	}
	select {
	case c := <-reached:
		t.Fatalf("a refused INVITE reached the handler: %+v", c)
	default:
	}
}

// TestNoAck: an answer the caller never acknowledges ends the call.
func TestNoAck(t *testing.T) {
	in := make(calls, 1)
	trunk := sip.Trunk{ID: "tr", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
	srv := newServer(t, sip.Config{AckTimeout: time.Second}, trunkTable(trunk), in)
	peer := newRTPPeer(t)
	caller, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()
	to, _ := net.ResolveUDPAddr("udp", srv.UDPAddr())
	msg := invite("udp", srv.UDPAddr(), "+15550100", peer.sdp(), "Contact: <sip:caller@"+caller.LocalAddr().String()+">")
	msg = strings.Replace(msg, "127.0.0.1:9", caller.LocalAddr().String(), 1)
	if _, err := caller.WriteTo([]byte(msg), to); err != nil {
		t.Fatal(err)
	}
	c := in.next(t)
	err = c.Answer(peer.sdp())
	if err == nil || !strings.Contains(err.Error(), "no ACK") {
		t.Fatalf("answer without ACK: %v", err)
	}
	if r := waitEnded(t, c.Ended()); r != sip.ReasonNoAck {
		t.Fatalf("ended %q, want %q", r, sip.ReasonNoAck)
	}
	_ = context.Background
}

// TestReInviteRefused: a re-INVITE within a call gets 488 and the call
// goes on (RFC 3261 §14.2) until we hang up.
func TestReInviteRefused(t *testing.T) {
	in := make(calls, 1)
	trunk := sip.Trunk{ID: "tr", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
	srv := newServer(t, sip.Config{}, trunkTable(trunk), in)
	peer := newRTPPeer(t)
	caller, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()
	caller.SetDeadline(time.Now().Add(wait))
	to, _ := net.ResolveUDPAddr("udp", srv.UDPAddr())
	me := caller.LocalAddr().String()
	msg := strings.Replace(invite("udp", srv.UDPAddr(), "+15550100", peer.sdp(), "Contact: <sip:caller@"+me+">"), "127.0.0.1:9", me, 1)
	callID := strings.SplitN(strings.SplitN(msg, "Call-ID: ", 2)[1], "\r\n", 2)[0]
	caller.WriteTo([]byte(msg), to)
	c := in.next(t)
	answered := make(chan error, 1)
	go func() { answered <- c.Answer(peer.sdp()) }()

	// read until a final response; return its To header
	final := func() (int, string) {
		buf := make([]byte, 65535)
		for {
			n, _, err := caller.ReadFrom(buf)
			if err != nil {
				t.Fatalf("no final response: %v", err)
			}
			var code int
			fmt.Sscanf(string(buf[:n]), "SIP/2.0 %d", &code)
			if code < 200 {
				continue
			}
			for _, l := range strings.Split(string(buf[:n]), "\r\n") {
				if strings.HasPrefix(l, "To:") {
					return code, l
				}
			}
			return code, ""
		}
	}
	code, toHeader := final()
	if code != 200 || !strings.Contains(toHeader, "tag=") {
		t.Fatalf("answer %d %q", code, toHeader)
	}
	request := func(method string, cseq int, body string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s sip:switchboard@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;rport;branch=z9hG4bK%d\r\nMax-Forwards: 70\r\n", method, srv.UDPAddr(), me, time.Now().UnixNano())
		fmt.Fprintf(&b, "From: <sip:caller@127.0.0.1>;tag=abc\r\n%s\r\nCall-ID: %s\r\nCSeq: %d %s\r\nContact: <sip:caller@%s>\r\n", toHeader, callID, cseq, method, me)
		if body != "" {
			b.WriteString("Content-Type: application/sdp\r\n")
		}
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
		return b.String()
	}
	caller.WriteTo([]byte(request("ACK", 1, "")), to)
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	caller.WriteTo([]byte(request("INVITE", 2, peer.sdp())), to)
	if code, _ := final(); code != 488 {
		t.Fatalf("re-INVITE: %d, want 488", code)
	}
	select {
	case r := <-c.Ended():
		t.Fatalf("the call ended (%q) on a re-INVITE", r)
	default:
	}
	caller.WriteTo([]byte(request("BYE", 3, "")), to)
	if r := waitEnded(t, c.Ended()); r != sip.ReasonRemoteHangup {
		t.Fatalf("ended %q", r)
	}
}
