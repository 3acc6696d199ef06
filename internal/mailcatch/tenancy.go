package mailcatch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// ErrNotFound is a mail the catcher does not have, or one the tenant may not
// see: the two answer alike, so ids cannot be probed.
var ErrNotFound = fmt.Errorf("mail: %w", store.ErrNotFound)

// Directory tells which tenant a mail concerns. One center sends for every
// tenant through the one catcher, and a tenant's admin sees only the mail
// that is theirs: sent from one of their email addresses, or sent to a
// customer or user of theirs (the portal's sign-in codes and password resets
// go from the center's own address).
type Directory interface {
	// Sender reports whether address is one of the tenant's email accounts.
	Sender(ctx context.Context, tenantID, address string) (bool, error)
	// Recipient reports whether address belongs to a customer or a user of the tenant.
	Recipient(ctx context.Context, tenantID, address string) (bool, error)
}

// ListFor returns the mails the tenant may see, newest first.
func (c *Catcher) ListFor(ctx context.Context, tenantID string, dir Directory) ([]Mail, error) {
	var out []Mail
	for _, m := range c.List() {
		ok, err := concerns(ctx, tenantID, m, dir)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// GetFor returns one mail if the tenant may see it, else ErrNotFound.
func (c *Catcher) GetFor(ctx context.Context, tenantID, id string, dir Directory) (Mail, error) {
	m, ok := c.Get(id)
	if !ok {
		return Mail{}, ErrNotFound
	}
	ok, err := concerns(ctx, tenantID, m, dir)
	if err != nil {
		return Mail{}, err
	}
	if !ok {
		return Mail{}, ErrNotFound
	}
	return m, nil
}

// concerns reports whether the mail is the tenant's.
func concerns(ctx context.Context, tenantID string, m Mail, dir Directory) (bool, error) {
	if ok, err := dir.Sender(ctx, tenantID, m.From); ok || err != nil {
		return ok, err
	}
	for _, to := range m.To {
		if ok, err := dir.Recipient(ctx, tenantID, to); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// StoreDirectory answers from the database: the tenant's email channel
// accounts, its personas' email identifiers and its users.
type StoreDirectory struct{ DB *store.DB }

// Sender implements Directory.
func (d StoreDirectory) Sender(ctx context.Context, tenantID, address string) (bool, error) {
	accs, err := d.DB.ChannelAccounts(ctx, tenantID, "email")
	if err != nil {
		return false, fmt.Errorf("mail catcher: %w", err)
	}
	for _, a := range accs {
		if strings.EqualFold(a.Address, address) {
			return true, nil
		}
	}
	return false, nil
}

// Recipient implements Directory.
func (d StoreDirectory) Recipient(ctx context.Context, tenantID, address string) (bool, error) {
	id, err := persona.Normalize(persona.KindEmail, address)
	if err != nil {
		return false, nil // not an address anyone of the tenant's can have
	}
	_, err = d.DB.PersonaIDByIdentifier(ctx, tenantID, id)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("mail catcher: %w", err)
	}
	_, err = d.DB.UserByEmail(ctx, tenantID, id.Value)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("mail catcher: %w", err)
	}
	return false, nil
}
