package portal

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// minSecret is the shortest secret key that codes are hashed and magic links
// signed with; with none, anyone could sign a link.
const minSecret = 16

// canSend refuses a kind of identifier no code can be sent to on this center.
func (p *Portal) canSend(kind persona.Kind) error {
	if len(p.d.Secret) < minSecret {
		return fmt.Errorf("%w: the portal has no secret key", ErrCannotSend)
	}
	switch kind {
	case persona.KindEmail:
		if p.d.Mail == nil {
			return fmt.Errorf("%w: no mail relay configured (--smtp-relay)", ErrCannotSend)
		}
	case persona.KindPhone:
		if p.d.Channels == nil {
			return fmt.Errorf("%w: the sms channel is not running", ErrCannotSend)
		}
		if _, ok := p.d.Channels.Get("sms"); !ok {
			return fmt.Errorf("%w: the sms channel is not running", ErrCannotSend)
		}
	}
	return nil
}

// magicLink is the link mailed with a code: it signs in without typing the
// code, once, while the code lives. The token is in the fragment so it stays
// out of server logs and Referer headers; the page posts it to the API.
func (p *Portal) magicLink(c store.PortalCode) string {
	token := auth.NewSigner(p.d.Secret).Sign(magicPurpose, []string{c.ID}, "", c.ExpiresAt)
	return p.d.BaseURL + "/portal/login#token=" + url.QueryEscape(token)
}

func (p *Portal) mailCode(ctx context.Context, to string, c store.PortalCode, code string) error {
	body := fmt.Sprintf("Your sign-in code is %s\n\nEnter it on the page where you asked for it, or open this link to sign in:\n\n%s\n\n"+
		"The code and the link work once, for %d minutes. If you did not ask to sign in, ignore this message.\n",
		code, p.magicLink(c), int(CodeTTL/time.Minute))
	if err := p.d.Mail.Send(ctx, to, "Your sign-in code: "+code, body); err != nil {
		return fmt.Errorf("send sign-in code: %w", err)
	}
	return nil
}

// textCode sends the code by SMS from a number of a business that knows the
// customer (the first that has one). When none has a number the answer is
// still success, as for an unknown number, and the reason is logged.
func (p *Portal) textCode(ctx context.Context, to string, c store.PortalCode, code string, personas []persona.Persona) error {
	ch, _ := p.d.Channels.Get("sms")
	body := fmt.Sprintf("%s is your sign-in code. It works once, for %d minutes.", code, int(CodeTTL/time.Minute))
	var lastErr error
	for _, tenantID := range tenantsOf(personas) {
		accs, err := p.d.DB.ChannelAccounts(ctx, tenantID, "sms")
		if err != nil {
			return fmt.Errorf("send sign-in code: %w", err)
		}
		if len(accs) == 0 {
			continue
		}
		out := channel.Outbound{TenantID: tenantID, MessageID: c.ID, To: to, Body: body, Account: accs[0]}
		if _, err := ch.Send(ctx, out); err != nil {
			lastErr = err
			p.d.Log.Warn("portal sign-in code by sms failed", "tenant_id", tenantID, "error", err)
			continue
		}
		return nil
	}
	if lastErr != nil {
		return fmt.Errorf("send sign-in code: %w", lastErr)
	}
	p.d.Log.Warn("portal sign-in by phone, but no business that knows the number has an sms number")
	return nil
}

// tenantsOf lists the personas' tenants once each, in order.
func tenantsOf(personas []persona.Persona) []string {
	var out []string
	seen := map[string]bool{}
	for _, ps := range personas {
		if !seen[ps.TenantID] {
			seen[ps.TenantID] = true
			out = append(out, ps.TenantID)
		}
	}
	return out
}
