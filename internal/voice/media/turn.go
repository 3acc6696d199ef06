package media

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/pion/turn/v4"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// TURNConfig sets up relaying for browsers that cannot reach the server directly. Either run
// the embedded TURN/STUN service (Listen) or point browsers at an external one (External, e.g.
// coturn with use-auth-secret and static-auth-secret = Secret). Both use the TURN REST API
// credentials: username "expiry:user", password base64(HMAC-SHA1(Secret, username)).
type TURNConfig struct {
	Listen       string // UDP address of the embedded service, e.g. ":3478"; empty = none
	RelayIP      string // address relayed media uses; default PublicIPs[0] or the listen IP
	RelayPortMin uint16 // relay ports; 0,0 = ephemeral
	RelayPortMax uint16
	Realm        string        // default "switchboard"
	Secret       string        // shared secret for credentials (required for TURN)
	TTL          time.Duration // credential lifetime; default 12 h
	URLs         []string      // URLs given to browsers for the embedded service; default derived from Listen
	External     []string      // URLs of an external TURN/STUN service using Secret
}

// ICEServer is one entry of RTCConfiguration.iceServers.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// TURNCredentials makes TURN REST API credentials for user, valid until now+ttl.
func TURNCredentials(secret, user string, now time.Time, ttl time.Duration) (username, credential string) {
	username = strconv.FormatInt(now.Add(ttl).Unix(), 10) + ":" + user
	return username, turnPassword(secret, username)
}

func turnPassword(secret, username string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ICEServers returns what a browser needs to reach the server through TURN, with credentials
// for user that expire after TURNConfig.TTL. Empty when no TURN service is configured.
func (s *Server) ICEServers(user string) []ICEServer {
	t := s.cfg.TURN
	ttl := t.TTL
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	var out []ICEServer
	urls := append([]string(nil), t.External...)
	if s.turn != nil {
		urls = append(urls, s.turn.urls...)
	}
	if len(urls) == 0 {
		return nil
	}
	var stun, relay []string
	for _, u := range urls {
		if strings.HasPrefix(u, "stun:") || strings.HasPrefix(u, "stuns:") {
			stun = append(stun, u)
		} else {
			relay = append(relay, u)
		}
	}
	if len(stun) > 0 {
		out = append(out, ICEServer{URLs: stun})
	}
	if len(relay) > 0 && t.Secret != "" {
		name, cred := TURNCredentials(t.Secret, user, s.clk.Now(), ttl)
		out = append(out, ICEServer{URLs: relay, Username: name, Credential: cred})
	}
	return out
}

type turnService struct {
	srv  *turn.Server
	urls []string
}

func startTURN(cfg TURNConfig, clk clock.Clock, log *slog.Logger) (*turnService, error) {
	if cfg.Secret == "" {
		return nil, fmt.Errorf("media: TURN needs a Secret for its credentials")
	}
	realm := cfg.Realm
	if realm == "" {
		realm = "switchboard"
	}
	pc, err := net.ListenPacket("udp4", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("media: TURN listen %s: %w", cfg.Listen, err)
	}
	laddr := pc.LocalAddr().(*net.UDPAddr)
	relayIP := cfg.RelayIP
	if relayIP == "" {
		if !laddr.IP.IsUnspecified() {
			relayIP = laddr.IP.String()
		} else {
			relayIP = outboundIP()
		}
	}
	rip := net.ParseIP(relayIP)
	if rip == nil {
		pc.Close()
		return nil, fmt.Errorf("media: TURN relay address %q is not an IP", relayIP)
	}
	bindAddr := "0.0.0.0"
	if !laddr.IP.IsUnspecified() {
		bindAddr = laddr.IP.String()
	}
	var gen turn.RelayAddressGenerator = &turn.RelayAddressGeneratorStatic{RelayAddress: rip, Address: bindAddr}
	if cfg.RelayPortMin != 0 {
		gen = &turn.RelayAddressGeneratorPortRange{RelayAddress: rip, Address: bindAddr,
			MinPort: cfg.RelayPortMin, MaxPort: cfg.RelayPortMax}
	}
	auth := func(username, realm string, _ net.Addr) ([]byte, bool) {
		exp, _, ok := strings.Cut(username, ":")
		if !ok {
			return nil, false
		}
		t, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || t < clk.Now().Unix() {
			log.Debug("media: TURN credential refused (expired or malformed)")
			return nil, false
		}
		return turn.GenerateAuthKey(username, realm, turnPassword(cfg.Secret, username)), true
	}
	ts, err := turn.NewServer(turn.ServerConfig{
		Realm:             realm,
		LoggerFactory:     pionLogs{log: log},
		AuthHandler:       auth,
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: pc, RelayAddressGenerator: gen}},
	})
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("media: TURN: %w", err)
	}
	urls := cfg.URLs
	if len(urls) == 0 {
		host := net.JoinHostPort(relayIP, strconv.Itoa(laddr.Port))
		urls = []string{"stun:" + host, "turn:" + host + "?transport=udp"}
	}
	return &turnService{srv: ts, urls: urls}, nil
}

func (t *turnService) close() error { return t.srv.Close() }
