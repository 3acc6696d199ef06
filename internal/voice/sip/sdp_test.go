package sip_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

const head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"

func TestCheckOffer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		offer string
		want  error
		codes []string
	}{
		{"PCMU static", head + "m=audio 4000 RTP/AVP 0 101\r\n", nil, []string{"PCMU"}},
		{"PCMA then PCMU", head + "m=audio 4000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\n", nil, []string{"PCMA", "PCMU"}},
		{"dynamic PCMU", head + "m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 pcmu/8000/1\r\n", nil, []string{"PCMU"}},
		{"G.711 at 16 kHz is not G.711", head + "m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 PCMU/16000\r\n", sip.ErrNoCommonCodec, nil},
		{"G.729 only", head + "m=audio 4000 RTP/AVP 18\r\n", sip.ErrNoCommonCodec, nil},
		{"video only", head + "m=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n", sip.ErrNoCommonCodec, nil},
		{"SRTP only", head + "m=audio 4000 RTP/SAVP 0\r\n", sip.ErrNoCommonCodec, nil},
		{"audio refused", head + "m=audio 0 RTP/AVP 0\r\n", sip.ErrNoCommonCodec, nil},
		{"video then audio", head + "m=video 4000 RTP/AVP 96\r\nm=audio 4002 RTP/AVP 0\r\n", nil, []string{"PCMU"}},
		{"no version", "m=audio 4000 RTP/AVP 0\r\n", sip.ErrBadSDP, nil},
		{"bad line", head + "garbage\r\n", sip.ErrBadSDP, nil},
		{"bad port", head + "m=audio 99999 RTP/AVP 0\r\n", sip.ErrBadSDP, nil},
		{"bad c=", "v=0\r\nc=IN IP4\r\n", sip.ErrBadSDP, nil},
		{"empty", "", sip.ErrBadSDP, nil},
	} {
		err := sip.CheckOffer(tc.offer)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == nil {
			s, _ := sip.ParseSDP(tc.offer)
			if got := s.AudioCodecs(); len(got) != len(tc.codes) || (len(got) > 0 && got[0] != tc.codes[0]) {
				t.Errorf("%s: codecs %v, want %v", tc.name, got, tc.codes)
			}
		}
	}
}

// FuzzParseSDP: no input makes the SDP reader panic, and what it accepts
// CheckOffer judges consistently.
func FuzzParseSDP(f *testing.F) {
	f.Add(head + "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n")
	f.Add(head + "m=video 4000 RTP/AVP 96\r\nc=IN IP6 ::1\r\na=rtpmap:96 VP8/90000\r\n")
	f.Add("v=0\na=rtpmap:\nm=audio 1/2 RTP/AVP\n")
	f.Add("v=0\r\nm=audio 4000 RTP/AVP 97\r\na=rtpmap:97 PCMU\r\n")
	f.Fuzz(func(t *testing.T, body string) {
		s, err := sip.ParseSDP(body)
		check := sip.CheckOffer(body)
		if err != nil {
			if !errors.Is(err, sip.ErrBadSDP) || !errors.Is(check, sip.ErrBadSDP) {
				t.Fatalf("parse %v, check %v", err, check)
			}
			return
		}
		if (len(s.AudioCodecs()) > 0) != (check == nil) {
			t.Fatalf("codecs %v but check %v", s.AudioCodecs(), check)
		}
	})
}

func TestTrunkValidate(t *testing.T) {
	good := sip.Trunk{ID: "t", Numbers: []string{"+4930123456"}, Provider: "sip.example.net:5060", Transport: "tcp",
		Username: "u", Password: "p", Register: true}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*sip.Trunk){
		"transport": func(t *sip.Trunk) { t.Transport = "tls" },
		"numbers":   func(t *sip.Trunk) { t.Numbers = []string{"030123456"} },
		"provider":  func(t *sip.Trunk) { t.Provider = "sip.example.net" },
		"register":  func(t *sip.Trunk) { t.Password, t.Username = "", "" },
		"password":  func(t *sip.Trunk) { t.Password, t.Register = "", false },
	} {
		tr := good
		change(&tr)
		err := tr.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: %v, want an error naming %s", name, err, name)
		}
	}
}
