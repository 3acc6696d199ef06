package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// SignupMode says who may create a workspace at /signup.
type SignupMode string

// The sign-up modes an operator chooses between.
const (
	SignupOff    SignupMode = "off"    // only the operator, with `switchboard tenant create`
	SignupInvite SignupMode = "invite" // whoever holds an operator-made sign-up code
	SignupOpen   SignupMode = "open"   // anyone with an email address
)

// ParseSignupMode checks a mode's name.
func ParseSignupMode(s string) (SignupMode, error) {
	switch m := SignupMode(s); m {
	case SignupOff, SignupInvite, SignupOpen:
		return m, nil
	}
	return "", fmt.Errorf("signup must be open, invite or off, not %q", s)
}

// SignupVerifyTTL is how long the link that confirms a sign-up's email works.
const SignupVerifyTTL = 24 * time.Hour

// How many sign-ups one address, and one email, may ask for an hour, across
// the cluster's nodes (Service.RateLimits). Each sends a mail to an address the asker typed, so the limits are
// what keeps the center from being used to flood someone's inbox.
const (
	signupsPerHourPerIP    = 20
	signupsPerHourPerEmail = 3
)

const signupPurpose = "signup"

// Errors of sign-up the HTTP layer maps to statuses.
var (
	ErrSignupClosed  = errors.New("this center does not take sign-ups; ask its operator for a workspace")
	ErrSignupLimited = errors.New("too many sign-ups from here; try again in an hour")
	ErrNoMail        = errors.New("this center has no mail relay, so it cannot send the link")
)

// SignupRequest is what a business fills in at /signup.
type SignupRequest struct {
	Name       string `json:"name"`
	Slug       string `json:"slug"`
	AdminEmail string `json:"email"`
	Code       string `json:"code"`
	RemoteAddr string `json:"-"`
}

// PendingSignup is what a verification link carries, shown before the admin
// chooses their password.
type PendingSignup struct {
	Name       string    `json:"name"`
	Slug       string    `json:"slug"`
	AdminEmail string    `json:"email"`
	Expires    time.Time `json:"expires_at"`
	codeHash   string
}

// SignupMode reports who may sign up here.
func (s *Service) SignupMode() SignupMode { return s.signup }

// RequestSignup checks a sign-up and mails a link to the admin's address; the
// workspace is made only when the link is followed. A workspace address
// already taken is said to be taken (it cannot be hidden: the next step
// would say it); nothing else about other workspaces or people is told.
func (s *Service) RequestSignup(ctx context.Context, in SignupRequest) error {
	if s.signup == SignupOff || s.signup == "" {
		return ErrSignupClosed
	}
	if s.mailer == nil {
		return ErrNoMail
	}
	// Counted before the checks, so probing addresses costs as much as asking.
	now := s.clock.Now()
	if ok, _ := s.limits.TakeUnder("ip:"+in.RemoteAddr, perHour(signupsPerHourPerIP), now); !ok {
		return ErrSignupLimited
	}
	p, err := s.checkSignup(ctx, in)
	if err != nil {
		return err
	}
	if ok, _ := s.limits.TakeUnder("email:"+p.AdminEmail, perHour(signupsPerHourPerEmail), now); !ok {
		return ErrSignupLimited
	}
	p.Expires = now.Add(SignupVerifyTTL)
	token := s.signer.Sign(signupPurpose, []string{p.Slug, p.Name, p.AdminEmail, p.codeHash}, "", p.Expires)
	link := s.baseURL + "/signup/verify?token=" + url.QueryEscape(token)
	body := fmt.Sprintf("Hello,\n\nSomeone asked to create the Switchboard workspace %q (address %q) with this email as its admin.\n"+
		"Open this link to confirm and choose your password (it works until %s UTC):\n\n%s\n\n"+
		"If it was not you, ignore this message; nothing is created without the link.\n",
		p.Name, p.Slug, p.Expires.Format("2006-01-02 15:04"), link)
	if err := s.mailer.Send(ctx, p.AdminEmail, "Confirm your new Switchboard workspace", body); err != nil {
		return fmt.Errorf("send sign-up mail: %w", err)
	}
	s.log.Info("sign-up requested", "slug", p.Slug)
	return nil
}

