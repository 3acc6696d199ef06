package sip_test

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// provider is a SIP provider for the trunk tests, built on sipgo's server
// independently of the package under test: a registrar that challenges
// and checks the digest itself, and an INVITE handler the test chooses.
type provider struct {
	addr             string // UDP host:port
	user, pass       string
	realm            string
	grant            int // seconds granted to a REGISTER
	onInvite         func(req *sipmsg.Request, tx sipmsg.ServerTransaction)
	mu               sync.Mutex
	nonces           map[string]bool
	registers        []int // Expires of each authorised REGISTER
	refused          int
	byes             int
	dialogs          *sipgo.DialogServerCache
	unauthenticateds int
}

func newProvider(t *testing.T, user, pass string) *provider { return newProviderTB(t, user, pass) }

func newProviderTB(t testing.TB, user, pass string) *provider {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-provider"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(testLog(t)))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{addr: pc.LocalAddr().String(), user: user, pass: pass, realm: "provider.test", grant: 2,
		nonces: map[string]bool{}}
	host, portText, _ := net.SplitHostPort(p.addr)
	port, _ := strconv.Atoi(portText)
	client, err := sipgo.NewClient(ua, sipgo.WithClientConnectionAddr(p.addr), sipgo.WithClientHostname(host), sipgo.WithClientPort(port))
	if err != nil {
		t.Fatal(err)
	}
	p.dialogs = sipgo.NewDialogServerCache(client, sipmsg.ContactHeader{Address: sipmsg.Uri{Scheme: "sip", User: "provider", Host: host, Port: port}})
	srv.OnRegister(p.register)
	srv.OnInvite(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		p.mu.Lock()
		h := p.onInvite
		p.mu.Unlock()
		if h != nil {
			h(req, tx)
		}
	})
	srv.OnAck(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) { _ = p.dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		p.mu.Lock()
		p.byes++
		p.mu.Unlock()
		if err := p.dialogs.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 481, "No Such Call", nil))
		}
	})
	srv.OnOptions(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 200, "OK", nil))
	})
	go srv.ServeUDP(pc)
	t.Cleanup(func() { pc.Close(); ua.Close() })
	return p
}

func (p *provider) challenge(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, header string) {
	b := make([]byte, 12)
	rand.Read(b)
	nonce := hex.EncodeToString(b)
	p.mu.Lock()
	p.nonces[nonce] = true
	p.mu.Unlock()
	c := digest.Challenge{Realm: p.realm, Nonce: nonce, Algorithm: "MD5", QOP: []string{"auth"}}
	res := sipmsg.NewResponseFromRequest(req, code, "Authenticate", nil)
	res.AppendHeader(sipmsg.NewHeader(header, c.String()))
	_ = tx.Respond(res)
}

// authorised checks the request's credentials in header against what the
// provider issued and its password.
func (p *provider) authorised(req *sipmsg.Request, header string) bool {
	h := req.GetHeader(header)
	if h == nil {
		return false
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil || cred.Username != p.user || cred.Realm != p.realm {
		return false
	}
	p.mu.Lock()
	issued := p.nonces[cred.Nonce]
	p.mu.Unlock()
	if !issued {
		return false
	}
	want, err := digest.Digest(&digest.Challenge{Realm: p.realm, Nonce: cred.Nonce, Algorithm: "MD5", QOP: []string{"auth"}},
		digest.Options{Method: req.Method.String(), URI: cred.URI, Username: p.user, Password: p.pass, Cnonce: cred.Cnonce, Count: cred.Nc})
	return err == nil && want.Response == cred.Response
}

func (p *provider) register(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if req.GetHeader("Authorization") == nil {
		p.mu.Lock()
		p.unauthenticateds++
		p.mu.Unlock()
		p.challenge(req, tx, 401, "WWW-Authenticate")
		return
	}
	if !p.authorised(req, "Authorization") {
		p.mu.Lock()
		p.refused++
		p.mu.Unlock()
		_ = tx.Respond(sipmsg.NewResponseFromRequest(req, 403, "Forbidden", nil))
		return
	}
	expires := 3600
	if h := req.GetHeader("Expires"); h != nil {
		expires, _ = strconv.Atoi(h.Value())
	}
	granted := min(expires, p.grant)
	p.mu.Lock()
	p.registers = append(p.registers, granted)
	p.mu.Unlock()
	res := sipmsg.NewResponseFromRequest(req, 200, "OK", nil)
	if c := req.Contact(); c != nil {
		cc := c.Clone()
		cc.Params = sipmsg.NewParams()
		cc.Params.Add("expires", strconv.Itoa(granted))
		res.AppendHeader(cc)
	}
	_ = tx.Respond(res)
}

func (p *provider) snapshot() (registers []int, refused, byes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.registers...), p.refused, p.byes
}

// answerWith makes the provider answer INVITEs: challenge with 407 first
// when auth, then ring, then respond code (200 with sdp) — once heard is
// closed, when it is not nil: sipgo handles each response in its own
// goroutine, so a 200 hard on the heels of a 180 may overtake it.
func (p *provider) answerWith(t testing.TB, auth bool, code int, sdp string, heard ...chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onInvite = func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		if auth && !p.authorised(req, "Proxy-Authorization") {
			p.challenge(req, tx, 407, "Proxy-Authenticate")
			return
		}
		dlg, err := p.dialogs.ReadInvite(req, tx)
		if err != nil {
			t.Errorf("provider: %v", err)
			return
		}
		_ = dlg.Respond(180, "Ringing", nil)
		for _, h := range heard {
			select {
			case <-h:
			case <-time.After(wait):
				t.Errorf("provider: our 180 was not heard")
			}
		}
		switch code {
		case 200:
			_ = dlg.RespondSDP([]byte(sdp))
		case 0: // never answers
			<-dlg.Context().Done()
		default:
			_ = dlg.Respond(code, "Refused", nil)
		}
	}
}
