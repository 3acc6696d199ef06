// Package baresiptest runs baresip, a real SIP phone, for tests: it writes a
// config into a temporary directory, starts `baresip -f DIR`, drives it over
// its ctrl_tcp socket (netstring-framed JSON) and reports its events.
//
// baresip plays the phone network in the voice tests: it calls our numbers,
// answers our calls automatically, sends RFC 4733 DTMF and records what it
// received to a WAV file (the sndfile module) so a test can check with sox
// that the audio we sent arrived.
//
// A test that needs a phone:
//
//	phone := baresiptest.Start(t, baresiptest.Options{})      // auto-answers, sends a 440 Hz sine
//	phone.Dial("sip:+15550100@" + server.UDPAddr())            // baresip calls us
//	phone.WaitEvent("CALL_ESTABLISHED")
//	phone.SendDTMF('1')                                        // RFC 4733, payload type 101
//	phone.Hangup()
//	phone.WaitEvent("CALL_CLOSED")
//	st := baresiptest.Stats(t, phone.Recording())              // what baresip heard: st.RMS, st.Freq
//
// or is called at phone.Addr (sip:baresip@127.0.0.1:port, UDP and TCP).
// Each Phone uses its own SIP, control and RTP ports, so tests may run
// phones side by side. A missing baresip fails the test with how to install it.
package baresiptest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Install is what a test says when a tool it needs is missing.
const Install = "install it: apt-get install baresip-core sox espeak-ng (make test-deps does)"

// ModulePath is where Debian's baresip-core puts baresip's modules.
const ModulePath = "/usr/lib/baresip/modules"

// Options shape the phone. The zero value is an auto-answering phone that
// sends a 440 Hz sine and offers PCMU.
type Options struct {
	// User is the account's user part; "baresip" when empty.
	User string
	// AudioFile is a WAV (16-bit LE) to send instead of the sine. baresip
	// hangs up when the file ends: pad it for long calls.
	AudioFile string
	// SineHz is the frequency of the sine sent when AudioFile is empty; 440
	// when zero.
	SineHz int
	// Codecs is the account's audio_codecs; "PCMU/8000/1" when empty.
	Codecs string
	// Manual makes the phone ring instead of answering calls by itself.
	Manual bool
	// AuthUser and AuthPass are the digest credentials baresip answers a
	// 401/407 challenge with.
	AuthUser, AuthPass string
}

// Event is one of baresip's ctrl_tcp events, e.g. CALL_RINGING,
// CALL_ESTABLISHED, CALL_CLOSED.
type Event struct {
	Type      string `json:"type"`
	Class     string `json:"class"`
	Direction string `json:"direction"`
	PeerURI   string `json:"peeruri"`
	ID        string `json:"id"`
	Param     string `json:"param"`
}

type response struct {
	OK    bool   `json:"ok"`
	Data  string `json:"data"`
	Token string `json:"token"`
}

// Phone is a running baresip.
type Phone struct {
	// Addr is where baresip listens for SIP (127.0.0.1:port, UDP and TCP).
	Addr string
	// Dir holds the config and the recordings.
	Dir string

	t      testing.TB
	cmd    *exec.Cmd
	conn   net.Conn
	wmu    sync.Mutex
	events chan Event
	resps  chan response
	exited chan struct{}

	mu  sync.Mutex
	seq int
	all []Event
}

// Start runs baresip with o and stops it when the test ends. The test fails
// if baresip is not installed or does not come up.
func Start(t testing.TB, o Options) *Phone {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		t.Fatalf("baresip is not installed: %s", Install)
	}
	if _, err := os.Stat(filepath.Join(ModulePath, "ctrl_tcp.so")); err != nil {
		t.Fatalf("baresip's modules are missing from %s: %s", ModulePath, Install)
	}
	if o.User == "" {
		o.User = "baresip"
	}
	if o.Codecs == "" {
		o.Codecs = "PCMU/8000/1"
	}
	if o.SineHz == 0 {
		o.SineHz = 440
	}
	// The ports are picked free and released before baresip binds them, so
	// another process (a test package running beside this one) can take one
	// in between: a phone that lost that race starts again on other ports.
	for try := 1; ; try++ {
		p, lost := start(t, bin, o)
		if p != nil {
			return p
		}
		if try == 3 || !lost {
			t.Fatal("baresip lost its ports to other processes three times")
		}
		t.Logf("baresip lost a port to another process; starting it on others")
	}
}

