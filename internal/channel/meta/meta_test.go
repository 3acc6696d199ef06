package meta

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// The vector is computed independently of Sign: HMAC-SHA256 of the body with
// the key, as `printf %s "$body" | openssl dgst -sha256 -hmac "$key"` gives it.
func TestSignatureVector(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	const secret = "app-secret"
	const want = "sha256=d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f"
	if got := Sign(secret, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if err := Verify(secret, body, want); err != nil {
		t.Fatalf("the vector does not verify: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	body := []byte(`{"entry":[]}`)
	good := Sign("s3cret", body)
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
	}{
		"no header":      {"s3cret", "", body},
		"no prefix":      {"s3cret", good[len("sha256="):], body},
		"other secret":   {"other", good, body},
		"changed body":   {"s3cret", good, []byte(`{"entry":[1]}`)},
		"not hex":        {"s3cret", "sha256=zz", body},
		"sha1 signature": {"s3cret", "sha1=" + good[len("sha256="):], body},
		"empty secret":   {"", Sign("", body), body},
	} {
		if err := Verify(c.secret, c.body, c.header); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
	if err := Verify("s3cret", body, "  "+good); err != nil {
		t.Errorf("surrounding space is not a different signature: %v", err)
	}
}

func TestChallenge(t *testing.T) {
	ok := func(tok string) bool { return tok == "verify-me" }
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-me"}, "hub.challenge": {"1158201444"}}
	if got, err := Challenge(q, ok); err != nil || got != "1158201444" {
		t.Fatalf("Challenge = %q, %v", got, err)
	}
	bad := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}
	if _, err := Challenge(bad, ok); err == nil {
		t.Fatal("a wrong verify token was accepted")
	}
	if _, err := Challenge(url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {"verify-me"}, "hub.challenge": {"1"}}, ok); err == nil {
		t.Fatal("a mode other than subscribe was accepted")
	}
}

func TestClassify(t *testing.T) {
	now := time.Now()
	answer := func(status int, retryAfter, body string) error {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return Classify(&http.Response{StatusCode: status, Header: h}, []byte(body), now)
	}
	throttled := answer(http.StatusBadRequest, "", `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`)
	if d, ok := channel.RetryAfter(throttled); !ok || d != DefaultThrottleWait {
		t.Errorf("WhatsApp's throughput limit waits %s, %v", d, ok)
	}
	var ge *GraphError
	if !errors.As(throttled, &ge) || ge.Code != 130429 || ge.FBTraceID == "" {
		t.Errorf("the Graph error is kept: %#v", ge)
	}
	if d, ok := channel.RetryAfter(answer(http.StatusTooManyRequests, "20", `{}`)); !ok || d != 20*time.Second {
		t.Errorf("a 429 with Retry-After 20 waits %s, %v", d, ok)
	}
	if err := answer(http.StatusInternalServerError, "", `{"error":{"message":"An unknown error occurred","code":1}}`); errors.Is(err, channel.ErrPermanent) {
		t.Error("a 500 is retried")
	}
	if err := answer(http.StatusBadRequest, "", `{"error":{"message":"Re-engagement message","code":131047}}`); !errors.Is(err, channel.ErrPermanent) {
		t.Error("a send outside the customer-service window is permanent")
	}
	if err := answer(http.StatusBadGateway, "", `<html>bad gateway</html>`); err == nil || errors.Is(err, channel.ErrPermanent) {
		t.Errorf("a proxy's 502 page is retried: %v", err)
	}
}
