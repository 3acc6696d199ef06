package sip

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// Trunk is a tenant's connection to a SIP provider: the numbers it brings
// in, where calls go out, and how each side proves itself.
type Trunk struct {
	ID, TenantID string
	Numbers      []string // E.164, e.g. "+15550100"
	Provider     string   // host:port of the provider's SIP server
	Transport    string   // "udp" (default) or "tcp"
	// Username and Password are the trunk's digest credentials: sent when
	// the provider challenges our REGISTER or INVITE, and asked of an INVITE
	// from an address outside AcceptFrom.
	Username, Password string
	// Register makes the center REGISTER at Provider (see Server.Register).
	Register bool
	// AcceptFrom are the provider's addresses whose INVITEs are taken
	// without a challenge.
	AcceptFrom []netip.Prefix
}

// Validate says what is wrong with a trunk a tenant configured, naming the
// field. It does not judge the provider's address: the guard does that
// when the center sends to it.
func (t Trunk) Validate() error {
	if _, err := t.transport(); err != nil {
		return fmt.Errorf("transport: %q is not udp or tcp", t.Transport)
	}
	for _, n := range t.Numbers {
		if !isE164(n) {
			return fmt.Errorf("numbers: %q is not an E.164 number (+ and 8 to 15 digits)", n)
		}
	}
	if t.Provider != "" {
		host, port, err := net.SplitHostPort(t.Provider)
		if p, perr := strconv.Atoi(port); err != nil || perr != nil || p <= 0 || p > 65535 || host == "" {
			return fmt.Errorf("provider: %q is not host:port", t.Provider)
		}
	}
	if t.Register && (t.Provider == "" || t.Username == "" || t.Password == "") {
		return errors.New("register: registering needs provider, username and password")
	}
	if (t.Username == "") != (t.Password == "") {
		return errors.New("password: username and password go together")
	}
	return nil
}

func isE164(n string) bool {
	digits, ok := strings.CutPrefix(n, "+")
	return ok && len(digits) >= 8 && len(digits) <= 15 && isAllDigits(digits) && digits[0] != '0'
}

// transport is the trunk's transport in sipgo's spelling.
func (t Trunk) transport() (string, error) {
	switch strings.ToLower(t.Transport) {
	case "", "udp":
		return "udp", nil
	case "tcp":
		return "tcp", nil
	}
	return "", fmt.Errorf("trunk %s: transport %q: only udp and tcp are supported (no TLS)", t.ID, t.Transport)
}

// Config shapes a Server.
type Config struct {
	// ListenUDP and ListenTCP are the SIP listen addresses (e.g.
	// "0.0.0.0:5060"); an empty one is not served, "127.0.0.1:0" takes a
	// free port.
	ListenUDP, ListenTCP string
	// Host is the address put in Contact and Via; the listen host when
	// empty (set it to the public address when listening on 0.0.0.0).
	Host string
	// Realm is the digest realm of inbound challenges; "switchboard" when empty.
	Realm string
	// Guard judges every provider address a tenant's trunk makes us send
	// to; nil refuses all but public addresses.
	Guard *netguard.Guard

	// RingTimeout ends an unanswered call: inbound with 480, outbound with
	// CANCEL and ErrNoAnswer. Zero is 60 s.
	RingTimeout time.Duration
	// AckTimeout ends an answered inbound call whose 200 OK is never
	// acknowledged. Zero is 32 s (64×T1, RFC 3261 §13.3.1.4).
	AckTimeout time.Duration
	// KeepAlive is how often an established call's far end is asked
	// (in-dialog OPTIONS) whether the session still exists; a call whose
	// far end does not answer within KeepAlive (5 s at least) ends
	// "session lost".
	// Zero is 30 s.
	KeepAlive time.Duration
	// RegisterExpiry is the registration lifetime asked of a provider.
	// Zero is 3600 s.
	RegisterExpiry time.Duration
	// NonceLifetime bounds how long a digest challenge's nonce is good.
	// Zero is 5 minutes.
	NonceLifetime time.Duration

	Clock clock.Clock
	Log   *slog.Logger
}

func (c *Config) defaults() {
	if c.Realm == "" {
		c.Realm = "switchboard"
	}
	if c.Guard == nil {
		c.Guard = netguard.New(netguard.Options{})
	}
	if c.RingTimeout == 0 {
		c.RingTimeout = 60 * time.Second
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = 32 * time.Second
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = 30 * time.Second
	}
	if c.RegisterExpiry == 0 {
		c.RegisterExpiry = time.Hour
	}
	if c.NonceLifetime == 0 {
		c.NonceLifetime = 5 * time.Minute
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Reasons a call ends with (Ended's value). A rejected call ends with
// "rejected: CODE REASON".
const (
	ReasonHangup       = "hangup"        // we hung up
	ReasonRemoteHangup = "remote hangup" // the far end sent BYE
	ReasonCanceled     = "canceled"      // the caller gave up before the answer (CANCEL)
	ReasonNoAnswer     = "no answer"     // RingTimeout passed
	ReasonNoAck        = "no ACK"        // our 200 OK was never acknowledged
	ReasonSessionLost  = "session lost"  // the far end stopped answering in-dialog requests
	ReasonShutdown     = "server closed" // the Server was closed
)
