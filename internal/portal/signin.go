package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// magicPurpose signs the links mailed with a code.
const magicPurpose = "portal.magic"

// ParseIdentifier reads what a customer typed to sign in: an email address if
// it has an "@", else a phone number with its country code.
func ParseIdentifier(raw string) (persona.Identifier, error) {
	kind := persona.KindPhone
	if strings.Contains(raw, "@") {
		kind = persona.KindEmail
	}
	id, err := persona.Normalize(kind, raw)
	if err != nil {
		return id, &tenant.FieldError{Field: "identifier", Reason: err.Error()}
	}
	return id, nil
}

// StartSignIn sends a one-time code to the email address or phone number, if
// any business on this center knows it; the code is stored before the answer
// and sent after it (Flush waits for it). The answer is the same whether or not
// one does, so the portal cannot be used to find out who is a customer where;
// only a way of sending that is missing altogether (no mail relay, no SMS
// channel) is an error, and it is the same for every address of that kind.
func (p *Portal) StartSignIn(ctx context.Context, identifier string) error {
	id, err := ParseIdentifier(identifier)
	if err != nil {
		return err
	}
	if err := p.canSend(id.Kind); err != nil {
		return err
	}
	now := p.d.Clock.Now()
	personas, err := p.d.DB.PersonasByIdentifier(ctx, id)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if len(personas) == 0 {
		p.d.Log.Debug("portal sign-in for an unknown identifier", "kind", id.Kind)
		return nil
	}
	if last, err := p.d.DB.LatestPortalCode(ctx, id.String()); err == nil && now.Sub(last.CreatedAt) < ResendAfter {
		// One code a minute at most: the customer's inbox is not ours to
		// flood, and each code is more guesses for whoever is guessing.
		p.d.Log.Info("portal sign-in code asked again too soon; not sent", "kind", id.Kind)
		return nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("sign in: %w", err)
	}
	if n, err := p.d.DB.PortalCodesSince(ctx, id.String(), now.Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("sign in: %w", err)
	} else if n >= MaxCodesPerDay {
		p.d.Log.Warn("portal sign-in codes for one identifier reached the daily cap; not sent", "kind", id.Kind)
		return nil
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	c := store.PortalCode{ID: ids.New(), Identifier: id.String(), Attempts: 0, ExpiresAt: now.Add(CodeTTL), CreatedAt: now}
	c.CodeHash = p.codeHash(c.ID, code)
	if err := p.d.DB.CreatePortalCode(ctx, c); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	// The code goes out after the answer, so that how long the answer takes
	// does not tell whether a business knows the identifier.
	p.sends.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
		defer cancel()
		send := func() error { return p.textCode(ctx, id.Value, c, code, personas) }
		if id.Kind == persona.KindEmail {
			send = func() error { return p.mailCode(ctx, id.Value, c, code) }
		}
		if err := send(); err != nil {
			p.d.Log.Warn("portal sign-in code not sent", "kind", id.Kind, "err", err)
		}
	})
	return nil
}

// sendTimeout bounds the sending of one sign-in code.
const sendTimeout = 30 * time.Second