// checkSignup validates a sign-up's fields, in the order of the form.
func (s *Service) checkSignup(ctx context.Context, in SignupRequest) (PendingSignup, error) {
	p := PendingSignup{Name: strings.TrimSpace(in.Name), Slug: strings.TrimSpace(strings.ToLower(in.Slug))}
	if p.Name == "" {
		return p, &tenant.FieldError{Field: "name", Reason: "is required"}
	}
	if err := textfield.Line("name", p.Name, textfield.MaxName); err != nil {
		return p, err
	}
	if err := tenant.ValidateSlug(p.Slug); err != nil {
		return p, err
	}
	if _, err := s.db.TenantBySlug(ctx, p.Slug); err == nil {
		return p, slugTaken(p.Slug)
	} else if !errors.Is(err, store.ErrNotFound) {
		return p, err
	}
	email, err := tenant.NormalizeEmail(in.AdminEmail)
	if err != nil {
		return p, err
	}
	p.AdminEmail = email
	if s.signup == SignupInvite {
		code := strings.TrimSpace(in.Code)
		if code == "" {
			return p, &tenant.FieldError{Field: "code", Reason: "sign-up here is by invitation: enter the code you were given"}
		}
		p.codeHash = auth.HashToken(code)
		if _, err := s.db.UsableSignupCode(ctx, p.codeHash, s.clock.Now()); errors.Is(err, store.ErrNotFound) {
			return p, badSignupCode()
		} else if err != nil {
			return p, err
		}
	}
	return p, nil
}

func badSignupCode() error {
	return &tenant.FieldError{Field: "code", Reason: "is not a usable sign-up code (unknown, used or expired)"}
}

// VerifySignup returns the sign-up a link confirms, without making anything.
func (s *Service) VerifySignup(ctx context.Context, token string) (PendingSignup, error) {
	f, err := s.signer.Verify(signupPurpose, token, "", s.clock.Now())
	if err != nil {
		return PendingSignup{}, err
	}
	if len(f) != 4 {
		return PendingSignup{}, auth.ErrInvalidToken
	}
	return PendingSignup{Slug: f[0], Name: f[1], AdminEmail: f[2], codeHash: f[3]}, nil
}

// CompleteSignup makes the workspace a verified sign-up asked for, through
// the same code as `switchboard tenant create`, with the admin's chosen
// password, and signs the admin in. The link is spent by it: a second use
// finds the address taken. A sign-up code is spent in the same transaction.
func (s *Service) CompleteSignup(ctx context.Context, token, adminName, password, userAgent string) (SignedIn, error) {
	if s.signup == SignupOff || s.signup == "" {
		return SignedIn{}, ErrSignupClosed
	}
	p, err := s.VerifySignup(ctx, token)
	if err != nil {
		return SignedIn{}, err
	}
	var spend func(*outbox.Tx, tenant.Tenant, tenant.User) error
	if p.codeHash != "" {
		spend = func(tx *outbox.Tx, t tenant.Tenant, _ tenant.User) error {
			if err := tx.SpendSignupCode(ctx, p.codeHash, t.ID, s.clock.Now()); errors.Is(err, store.ErrNotFound) {
				return badSignupCode()
			} else if err != nil {
				return err
			}
			return nil
		}
	} else if s.signup == SignupInvite {
		return SignedIn{}, badSignupCode() // asked for while sign-up was open; it is by invitation now
	}
	t, u, err := s.createWorkspace(ctx, NewWorkspace{Slug: p.Slug, Name: p.Name, AdminEmail: p.AdminEmail, AdminName: adminName}, password, spend)
	if err != nil {
		return SignedIn{}, err
	}
	s.log.Info("workspace signed up", "tenant_id", t.ID, "slug", t.Slug)
	return s.openSession(ctx, t, u, userAgent)
}

// CreateSignupCode makes a code the operator hands to one business so it can
// sign up while sign-up is by invitation. The code is shown once.
func (s *Service) CreateSignupCode(ctx context.Context, note string, ttl time.Duration) (string, time.Time, error) {
	if err := textfield.Line("note", strings.TrimSpace(note), textfield.MaxName); err != nil {
		return "", time.Time{}, err
	}
	if ttl <= 0 {
		return "", time.Time{}, &tenant.FieldError{Field: "expires", Reason: "must be a positive duration"}
	}
	code := "sbs_" + strings.ToLower(strings.TrimRight(b32.EncodeToString(randomBytes(15)), "="))
	now := s.clock.Now()
	c := store.SignupCode{Hash: auth.HashToken(code), Note: strings.TrimSpace(note), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.CreateSignupCode(ctx, c); err != nil {
		return "", time.Time{}, err
	}
	return code, c.ExpiresAt, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
