package sip

import (
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"
)

func answer(t *testing.T, chal, method, uri, user, pass string) string {
	t.Helper()
	c, err := digest.ParseChallenge(chal)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := digest.Digest(c, digest.Options{Method: method, URI: uri, Username: user, Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	return cred.String()
}

func TestDigestGuard(t *testing.T) {
	g := digestGuard{realm: "switchboard", secret: []byte("k"), lifetime: 5 * time.Minute}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	chal := g.challenge(now, false)
	good := answer(t, chal, "INVITE", "sip:+1555@h", "u", "p")
	if err := g.check(good, "INVITE", "u", "p", now.Add(time.Minute)); err != nil {
		t.Fatalf("good credentials: %v", err)
	}
	for name, tc := range map[string]struct {
		header, method, user, pass string
		at                         time.Time
		want                       error
	}{
		"none":           {"", "INVITE", "u", "p", now, errNoCredentials},
		"wrong password": {answer(t, chal, "INVITE", "sip:+1555@h", "u", "x"), "INVITE", "u", "p", now, errBadCredentials},
		"wrong user":     {answer(t, chal, "INVITE", "sip:+1555@h", "v", "p"), "INVITE", "u", "p", now, errBadCredentials},
		"other method":   {good, "BYE", "u", "p", now, errBadCredentials},
		"stale":          {good, "INVITE", "u", "p", now.Add(6 * time.Minute), errStaleNonce},
		"forged nonce":   {strings.Replace(good, "nonce=\"", "nonce=\"x", 1), "INVITE", "u", "p", now, errBadCredentials},
		"foreign secret": {answer(t, digestGuard{realm: "switchboard", secret: []byte("other"), lifetime: time.Hour}.challenge(now, false), "INVITE", "sip:x", "u", "p"), "INVITE", "u", "p", now, errBadCredentials},
		"not digest":     {"Basic dTpw", "INVITE", "u", "p", now, errBadCredentials},
	} {
		if err := g.check(tc.header, tc.method, tc.user, tc.pass, tc.at); err != tc.want {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// FuzzDigestCheck: no Authorization header makes the digest check panic or
// pass without the password.
func FuzzDigestCheck(f *testing.F) {
	g := digestGuard{realm: "switchboard", secret: []byte("k"), lifetime: time.Hour}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	f.Add(`Digest username="u", realm="switchboard", nonce="AAAA", uri="sip:x", response="0"`)
	f.Add(`Digest username="u", qop=auth, nc=zz, cnonce="", algorithm=SHA-512`)
	f.Add(`Digest ,,,=,"`)
	f.Fuzz(func(t *testing.T, header string) {
		if g.check(header, "INVITE", "u", "p", now) == nil {
			t.Fatalf("%q passed without knowing the password", header)
		}
	})
}