// start runs baresip once; lost says it exited at start-up because a port
// it was given was taken meanwhile (the caller tries again).
func start(t testing.TB, bin string, o Options) (phone *Phone, lost bool) {
	t.Helper()
	dir := t.TempDir()
	sipPort := FreePort(t)
	ctrlPort := FreePort(t)
	rtpLo := freeRange(t, 20)
	source := fmt.Sprintf("ausine,%d", o.SineHz)
	if o.AudioFile != "" {
		source = "aufile," + o.AudioFile
	}
	cfg := strings.Join([]string{
		"poll_method epoll",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", sipPort),
		"net_interface 127.0.0.1",
		fmt.Sprintf("rtp_ports %d-%d", rtpLo, rtpLo+19),
		"module_path " + ModulePath,
		"module g711.so", "module ausine.so", "module aufile.so", "module aubridge.so", "module sndfile.so",
		"module_app account.so", "module_app ctrl_tcp.so", "module_app menu.so",
		"audio_source " + source,
		"audio_player aubridge,nil",
		"audio_alert aubridge,nil",
		"ausrc_srate 48000", "ausrc_channels 2", // ausine's only format; baresip resamples
		"snd_path " + dir,
		fmt.Sprintf("ctrl_tcp_listen 127.0.0.1:%d", ctrlPort),
		"",
	}, "\n")
	if o.AudioFile != "" {
		// aufile reads the file as it is: tell baresip its format.
		rate, channels := wavFormat(t, o.AudioFile)
		cfg = strings.Replace(cfg, "ausrc_srate 48000", "ausrc_srate "+strconv.Itoa(rate), 1)
		cfg = strings.Replace(cfg, "ausrc_channels 2", "ausrc_channels "+strconv.Itoa(channels), 1)
	}
	account := fmt.Sprintf("<sip:%s@127.0.0.1>;regint=0;audio_codecs=%s", o.User, o.Codecs)
	if !o.Manual {
		account += ";answermode=auto"
	}
	if o.AuthUser != "" {
		account += ";auth_user=" + o.AuthUser + ";auth_pass=" + o.AuthPass
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "baresip.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", dir)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Stdin = nil
	if err := cmd.Start(); err != nil {
		t.Fatalf("start baresip: %v (%s)", err, Install)
	}
	p := &Phone{Addr: fmt.Sprintf("127.0.0.1:%d", sipPort), Dir: dir, t: t, cmd: cmd,
		events: make(chan Event, 64), resps: make(chan response, 8), exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); log.Close(); close(p.exited) }()
	t.Cleanup(p.stop)

	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort))
		if err == nil {
			p.conn = c
			break
		}
		select {
		case <-p.exited:
			if strings.Contains(p.Log(), "Address already in use") {
				return nil, true
			}
			t.Fatalf("baresip exited at start-up; its log:\n%s", p.Log())
		case <-time.After(50 * time.Millisecond):
		}
		if strings.Contains(p.Log(), "Address already in use") {
			// A module that lost its port does not stop baresip (ctrl_tcp
			// fails to load and baresip goes on without its control socket):
			// end it and try other ports.
			_ = p.cmd.Process.Kill()
			<-p.exited
			return nil, true
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip's control socket did not open within 20 s; its log:\n%s", p.Log())
		}
	}
	go p.read()
	return p, false
}

// Log is what baresip printed so far.
func (p *Phone) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "baresip.log"))
	return string(b)
}

// URI is a SIP URI at baresip for user (the account's user when empty).
func (p *Phone) URI(user string) string {
	if user == "" {
		user = "baresip"
	}
	return "sip:" + user + "@" + p.Addr
}

// Dial makes baresip call uri (e.g. "sip:+15550100@127.0.0.1:5070").
func (p *Phone) Dial(uri string) error { return p.Command("dial", uri) }

// Accept answers the ringing call (for a phone started with Manual).
func (p *Phone) Accept() error { return p.Command("accept", "") }

// Hangup ends the current call with BYE (or CANCEL while it rings).
func (p *Phone) Hangup() error { return p.Command("hangup", "") }

// SendDTMF sends digit as an RFC 4733 telephone-event.
func (p *Phone) SendDTMF(digit rune) error { return p.Command("sndcode", string(digit)) }

