package sip_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// TestRegister: the trunk registers at a registrar that challenges and
// checks the digest, refreshes before the 2 s it is granted lapse, and
// removes the registration (Expires: 0) when closed.
func TestRegister(t *testing.T) {
	p := newProvider(t, "acct77", "s3cret")
	srv := newServer(t, sip.Config{}, trunkTable(), handlerFunc(func(context.Context, *sip.Inbound) {}))
	trunk := sip.Trunk{ID: "tr", Provider: p.addr, Username: "acct77", Password: "s3cret", Register: true}
	reg, err := srv.Register(context.Background(), trunk)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "three refreshed registrations", func() bool { return reg.Count() >= 3 })
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	regs, refused, _ := p.snapshot()
	if refused != 0 {
		t.Fatalf("the registrar refused %d digests", refused)
	}
	if len(regs) < 4 || regs[0] != 2 || regs[len(regs)-1] != 0 {
		t.Fatalf("registrations %v: want several granted 2 s, then a removal (0)", regs)
	}

	bad := trunk
	bad.Password = "wrong"
	if _, err := srv.Register(context.Background(), bad); !errors.Is(err, sip.ErrUnauthorized) {
		t.Fatalf("register with a wrong password: %v, want ErrUnauthorized", err)
	}
}

// TestDialProvider: outbound calls through a provider that asks for the
// trunk's digest (407), answers, and takes our BYE; and the clear errors of
// a busy, declined and unanswered call.
func TestDialProvider(t *testing.T) {
	p := newProvider(t, "acct77", "s3cret")
	media := newRTPPeer(t)
	answer := newRTPPeer(t).sdp()
	srv := newServer(t, sip.Config{RingTimeout: 5 * time.Second}, trunkTable(), handlerFunc(func(context.Context, *sip.Inbound) {}))
	trunk := sip.Trunk{ID: "tr", TenantID: "ten", Numbers: []string{"+15550100"}, Provider: p.addr, Username: "acct77", Password: "s3cret"}

	heard := make(chan struct{})
	p.answerWith(t, true, 200, answer, heard)
	rang := 0
	out, got, err := srv.Dial(context.Background(), trunk, "+15550199", media.sdp(), func() {
		if rang++; rang == 1 {
			close(heard)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != answer || rang == 0 {
		t.Fatalf("answer %q (want the provider's %q; our offer %q), rang %d times", got, answer, media.sdp(), rang)
	}
	if err := out.Hangup(); err != nil {
		t.Fatal(err)
	}
	if r := waitEnded(t, out.Ended()); r != sip.ReasonHangup {
		t.Fatalf("ended %q", r)
	}
	eventually(t, "the provider got our BYE", func() bool { _, _, byes := p.snapshot(); return byes == 1 })

	for _, tc := range []struct {
		code int
		want error
	}{{486, sip.ErrBusy}, {603, sip.ErrDeclined}, {404, sip.ErrNotFound}, {0, sip.ErrNoAnswer}} {
		p.answerWith(t, false, tc.code, "")
		_, _, err := srv.Dial(context.Background(), trunk, "+15550199", media.sdp(), nil)
		if !errors.Is(err, tc.want) {
			t.Fatalf("provider answering %d: err %v, want %v", tc.code, err, tc.want)
		}
	}

	wrong := trunk
	wrong.Password = "nope"
	p.answerWith(t, true, 200, answer)
	if _, _, err := srv.Dial(context.Background(), wrong, "+15550199", media.sdp(), nil); !errors.Is(err, sip.ErrUnauthorized) {
		t.Fatalf("dial with a wrong password: %v, want ErrUnauthorized", err)
	}
}

// TestDialRefusesPrivateProvider: a provider address a tenant set is judged
// by netguard; loopback is refused unless the operator allowed it.
func TestDialRefusesPrivateProvider(t *testing.T) {
	srv, err := sip.New(sip.Config{ListenUDP: "127.0.0.1:0", Log: testLog(t)}, trunkTable(), handlerFunc(func(context.Context, *sip.Inbound) {}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	trunk := sip.Trunk{ID: "tr", Provider: "127.0.0.1:5060"}
	if _, _, err := srv.Dial(context.Background(), trunk, "+1555", "v=0\r\n", nil); err == nil || !errors.Is(err, netguardRefused) {
		t.Fatalf("dial to loopback: %v, want a netguard refusal", err)
	}
	trunk.Username = "u"
	if _, err := srv.Register(context.Background(), trunk); err == nil || !errors.Is(err, netguardRefused) {
		t.Fatalf("register at loopback: %v, want a netguard refusal", err)
	}
}

var netguardRefused = netguard.ErrRefused

// TestInviteContactGuarded: our BYE and keepalives go to the caller's
// Contact, so a Contact the guard refuses is refused (loopback here, with
// the default guard), even from an accepted source.
func TestInviteContactGuarded(t *testing.T) {
	trunk := sip.Trunk{ID: "tr", Numbers: []string{"+15550100"}, AcceptFrom: loopback()}
	in := make(calls, 1)
	srv, err := sip.New(sip.Config{ListenUDP: "127.0.0.1:0", Log: testLog(t)}, trunkTable(trunk), in)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	msg := invite("udp", srv.UDPAddr(), "+15550100", newRTPPeer(t).sdp(), "Contact: <sip:caller@127.0.0.1:9>")
	if got := exchange(t, "udp", srv.UDPAddr(), msg); got != 403 {
		t.Fatalf("INVITE with a loopback Contact: %d, want 403", got)
	}
}

// TestNewNeedsHostOnWildcard: a Contact of 0.0.0.0 reaches nobody.
func TestNewNeedsHostOnWildcard(t *testing.T) {
	_, err := sip.New(sip.Config{ListenUDP: "0.0.0.0:0", Log: testLog(t)}, trunkTable(), make(calls))
	if err == nil || !strings.Contains(err.Error(), "Config.Host") {
		t.Fatalf("listening on 0.0.0.0 without Host: %v", err)
	}
	srv, err := sip.New(sip.Config{ListenUDP: "0.0.0.0:0", Host: "192.0.2.10", Log: testLog(t)}, trunkTable(), make(calls))
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}
