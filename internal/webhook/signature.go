package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request headers of every delivery.
const (
	HeaderDelivery  = "Switchboard-Delivery"
	HeaderEvent     = "Switchboard-Event"
	HeaderSignature = "Switchboard-Signature"
	UserAgent       = "Switchboard-Webhooks/1"
)

// SecretPrefix starts every signing secret, so a leaked one is recognisable.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far from now a signature's timestamp may be when
// Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// ErrSignature is returned by Verify for any signature it rejects.
var ErrSignature = errors.New("invalid webhook signature")

// NewSecret returns a fresh signing secret: "whsec_" and 32 random bytes in
// unpadded base64url.
func NewSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Sign returns the Switchboard-Signature header value for body sent at ts:
//
//	t=<ts as Unix seconds>,v1=<hex of HMAC-SHA256(key, "<ts>.<body>")>
//
// The key is the whole secret string, "whsec_" prefix included, as UTF-8 bytes.
// Signing the timestamp with the body lets receivers refuse replays of old
// requests; signing the raw body means receivers must verify before parsing.
func Sign(secret string, ts time.Time, body []byte) string {
	unix := strconv.FormatInt(ts.Unix(), 10)
	return "t=" + unix + ",v1=" + hex.EncodeToString(mac(secret, unix, body))
}

func mac(secret, unix string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(unix))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a Switchboard-Signature header against the raw request body, as
// a receiver does: the timestamp must be within tolerance of now (either side;
// zero means DefaultTolerance) and one v1 value must equal the HMAC, compared in
// constant time. Several v1 values may appear (during a secret rotation); any
// match is enough. Errors wrap ErrSignature.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var unix string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			unix = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	ts, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no valid timestamp", ErrSignature)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %d is outside the %s tolerance", ErrSignature, ts, tolerance)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1 signature", ErrSignature)
	}
	want := mac(secret, unix, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches", ErrSignature)
}
