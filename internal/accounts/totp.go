package accounts

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Errors of the second factor the HTTP layer maps to statuses.
var (
	ErrSecondFactorNeeded = errors.New("enter the code from your authenticator app, or a recovery code")
	ErrBadCode            = errors.New("the code is wrong or was already used")
	ErrAlreadyEnrolled    = errors.New("a second factor is already set up; remove it first to set up another")
	ErrNotEnrolled        = errors.New("no second factor is being set up; start again")
	ErrTooManyCodes       = errors.New("too many wrong codes; try again in an hour, or ask an admin")
)

// wrongCodesPerHour bounds the guesses at a user's codes (on a node): a
// password alone then buys 10 tries an hour at a million codes.
const wrongCodesPerHour = 10

// RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second
// steps. One step either side is accepted for clocks that drift.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

const (
	totpIssuer        = "Switchboard"
	recoveryCodeCount = 10
)

var b32 = base32.StdEncoding

// Enrolment is a second factor being set up: the secret is shown once, as
// text, as an otpauth:// URI and as a QR code of it.
type Enrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauth_uri"`
	QRCode string `json:"qr_png"` // a data: URL
}

// TOTPStatus is what a user sees of their second factor.
type TOTPStatus struct {
	Enrolled      bool `json:"enrolled"`
	Required      bool `json:"required"`
	RecoveryCodes int  `json:"recovery_codes_left"`
}

// TOTPStatus reports the user's second factor and whether their tenant requires one.
func (s *Service) TOTPStatus(ctx context.Context, tenantID, userID string) (TOTPStatus, error) {
	required, enrolled, err := s.db.SecondFactorState(ctx, tenantID, userID)
	if err != nil {
		return TOTPStatus{}, err
	}
	st := TOTPStatus{Enrolled: enrolled, Required: required}
	if enrolled {
		if st.RecoveryCodes, err = s.db.RecoveryCodesLeft(ctx, tenantID, userID); err != nil {
			return st, err
		}
	}
	return st, nil
}