// Command sends one ctrl_tcp command and waits for baresip's response.
func (p *Phone) Command(command, params string) error {
	p.mu.Lock()
	p.seq++
	token := strconv.Itoa(p.seq)
	p.mu.Unlock()
	b, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": token})
	p.wmu.Lock()
	_, err := fmt.Fprintf(p.conn, "%d:%s,", len(b), b)
	p.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("baresip %s: %w", command, err)
	}
	for {
		select {
		case r := <-p.resps:
			if r.Token != token {
				continue
			}
			if !r.OK {
				return fmt.Errorf("baresip %s %s: %s", command, params, r.Data)
			}
			return nil
		case <-p.exited:
			return fmt.Errorf("baresip %s: baresip exited", command)
		case <-time.After(30 * time.Second):
			return fmt.Errorf("baresip %s: no response in 30 s", command)
		}
	}
}

// Events delivers baresip's events as they arrive.
func (p *Phone) Events() <-chan Event { return p.events }

// WaitEvent waits up to 30 s (a loaded machine is slow) for an event of
// type typ, failing the test otherwise. Earlier events of other types are
// passed over.
func (p *Phone) WaitEvent(typ string) Event {
	p.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-p.events:
			if e.Type == typ {
				return e
			}
		case <-p.exited:
			p.t.Fatalf("baresip exited while the test waited for %s; its log:\n%s", typ, p.Log())
		case <-timeout:
			p.t.Fatalf("baresip sent no %s within 30 s; events so far %v; its log:\n%s", typ, p.seen(), p.Log())
		}
	}
}

func (p *Phone) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s []string
	for _, e := range p.all {
		s = append(s, e.Type)
	}
	return s
}

// Kill ends baresip at once, without a BYE: the call's far end simply dies.
func (p *Phone) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// Recording returns the path of the WAV of what baresip received in its
// (single) call — sndfile's "-dec.wav" — once baresip has written it.
func (p *Phone) Recording() string {
	p.t.Helper()
	matches, _ := filepath.Glob(filepath.Join(p.Dir, "dump-*-dec.wav"))
	if len(matches) == 0 {
		p.t.Fatalf("baresip recorded nothing in %s; its log:\n%s", p.Dir, p.Log())
	}
	return matches[len(matches)-1]
}

func (p *Phone) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	if p.conn != nil {
		_ = p.Command("quit", "")
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if p.conn != nil {
		p.conn.Close()
	}
}

func (p *Phone) read() {
	r := bufio.NewReader(p.conn)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			return
		}
		var head struct {
			Event    bool `json:"event"`
			Response bool `json:"response"`
		}
		if json.Unmarshal(msg, &head) != nil {
			continue
		}
		switch {
		case head.Event:
			var e Event
			if json.Unmarshal(msg, &e) == nil {
				p.mu.Lock()
				p.all = append(p.all, e)
				p.mu.Unlock()
				select {
				case p.events <- e:
				default: // a test that does not read events loses none it waits for: WaitEvent drains
				}
			}
		case head.Response:
			var resp response
			if json.Unmarshal(msg, &resp) == nil {
				select {
				case p.resps <- resp:
				default:
				}
			}
		}
	}
}

// readNetstring reads one "LEN:DATA," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	lenText, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenText, ":")))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("netstring length %q", lenText)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring without its comma")
	}
	return buf[:n], nil
}

// FreePort returns a port free on 127.0.0.1 for both UDP and TCP now.
func FreePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		u.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free port on 127.0.0.1")
	return 0
}

// freeRange finds n consecutive UDP ports free on 127.0.0.1 for RTP.
func freeRange(t testing.TB, n int) int {
	t.Helper()
	for try := 0; try < 100; try++ {
		base := 20000 + (os.Getpid()*7919+try*523+int(time.Now().UnixNano()%9973))%40000
		base &^= 1
		ok := true
		var held []net.PacketConn
		for i := 0; i < n && ok; i++ {
			c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free RTP port range on 127.0.0.1")
	return 0
}

// wavFormat reads a WAV header's sample rate and channel count.
func wavFormat(t testing.TB, path string) (rate, channels int) {
	t.Helper()
	b := make([]byte, 28)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadFull(f, b); err != nil || string(b[:4]) != "RIFF" {
		t.Fatalf("%s is not a WAV file", path)
	}
	return int(b[24]) | int(b[25])<<8 | int(b[26])<<16 | int(b[27])<<24, int(b[22]) | int(b[23])<<8
}
