package media

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v4"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// The credentials are the TURN REST API's, as coturn's use-auth-secret checks them; the
// expected password was computed with openssl (HMAC-SHA1, base64).
func TestTURNCredentialsKnownAnswer(t *testing.T) {
	user, cred := TURNCredentials("s3cret", "alice", time.Unix(1700000000-3600, 0), time.Hour)
	if user != "1700000000:alice" || cred != "TtElzSjT0GdnTQ9xdcRNxx96yQs=" {
		t.Fatalf("got %q / %q", user, cred)
	}
}

func turnServer(t *testing.T, clk clock.Clock) *Server {
	return newTestServer(t, func(c *Config) {
		c.Clock = clk
		c.TURN = TURNConfig{Listen: "127.0.0.1:0", Secret: "s3cret", TTL: time.Hour}
	})
}

// A client that may only use relayed candidates gets media through the embedded TURN service.
func TestRelayOnlyClientThroughEmbeddedTURN(t *testing.T) {
	s := turnServer(t, nil)
	ice := s.ICEServers("agent-7")
	if len(ice) != 2 || !strings.HasPrefix(ice[0].URLs[0], "stun:127.0.0.1:") ||
		!strings.HasPrefix(ice[1].URLs[0], "turn:127.0.0.1:") || !strings.HasSuffix(ice[1].Username, ":agent-7") || ice[1].Credential == "" {
		t.Fatalf("ICEServers = %+v", ice)
	}
	a := dialBrowser(t, s, "relayed", &tone{freq: 440}, peerOpts{relay: ice})
	b := dialBrowser(t, s, "direct", &tone{freq: 1000}, peerOpts{})
	waitEvent(t, a.leg, Connected)
	waitEvent(t, b.leg, Connected)
	connectBoth(s.Room("turn"), a.leg, b.leg)
	b.heard.waitTone(t, "direct hears relayed", 440)
	a.heard.waitTone(t, "relayed hears direct", 1000)
	pair, err := a.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("relay-only client has no selected candidate pair: %v", err)
	}
	if pair.Local.Typ.String() != "relay" {
		t.Fatalf("relay-only client used a %s candidate", pair.Local.Typ)
	}
}

// An expired or forged credential is refused by the embedded TURN service.
func TestTURNRefusesExpiredAndForged(t *testing.T) {
	clk := clock.NewFake(time.Now())
	s := turnServer(t, clk)
	ice := s.ICEServers("bob")
	addr := strings.TrimSuffix(strings.TrimPrefix(ice[1].URLs[0], "turn:"), "?transport=udp")
	allocate := func(user, pass string) error {
		conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		c, err := turn.NewClient(&turn.ClientConfig{STUNServerAddr: addr, TURNServerAddr: addr, Conn: conn,
			Username: user, Password: pass, Realm: "switchboard"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Listen(); err != nil {
			t.Fatal(err)
		}
		relay, err := c.Allocate()
		if err == nil {
			relay.Close()
		}
		return err
	}
	if err := allocate(ice[1].Username, ice[1].Credential); err != nil {
		t.Fatalf("fresh credential refused: %v", err)
	}
	if err := allocate(ice[1].Username, "forged"); err == nil {
		t.Fatal("forged credential accepted")
	}
	clk.Advance(2 * time.Hour)
	if err := allocate(ice[1].Username, ice[1].Credential); err == nil {
		t.Fatal("expired credential accepted")
	}
}