// StartTOTP makes a new secret for the user, not yet in force: ConfirmTOTP
// with a code from it puts it in force. Starting again replaces it.
func (s *Service) StartTOTP(ctx context.Context, t tenant.Tenant, u tenant.User) (Enrolment, error) {
	if cur, err := s.db.TOTP(ctx, t.ID, u.ID); err == nil && !cur.ConfirmedAt.IsZero() {
		return Enrolment{}, ErrAlreadyEnrolled
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer + " (" + t.Slug + ")", AccountName: u.Email,
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("make totp secret: %w", err)
	}
	sealed, err := s.seal(key.Secret())
	if err != nil {
		return Enrolment{}, err
	}
	if err := s.db.PutTOTP(ctx, store.TOTP{TenantID: t.ID, UserID: u.ID, SealedSecret: sealed, CreatedAt: s.clock.Now()}); err != nil {
		return Enrolment{}, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("draw totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("encode totp qr code: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// ConfirmTOTP puts the user's new secret in force once they prove with a
// code that their app holds it, and returns their recovery codes, shown this
// once (only their hashes are kept).
func (s *Service) ConfirmTOTP(ctx context.Context, a Actor, code string) ([]string, error) {
	cur, err := s.db.TOTP(ctx, a.TenantID, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	if !cur.ConfirmedAt.IsZero() {
		return nil, ErrAlreadyEnrolled
	}
	secret, err := s.unseal(cur.SealedSecret)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		return nil, ErrBadCode
	}
	codes := make([]string, recoveryCodeCount)
	hashes := make([]string, recoveryCodeCount)
	for i := range codes {
		raw := strings.ToLower(b32.EncodeToString(randomBytes(5))) // 8 characters, 40 bits
		codes[i] = raw[:4] + "-" + raw[4:]
		hashes[i] = s.recoveryHash(a.TenantID, a.ID, codes[i])
	}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.UseTOTPStep(ctx, a.TenantID, a.ID, step, now); errors.Is(err, store.ErrConflict) {
			return ErrBadCode
		} else if err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, a.TenantID, a.ID, hashes); err != nil {
			return err
		}
		return audit(ctx, tx, a, now, "user.totp_enrol", "user", a.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RemoveTOTP takes away a user's second factor: the user's own, with their
// password, or an admin's for a user who lost their phone. Their other
// sessions end, since whoever held them may be why.
func (s *Service) RemoveTOTP(ctx context.Context, a Actor, userID, password string) error {
	u, err := s.db.User(ctx, a.TenantID, userID)
	if err != nil {
		return err
	}
	if a.Type == "user" && a.ID == userID {
		ok, err := auth.CheckPassword(u.PasswordHash, password)
		if err != nil {
			return err
		}
		if !ok {
			return &tenant.FieldError{Field: "password", Reason: "is not your current password"}
		}
	}
	if _, err := s.db.TOTP(ctx, a.TenantID, userID); errors.Is(err, store.ErrNotFound) {
		return nil // none to remove: already as asked
	} else if err != nil {
		return err
	}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.DeleteTOTP(ctx, a.TenantID, userID); err != nil {
			return err
		}
		if a.ID != userID {
			if err := tx.DeleteUserSessions(ctx, a.TenantID, userID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, a, s.clock.Now(), "user.totp_remove", "user", userID, nil)
	})
	if err == nil && a.ID != userID {
		s.announceAuthChange(ctx, a.TenantID, event.AuthChange{UserID: userID, Reason: "second factor removed"})
	}
	return err
}

// SetAuthPolicy changes the tenant's sign-in rules. Requiring a second factor
// takes effect at once: users without one can do nothing but set one up.
func (s *Service) SetAuthPolicy(ctx context.Context, a Actor, p tenant.AuthPolicy) (tenant.AuthPolicy, error) {
	if p.RequireTOTP && a.Type == "user" {
		// An admin who required what they lack would lock themselves into the
		// enrolment page mid-change; they set theirs up first.
		if _, enrolled, err := s.db.SecondFactorState(ctx, a.TenantID, a.ID); err != nil {
			return p, err
		} else if !enrolled {
			return p, &tenant.FieldError{Field: "require_totp", Reason: "set up your own second factor first"}
		}
	}
	p.UpdatedAt = s.clock.Now()
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.SetAuthPolicy(ctx, a.TenantID, p); err != nil {
			return err
		}
		return audit(ctx, tx, a, p.UpdatedAt, "tenant.auth_policy", "tenant", a.TenantID, map[string]any{"require_totp": p.RequireTOTP})
	})
	return p, err
}

// AuthPolicy returns the tenant's sign-in rules.
func (s *Service) AuthPolicy(ctx context.Context, tenantID string) (tenant.AuthPolicy, error) {
	return s.db.AuthPolicy(ctx, tenantID)
}

// checkSecondFactor lets u in if they have no second factor, or code is a
// current TOTP code not used before, or one of their unspent recovery codes.
func (s *Service) checkSecondFactor(ctx context.Context, u tenant.User, code string) error {
	cur, err := s.db.TOTP(ctx, u.TenantID, u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cur.ConfirmedAt.IsZero()) {
		return nil
	}
	if err != nil {
		return err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return ErrSecondFactorNeeded
	}
	now := s.clock.Now()
	key := "wrong-code:" + u.ID
	if s.limits.Empty(key, perHour(wrongCodesPerHour), now) {
		return ErrTooManyCodes
	}
	err = s.checkCode(ctx, u, cur, code, now)
	if errors.Is(err, ErrBadCode) {
		s.limits.TakeUnder(key, perHour(wrongCodesPerHour), now)
	}
	return err
}

// checkCode checks a TOTP or recovery code of u's.
func (s *Service) checkCode(ctx context.Context, u tenant.User, cur store.TOTP, code string, now time.Time) error {
	if strings.Contains(code, "-") { // a recovery code
		err := s.db.UseRecoveryCode(ctx, u.TenantID, u.ID, s.recoveryHash(u.TenantID, u.ID, strings.ToLower(code)), now)
		if errors.Is(err, store.ErrNotFound) {
			return ErrBadCode
		}
		if err == nil {
			s.log.Info("signed in with a recovery code", "tenant_id", u.TenantID, "user_id", u.ID)
		}
		return err
	}
	secret, err := s.unseal(cur.SealedSecret)
	if err != nil {
		return err
	}
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		return ErrBadCode
	}
	if err := s.db.UseTOTPStep(ctx, u.TenantID, u.ID, step, now); errors.Is(err, store.ErrConflict) {
		return ErrBadCode // replayed: the code of a step already used
	} else if err != nil {
		return err
	}
	return nil
}

// matchTOTP returns the time step whose code code is, trying the step of now
// and one either side.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / 30
	for _, d := range []int64{0, -1, 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*30, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// recoveryHash is how a recovery code is kept: an HMAC under the server key
// and the user, so a copied table yields neither codes nor a way to test them.
func (s *Service) recoveryHash(tenantID, userID, code string) string {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte("recovery\x00" + tenantID + "\x00" + userID + "\x00" + code))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// seal encrypts a TOTP secret with a key derived from the server's, so a
// copied database does not yield second factors.
func (s *Service) seal(plain string) (string, error) {
	aead, err := s.totpAEAD()
	if err != nil {
		return "", err
	}
	nonce := randomBytes(aead.NonceSize())
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

func (s *Service) unseal(sealed string) (string, error) {
	aead, err := s.totpAEAD()
	if err != nil {
		return "", err
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("unseal totp secret: malformed")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("unseal totp secret: %w", err)
	}
	return string(plain), nil
}

func (s *Service) totpAEAD() (cipher.AEAD, error) {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte("totp-seal"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("totp cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
