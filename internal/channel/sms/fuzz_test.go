package sms_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
)

const formType = "application/x-www-form-urlencoded"

func webhookOf(rawURL, contentType string, body []byte, sig string) sms.Webhook {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	if sig != "" {
		h.Set("X-Twilio-Signature", sig)
	}
	return sms.Webhook{URL: rawURL, Header: h, Body: body}
}

// FuzzTwilioInbound: whatever a webhook's body, parsing never panics, and
// what it accepts has the parameters the channel relies on and only media it
// could fetch over http(s) — never more than Twilio attaches.
func FuzzTwilioInbound(f *testing.F) {
	f.Add([]byte(twiliotest.InboundForm("SM1", "ACaaaa", "+15551230001", "+15005550006", "hello").Encode()), formType)
	mms := twiliotest.InboundForm("MM1", "ACaaaa", "+15551230001", "+15005550006", "")
	mms.Set("NumMedia", "2")
	mms.Set("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/ACaaaa/Messages/MM1/Media/ME1")
	mms.Set("MediaContentType0", "image/jpeg")
	mms.Set("MediaUrl1", "http://127.0.0.1:9090/metrics")
	f.Add([]byte(mms.Encode()), formType+"; charset=utf-8")
	f.Add([]byte("MessageSid=SM1&From=%2B1&To=%2B2&NumMedia=11"), formType)
	f.Add([]byte("MessageSid=SM1&From=%2B1&To=%2B2&NumMedia=-1"), formType)
	f.Add([]byte("MessageSid=SM1&From=%2B1&To=%2B2&NumMedia=1&MediaUrl0=javascript:alert(1)"), formType)
	f.Add([]byte("MessageSid=SM1&From=%2B1&To=%2B2&NumMedia=1&MediaUrl0=http:///nohost"), formType)
	f.Add([]byte("a=%zz"), formType)
	f.Add([]byte(`{"MessageSid":"SM1"}`), "application/json")
	f.Add([]byte(""), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		tw := sms.NewTwilio("", nil, nil)
		wh := webhookOf("https://center.example/channels/sms/twilio/inbound", contentType, body, "")
		in, err := tw.ParseInbound(wh)
		if err == nil {
			if strings.TrimSpace(in.MessageID) == "" || strings.TrimSpace(in.From) == "" || strings.TrimSpace(in.To) == "" {
				t.Fatalf("accepted without MessageSid, From or To: %+v", in)
			}
			if len(in.Media) > 10 {
				t.Fatalf("accepted %d media", len(in.Media))
			}
			for _, m := range in.Media {
				u, err := url.Parse(m.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					t.Fatalf("accepted media URL %q", m.URL)
				}
			}
		} else if !strings.Contains(err.Error(), "malformed") && !strings.Contains(err.Error(), "Malformed") {
			t.Logf("error kind: %v", err)
		}
		rep, err := tw.ParseStatus(wh)
		if err == nil {
			switch rep.Status {
			case "", "sent", "delivered", "read", "failed":
			default:
				t.Fatalf("status %q is none of the inbox's", rep.Status)
			}
		}
	})
}

// FuzzTwilioSignature: a webhook signed with the account's token verifies,
// the same one signed with another token or changed after signing does not,
// and nothing panics, whatever the URL, body and header.
func FuzzTwilioSignature(f *testing.F) {
	form := twiliotest.InboundForm("SM1", "ACaaaa", "+15551230001", "+15005550006", "hello")
	f.Add("token-of-a", "https://center.example/channels/sms/twilio/inbound", []byte(form.Encode()), "")
	f.Add("token-of-a", "https://center.example:443/channels/sms/twilio/inbound?tenant=t&account=a", []byte(form.Encode()), "bogus")
	f.Add("t", "http://[::1]:80/x", []byte("a=1&a=0&b="), "AAAA")
	f.Add("t", "%%", []byte("x=%zz"), "")
	f.Add("", "https://center.example/", []byte("a=b"), "")
	f.Fuzz(func(t *testing.T, token, rawURL string, body []byte, header string) {
		tw := sms.NewTwilio("", nil, nil)
		acct := channel.Account{Address: "+15005550006", Settings: map[string]string{sms.SettingAuthToken: token}}
		// Whatever the header says, Verify does not panic, and an empty
		// token or signature never verifies.
		err := tw.Verify(webhookOf(rawURL, formType, body, header), acct)
		if err == nil && (token == "" || header == "") {
			t.Fatalf("verified with token %q and signature %q", token, header)
		}
		params, perr := url.ParseQuery(string(body))
		if perr != nil || token == "" {
			return
		}
		sig := sms.TwilioSignature(token, rawURL, params)
		if err := tw.Verify(webhookOf(rawURL, formType, body, sig), acct); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		other := channel.Account{Address: acct.Address, Settings: map[string]string{sms.SettingAuthToken: token + "x"}}
		if err := tw.Verify(webhookOf(rawURL, formType, body, sig), other); err == nil {
			t.Fatal("verified with another account's token")
		}
		tampered := append([]byte("Body=changed&"), body...)
		if err := tw.Verify(webhookOf(rawURL, formType, tampered, sig), acct); err == nil {
			t.Fatal("verified a body changed after signing")
		}
	})
}

// FuzzParseKeyword: only a message that is exactly a carrier keyword, in
// ASCII letters of any case with space around it, changes consent.
func FuzzParseKeyword(f *testing.F) {
	for _, s := range []string{"STOP", " stop\n", "Stop please", "UNSTOP", "help", "ſtop", "ınfo", "ＳＴＯＰ", "\u00a0END\u2003", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		kw, word := sms.ParseKeyword(body)
		if kw == sms.KeywordNone {
			if word != "" {
				t.Fatalf("no keyword but word %q", word)
			}
			return
		}
		if !strings.EqualFold(strings.TrimSpace(body), word) {
			t.Fatalf("%q read as %s (%q)", body, kw, word)
		}
		for _, r := range word {
			if r < 'A' || r > 'Z' {
				t.Fatalf("%q read as keyword %q with a character that is not an ASCII letter", body, word)
			}
		}
		for _, r := range strings.TrimSpace(body) {
			if r > 0x7f {
				t.Fatalf("%q read as keyword %q: carriers match ASCII keywords only", body, word)
			}
		}
	})
}
