package whatsapp

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
)

// sealedPrefix marks a setting the channel sealed; a value without it is
// read as it is (an account stored before sealing, or by the operator).
const sealedPrefix = "sealed:"

// secretPurpose is the secretbox purpose of WhatsApp account secrets; the
// account id and the setting's name are the additional data, so a sealed
// value moved to another account or setting does not open.
const secretPurpose = "whatsapp-account-secret"

// Provision implements channel.Provisioner: it seals the account's secret
// settings (the access token, the app secret, the verify token) before the
// inbox stores them. Without a server key the settings are stored as they
// are.
func (c *Channel) Provision(_ context.Context, acc channel.Account, _ *channel.Account) (channel.Account, error) {
	acc.Settings = c.sealSettings(acc.ID, acc.Settings)
	return acc, nil
}

// sealSettings seals the secret settings not sealed yet.
func (c *Channel) sealSettings(accountID string, settings map[string]string) map[string]string {
	out := make(map[string]string, len(settings))
	for k, v := range settings {
		if c.box != nil && channel.IsSecretSetting(k) && v != "" && !strings.HasPrefix(v, sealedPrefix) {
			v = sealedPrefix + c.box.Seal(accountID+"/"+k, v)
		}
		out[k] = v
	}
	return out
}

// opened is the account with its sealed settings opened, for the channel's
// own use: never logged, never answered.
func (c *Channel) opened(acct channel.Account) (channel.Account, error) {
	out := acct
	out.Settings = make(map[string]string, len(acct.Settings))
	for k, v := range acct.Settings {
		if sealed, ok := strings.CutPrefix(v, sealedPrefix); ok {
			if c.box == nil {
				return acct, fmt.Errorf("whatsapp account %s: its %s is sealed and this node has no server key", acct.ID, k)
			}
			plain, err := c.box.Open(acct.ID+"/"+k, sealed)
			if err != nil {
				return acct, fmt.Errorf("whatsapp account %s: %s: %w", acct.ID, k, err)
			}
			v = plain
		}
		out.Settings[k] = v
	}
	return out, nil
}

func newBox(key []byte) (*secretbox.Box, error) {
	if len(key) == 0 {
		return nil, nil
	}
	return secretbox.New(key, secretPurpose)
}
