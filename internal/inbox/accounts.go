package inbox

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// randomToken is n random bytes as lowercase base32, for widget keys and secrets.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics on an unusable source)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// CreateAccount gives the tenant an address on a channel: a support mailbox, an
// SMS number, a web chat widget. Addresses are normalised as the channel's
// inbound contacts will name them (email lowercased, numbers in E.164); a
// widget without a key gets a fresh public key ("wk_…") and identity secret.
// The account is returned whole, secrets included, this once.
func (s *Service) CreateAccount(ctx context.Context, a Actor, acc channel.Account) (channel.Account, error) {
	if _, ok := s.channels.Get(acc.Channel); !ok {
		return acc, &tenant.FieldError{Field: "channel", Reason: fmt.Sprintf("no channel %q on this center", acc.Channel)}
	}
	acc.ID, acc.TenantID = ids.New(), a.TenantID
	acc.Name = strings.TrimSpace(acc.Name)
	if err := checkAccountFields(acc); err != nil {
		return acc, err
	}
	if acc.Settings == nil {
		acc.Settings = map[string]string{}
	}
	switch acc.Channel {
	case "email":
		id, err := persona.Normalize(persona.KindEmail, acc.Address)
		if err != nil {
			return acc, &tenant.FieldError{Field: "address", Reason: err.Error()}
		}
		acc.Address = id.Value
	case "sms":
		id, err := persona.Normalize(persona.KindPhone, acc.Address)
		if err != nil {
			return acc, &tenant.FieldError{Field: "address", Reason: err.Error()}
		}
		acc.Address = id.Value
	case "webchat":
		if acc.Address == "" {
			acc.Address = "wk_" + randomToken(12)
		}
		if acc.Settings["identity_secret"] == "" {
			acc.Settings["identity_secret"] = randomToken(32)
		}
	}
	acc.Address = strings.TrimSpace(acc.Address)
	if acc.Address == "" || len(acc.Address) > 320 {
		return acc, &tenant.FieldError{Field: "address", Reason: "required, at most 320 characters"}
	}
	if err := s.checkWithChannel(&acc); err != nil {
		return acc, err
	}
	if err := s.db.CreateChannelAccount(ctx, acc, s.clock.Now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return acc, &tenant.FieldError{Field: "address", Reason: "already in use on " + acc.Channel}
		}
		return acc, err
	}
	return acc, nil
}

// Accounts lists the tenant's channel accounts, on one channel or all.
func (s *Service) Accounts(ctx context.Context, tenantID, ch string) ([]channel.Account, error) {
	return s.db.ChannelAccounts(ctx, tenantID, ch)
}

// DeleteAccount removes one of the tenant's channel accounts; contacts to its
// address are refused from then on, and its conversations stay.
func (s *Service) DeleteAccount(ctx context.Context, tenantID, id string) error {
	return s.db.DeleteChannelAccount(ctx, tenantID, id)
}

// ChannelInfo is a channel this center runs and what it can do.
type ChannelInfo struct {
	Name         string               `json:"name"`
	Capabilities channel.Capabilities `json:"capabilities"`
}

// Channels lists the channels this center runs, by name: what an agent's
// screen may offer to answer on.
func (s *Service) Channels() []ChannelInfo {
	all := s.channels.All()
	out := make([]ChannelInfo, len(all))
	for i, c := range all {
		out[i] = ChannelInfo{Name: c.Name(), Capabilities: c.Capabilities()}
	}
	return out
}

// checkAccountFields checks an account's name and settings as a person typed them.
func checkAccountFields(acc channel.Account) error {
	if err := textfield.Line("name", acc.Name, textfield.MaxName); err != nil {
		return err
	}
	if len(acc.Settings) > textfield.MaxAttributes {
		return &tenant.FieldError{Field: "settings", Reason: fmt.Sprintf("at most %d settings", textfield.MaxAttributes)}
	}
	for k, v := range acc.Settings {
		if err := textfield.Line("settings", k, textfield.MaxAttributeKey); err != nil {
			return err
		}
		if err := textfield.Block("settings."+k, v, textfield.MaxAttributeValue); err != nil {
			return err
		}
	}
	return nil
}

// AccountChange is an edit of a channel account: a new name when Name is
// set, and settings to change — a key with an empty value is removed. The
// channel and address stay: a widget's key is in every page that embeds it,
// a mailbox's address in every customer's thread.
type AccountChange struct {
	Name     *string
	Settings map[string]string
}

// UpdateAccount edits one of the tenant's channel accounts and returns it with
// its secrets redacted. A secret setting (a token, a secret, a password) is
// only ever replaced, never emptied, so that a form that shows it masked
// cannot wipe it; an unknown id, or another tenant's, is store.ErrNotFound.
func (s *Service) UpdateAccount(ctx context.Context, a Actor, id string, ch AccountChange) (channel.Account, error) {
	acc, err := s.db.ChannelAccount(ctx, a.TenantID, id)
	if err != nil {
		return acc, err
	}
	if ch.Name != nil {
		acc.Name = strings.TrimSpace(*ch.Name)
	}
	if acc.Settings == nil {
		acc.Settings = map[string]string{}
	}
	for k, v := range ch.Settings {
		switch {
		case channel.IsSecretSetting(k) && strings.HasPrefix(v, "••••"):
			// The mask the list showed, sent back unchanged.
		case channel.IsSecretSetting(k) && strings.TrimSpace(v) == "":
			return acc, &tenant.FieldError{Field: "settings." + k, Reason: "a secret can be replaced but not emptied"}
		case strings.TrimSpace(v) == "":
			delete(acc.Settings, k)
		default:
			acc.Settings[k] = strings.TrimSpace(v)
		}
	}
	if err := checkAccountFields(acc); err != nil {
		return acc, err
	}
	if err := s.checkWithChannel(&acc); err != nil {
		return acc, err
	}
	if err := s.db.UpdateChannelAccount(ctx, acc); err != nil {
		return acc, err
	}
	return acc.Redacted(), nil
}

// checkWithChannel lets a channel that checks its accounts (channel.AccountChecker)
// check and normalise this one; its refusal is the settings' field error.
func (s *Service) checkWithChannel(acc *channel.Account) error {
	c, ok := s.channels.Checker(acc.Channel)
	if !ok {
		return nil
	}
	if err := c.CheckAccount(acc); err != nil {
		var fe *tenant.FieldError
		if errors.As(err, &fe) {
			return err
		}
		return &tenant.FieldError{Field: "settings", Reason: err.Error()}
	}
	return nil
}
