package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// TwilioSignature is the X-Twilio-Signature Twilio computes for a request: the
// base64 HMAC-SHA1, keyed by the account's auth token, of the full URL Twilio
// requested followed by every POST parameter's name and value, sorted by name
// (and, for a repeated name, by value).
func TwilioSignature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vs := append([]string(nil), params[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidTwilioSignature reports whether signature is Twilio's for the request,
// comparing in constant time. Twilio has signed the URL both with and without
// the scheme's default port over the years, so both forms are accepted, as
// Twilio's own helper libraries do.
func ValidTwilioSignature(authToken, fullURL string, params url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	ok := false
	for _, u := range urlForms(fullURL) {
		// Not short-circuited, so the time taken does not say which form matched.
		if subtle.ConstantTimeCompare([]byte(TwilioSignature(authToken, u, params)), []byte(signature)) == 1 {
			ok = true
		}
	}
	return ok
}

// urlForms is the URL as given, without its default port and with it.
func urlForms(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	port := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if port == "" {
		return []string{raw}
	}
	host := u.Hostname()
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	switch u.Port() {
	case "":
		with := *u
		with.Host = host + ":" + port
		return []string{raw, with.String()}
	case port:
		without := *u
		without.Host = host
		return []string{raw, without.String()}
	}
	return []string{raw}
}
