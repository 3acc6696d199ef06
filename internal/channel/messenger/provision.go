package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/meta"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

var _ channel.Provisioner = (*Channel)(nil)

// sealedPrefix marks a sealed setting, so that a secret typed in clear (an
// account written before sealing, or straight to the store) is told from
// one the center sealed.
const sealedPrefix = "sealed:"

// secretSettings are sealed before they are stored.
var secretSettings = []string{SettingPageToken, SettingAppSecret, SettingVerifyToken}

// Provision checks a Page's (Instagram account's) settings when an admin adds
// or edits it: the token, the app secret and the verify token are required;
// a new or changed token is tried on the Graph API (it must read the account
// it is for, whose name names the account if the admin gave none); the
// secrets are then sealed. Nothing is stored if Meta refuses the token.
func (c *Channel) Provision(ctx context.Context, acc channel.Account, previous *channel.Account) (channel.Account, error) {
	for _, k := range secretSettings {
		if strings.TrimSpace(acc.Settings[k]) == "" {
			return acc, &tenant.FieldError{Field: "settings." + k, Reason: map[string]string{
				SettingPageToken:   "the Page access token that sends replies is required",
				SettingAppSecret:   "the Meta app's secret, which signs webhooks, is required",
				SettingVerifyToken: "choose a phrase, and type the same into the Meta app's webhook set-up",
			}[k]}
		}
	}
	if v := acc.Settings[SettingHumanAgent]; v != "" && v != "true" && v != "false" {
		return acc, &tenant.FieldError{Field: "settings." + SettingHumanAgent, Reason: `"true" or "false"`}
	}
	if token := acc.Settings[SettingPageToken]; !strings.HasPrefix(token, sealedPrefix) {
		name, err := c.checkToken(ctx, acc.Address, token)
		if err != nil {
			return acc, err
		}
		if acc.Name == "" {
			acc.Name = name
		}
	}
	for _, k := range secretSettings {
		if v := acc.Settings[k]; !strings.HasPrefix(v, sealedPrefix) {
			acc.Settings[k] = sealedPrefix + c.box.Seal(acc.ID+"/"+k, v)
		}
	}
	return acc, nil
}

// checkToken reads the account with the token (GET /{id}?fields=id,name or
// username) and returns its name; Meta's refusal is the admin's to correct.
func (c *Channel) checkToken(ctx context.Context, id, token string) (string, error) {
	fields := "id,name"
	if c.platform == Instagram {
		fields = "id,username"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.graph+"/"+url.PathEscape(id)+"?fields="+fields, nil)
	if err != nil {
		return "", fmt.Errorf("check token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("check the Page token with the Graph API: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode/100 == 5 || resp.StatusCode == http.StatusTooManyRequests {
		return "", fmt.Errorf("check the Page token: %w", meta.Classify(resp, body, c.clock.Now()))
	}
	if resp.StatusCode != http.StatusOK {
		reason := resp.Status
		var ge *meta.GraphError
		if errors.As(meta.Classify(resp, body, c.clock.Now()), &ge) {
			reason = ge.Message
		}
		return "", &tenant.FieldError{Field: "settings." + SettingPageToken, Reason: "Meta refused it for " + id + ": " + reason}
	}
	var who struct{ ID, Name, Username string }
	if err := json.Unmarshal(body, &who); err != nil || who.ID != id {
		return "", &tenant.FieldError{Field: "settings." + SettingPageToken, Reason: "it does not read the account " + id}
	}
	if who.Name != "" {
		return who.Name, nil
	}
	return who.Username, nil
}

// secret is one of the account's secret settings in clear.
func (c *Channel) secret(acct channel.Account, key string) (string, error) {
	v := acct.Settings[key]
	sealed, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v, nil
	}
	plain, err := c.box.Open(acct.ID+"/"+key, sealed)
	if err != nil {
		return "", fmt.Errorf("the %s account %s's %s: %w", c.Name(), acct.Address, key, err)
	}
	return plain, nil
}
