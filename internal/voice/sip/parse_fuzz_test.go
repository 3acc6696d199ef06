package sip

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// FuzzParseInvite feeds bytes to sipgo's parser, as the transport does
// with every datagram and stream, and what parses as a request through
// the parsing this package owns: the dialled number, the SDP offer, the
// Authorization header. Nothing may panic.
func FuzzParseInvite(f *testing.F) {
	f.Add([]byte("INVITE sip:+15550100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n" +
		"From: <sip:a@b>;tag=1\r\nTo: <sip:+15550100@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1:9>\r\n" +
		"Authorization: Digest username=\"u\", nonce=\"n\"\r\nContent-Type: application/sdp\r\nContent-Length: 10\r\n\r\nv=0\r\nm=aud"))
	f.Add([]byte("INVITE sip:;phone-context=x@h SIP/2.0\r\nTo: <tel:123>\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("INVITE\r\n\r\n"))
	f.Add([]byte("SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n"))
	g := digestGuard{realm: "switchboard", secret: []byte("k"), lifetime: time.Hour}
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := sip.NewParser().ParseSIP(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		_ = dialledNumbers(req)
		_ = CheckOffer(string(req.Body()))
		if h := req.GetHeader("Authorization"); h != nil {
			if g.check(h.Value(), "INVITE", "u", "p", now) == nil {
				t.Fatal("credentials passed without the password")
			}
		}
		_, _ = sip.DialogIDFromRequestUAS(req)
	})
}