// newCode returns six uniformly random digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("make code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// codeHash is the stored form of a code: an HMAC under the center's secret,
// because a plain hash of six digits is undone by trying all million.
func (p *Portal) codeHash(codeID, code string) string {
	m := hmac.New(sha256.New, p.d.Secret)
	m.Write([]byte("portal-code\x00" + codeID + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyCode signs in with the code last sent to identifier. A code works
// once, and only within MaxCodeAttempts tries; after that it is dead.
func (p *Portal) VerifyCode(ctx context.Context, identifier, code string) (string, Session, error) {
	id, err := ParseIdentifier(identifier)
	if err != nil {
		return "", Session{}, err
	}
	c, err := p.d.DB.LatestPortalCode(ctx, id.String())
	if errors.Is(err, store.ErrNotFound) {
		return "", Session{}, ErrBadCode
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("verify code: %w", err)
	}
	now := p.d.Clock.Now()
	if !usable(c, now) {
		return "", Session{}, ErrBadCode
	}
	// The try is counted before the code is compared, so that guesses racing
	// each other cannot get more than MaxCodeAttempts between them.
	n, err := p.d.DB.PortalCodeAttempt(ctx, c.ID)
	if err != nil {
		return "", Session{}, fmt.Errorf("verify code: %w", err)
	}
	want := p.codeHash(c.ID, strings.TrimSpace(code))
	if n > MaxCodeAttempts || subtle.ConstantTimeCompare([]byte(want), []byte(c.CodeHash)) != 1 {
		return "", Session{}, ErrBadCode
	}
	return p.useCode(ctx, c, now)
}

// MagicLink signs in with the token of a link mailed with a code.
func (p *Portal) MagicLink(ctx context.Context, token string) (string, Session, error) {
	if len(p.d.Secret) < minSecret {
		return "", Session{}, ErrBadCode
	}
	now := p.d.Clock.Now()
	fields, err := auth.NewSigner(p.d.Secret).Verify(magicPurpose, token, "", now)
	if err != nil || len(fields) != 1 {
		return "", Session{}, ErrBadCode
	}
	c, err := p.d.DB.PortalCode(ctx, fields[0])
	if errors.Is(err, store.ErrNotFound) {
		return "", Session{}, ErrBadCode
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("magic link: %w", err)
	}
	if !usable(c, now) {
		return "", Session{}, ErrBadCode
	}
	return p.useCode(ctx, c, now)
}

// usable reports whether a code may still sign in.
func usable(c store.PortalCode, now time.Time) bool {
	return c.UsedAt.IsZero() && now.Before(c.ExpiresAt) && c.Attempts < MaxCodeAttempts
}

// useCode spends the code (the store refuses a second use, so two racing
// requests cannot both sign in) and opens a full session.
func (p *Portal) useCode(ctx context.Context, c store.PortalCode, now time.Time) (string, Session, error) {
	err := p.d.DB.UsePortalCode(ctx, c.ID, now)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return "", Session{}, ErrBadCode
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("use code: %w", err)
	}
	// The code reached the customer at the identifier: that proves it, for
	// every business holding it (persona.MethodPortalSignin), and agents see so.
	kind, value, _ := strings.Cut(c.Identifier, ":")
	id, err := persona.Normalize(persona.Kind(kind), value)
	if err != nil {
		return "", Session{}, fmt.Errorf("use code: %w", err)
	}
	if _, err := p.d.DB.ProveIdentifier(ctx, id, persona.MethodPortalSignin, now); err != nil {
		return "", Session{}, fmt.Errorf("use code: %w", err)
	}
	return p.open(ctx, Session{Identifier: c.Identifier, ExpiresAt: now.Add(SessionTTL)}, now)
}

// OpenLink opens a session from a notification's signed preference link,
// limited to the tenant and persona it was made for: whoever holds the link
// may manage that one relationship, nothing else.
func (p *Portal) OpenLink(ctx context.Context, prefsToken string) (string, Session, error) {
	fields, err := p.d.Links.Verify(notify.PurposePreferences, prefsToken)
	if err != nil || len(fields) != 2 {
		return "", Session{}, ErrBadCode
	}
	return p.openPersona(ctx, fields[0], fields[1])
}

// OpenReadLink opens a notice from its signed read link: the notice is
// marked read, and a session limited to its tenant and persona is opened,
// as by the preference link. It returns the notice's id with the session.
func (p *Portal) OpenReadLink(ctx context.Context, readToken string) (noticeID, token string, s Session, err error) {
	fields, err := p.d.Links.Verify(notify.PurposeRead, readToken)
	if err != nil || len(fields) != 2 {
		return "", "", Session{}, ErrBadCode
	}
	tenantID, noticeID := fields[0], fields[1]
	d, err := p.d.Notify.MarkRead(ctx, tenantID, noticeID)
	if err != nil {
		return "", "", Session{}, err
	}
	token, s, err = p.openPersona(ctx, tenantID, d.PersonaID)
	return noticeID, token, s, err
}

// openPersona opens a session limited to one persona of one tenant (or the
// persona it was merged into).
func (p *Portal) openPersona(ctx context.Context, tenantID, personaID string) (string, Session, error) {
	ps, err := p.d.DB.Persona(ctx, tenantID, personaID)
	if errors.Is(err, store.ErrNotFound) { // erased since
		return "", Session{}, ErrBadCode
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("open link: %w", err)
	}
	if ps.MergedInto != "" { // the same customer, now under the survivor
		personaID = ps.MergedInto
		if ps, err = p.d.DB.Persona(ctx, tenantID, personaID); err != nil {
			return "", Session{}, fmt.Errorf("open link: %w", err)
		}
	}
	now := p.d.Clock.Now()
	s := Session{TenantID: tenantID, PersonaID: personaID, ExpiresAt: now.Add(LinkSessionTTL)}
	if a, ok := address(ps); ok {
		s.Identifier = a.String()
	}
	return p.open(ctx, s, now)
}

// address is the persona's email, else phone: what it can sign in and write with.
func address(ps persona.Persona) (persona.Identifier, bool) {
	for _, k := range []persona.Kind{persona.KindEmail, persona.KindPhone} {
		for _, id := range ps.Identifiers {
			if id.Kind == k {
				return id, true
			}
		}
	}
	return persona.Identifier{}, false
}
