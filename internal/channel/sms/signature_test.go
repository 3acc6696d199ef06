package sms_test

import (
	"net/url"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
)

// The published vector of Twilio's Go helper library, twilio/twilio-go,
// client/request_validator_test.go:
//
//	testURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
//	signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=" // of the testURL above with the params below
//	validator = NewRequestValidator("12345")
//	params    = map[string]string{"Digits": "1234", "CallSid": "CA1234567890ABCDE",
//		"To": "+18005551212", "Caller": "+14158675309", "From": "+14158675309"}
//	expectedSignature := "kvajT1Ptam85bY51eRf/AJRuM3w=" // the same URL signed with :443
//	theURL = "http://mycompany.com/myapp.php?foo=1&bar=2"
//	expectedSignature := "0ZXoZLH/DfblKGATFgpif+LLRf4=" // accepted for theURL: it is the :80 form
//	expectedSignature := "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=" // http, port 1234
var vectorParams = url.Values{"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
	"Caller": {"+14158675309"}, "From": {"+14158675309"}}

const vectorToken = "12345"

func TestTwilioSignatureVector(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"https://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{"http://mycompany.com:80/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="},
		{"http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
	} {
		if got := sms.TwilioSignature(vectorToken, tc.url, vectorParams); got != tc.want {
			t.Errorf("TwilioSignature(%s) = %s, want %s", tc.url, got, tc.want)
		}
		// The tests' own signer, which signs their webhooks, agrees with the vector too.
		if got := twiliotest.Sign(vectorToken, tc.url, vectorParams); got != tc.want {
			t.Errorf("twiliotest.Sign(%s) = %s, want %s", tc.url, got, tc.want)
		}
	}
}

func TestValidTwilioSignature(t *testing.T) {
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	changed := url.Values{}
	for k, v := range vectorParams {
		changed[k] = v
	}
	changed.Set("Digits", "1235")
	for _, tc := range []struct {
		name, url, token, sig string
		params                url.Values
		want                  bool
	}{
		{"the vector", u, vectorToken, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vectorParams, true},
		// Twilio signed with the default port; we were configured without it, and the reverse.
		{"signed with :443", u, vectorToken, "kvajT1Ptam85bY51eRf/AJRuM3w=", vectorParams, true},
		{"http, signed with :80", "http://mycompany.com/myapp.php?foo=1&bar=2", vectorToken, "0ZXoZLH/DfblKGATFgpif+LLRf4=", vectorParams, true},
		{"configured with :443", "https://mycompany.com:443/myapp.php?foo=1&bar=2", vectorToken, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vectorParams, true},
		{"another port is another URL", "https://mycompany.com:8443/myapp.php?foo=1&bar=2", vectorToken, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vectorParams, false},
		{"wrong signature", u, vectorToken, "WRONG SIGNATURE", vectorParams, false},
		{"another token", u, "54321", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vectorParams, false},
		{"a changed parameter", u, vectorToken, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", changed, false},
		{"another path", "https://mycompany.com/other.php?foo=1&bar=2", vectorToken, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vectorParams, false},
		{"no token configured", u, "", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vectorParams, false},
		{"no signature", u, vectorToken, "", vectorParams, false},
	} {
		if got := sms.ValidTwilioSignature(tc.token, tc.url, tc.params, tc.sig); got != tc.want {
			t.Errorf("%s: valid = %v, want %v", tc.name, got, tc.want)
		}
	}
}
