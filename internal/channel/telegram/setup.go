package telegram

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// tokenRE is a bot token as @BotFather writes it: the bot's id, a colon, and
// its secret part.
var tokenRE = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$`)

// allowedUpdates are the updates the center asks Telegram for.
var allowedUpdates = []string{"message", "edited_message", "callback_query"}

// Provision sets a bot up when an admin adds it or changes its settings:
// getMe checks the token and names the bot (its id becomes the account's
// address), setWebhook registers the center's webhook URL with a fresh
// secret token, and the token and the secret are sealed before they are
// stored. An edit that changes none of the bot's settings calls nobody; one
// that gives a new token must give one of the same bot.
func (c *Channel) Provision(ctx context.Context, acc channel.Account, prev *channel.Account) (channel.Account, error) {
	s := acc.Settings
	if prev != nil && s[SettingBotToken] == prev.Settings[SettingBotToken] && s[SettingWebhookSecret] == prev.Settings[SettingWebhookSecret] &&
		s[SettingBotUsername] == prev.Settings[SettingBotUsername] {
		return acc, nil
	}
	token := strings.TrimSpace(s[SettingBotToken])
	if prev != nil && token == prev.Settings[SettingBotToken] {
		var err error
		if token, err = c.open(*prev, SettingBotToken); err != nil {
			return acc, &tenant.FieldError{Field: "settings." + SettingBotToken, Reason: "give the bot's token again: " + err.Error()}
		}
	}
	if !tokenRE.MatchString(token) {
		return acc, &tenant.FieldError{Field: "settings." + SettingBotToken,
			Reason: "required: the token @BotFather gave the bot (123456789:AA…)"}
	}
	if c.publicURL == "" {
		return acc, &tenant.FieldError{Field: "channel", Reason: "the center has no public base URL (--base-url) for Telegram to call"}
	}
	var me user
	if err := c.api.call(ctx, token, "getMe", struct{}{}, &me); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			return acc, &tenant.FieldError{Field: "settings." + SettingBotToken, Reason: "Telegram could not be reached: " + err.Error()}
		}
		return acc, &tenant.FieldError{Field: "settings." + SettingBotToken, Reason: "Telegram did not accept the token: " + reason(err)}
	}
	bot := strconv.FormatInt(me.ID, 10)
	if !me.IsBot || me.ID <= 0 {
		return acc, &tenant.FieldError{Field: "settings." + SettingBotToken, Reason: "the token is not a bot's"}
	}
	if prev != nil && prev.Address != bot {
		return acc, &tenant.FieldError{Field: "settings." + SettingBotToken,
			Reason: fmt.Sprintf("the token is for bot %s, this account is bot %s: add the other bot as an account of its own", bot, prev.Address)}
	}
	// A bot has one webhook: registering it for a second account would cut
	// off the first (whichever tenant holds it), so that is refused first.
	if other, err := c.db.ChannelAccountByAddress(ctx, Name, bot); err == nil && other.ID != acc.ID {
		return acc, &tenant.FieldError{Field: "settings." + SettingBotToken, Reason: "this bot is already an account on this center"}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return acc, err
	}
	secret := newSecret()
	params := map[string]any{"url": c.webhookURL(bot), "secret_token": secret, "allowed_updates": allowedUpdates}
	if err := c.api.call(ctx, token, "setWebhook", params, nil); err != nil {
		return acc, &tenant.FieldError{Field: "settings." + SettingBotToken, Reason: "Telegram did not take the webhook: " + reason(err)}
	}
	settings := make(map[string]string, len(s))
	for k, v := range s {
		settings[k] = v
	}
	acc.Address, acc.Settings = bot, settings
	settings[SettingBotToken] = c.seal(acc, SettingBotToken, token)
	settings[SettingWebhookSecret] = c.seal(acc, SettingWebhookSecret, secret)
	settings[SettingBotUsername] = me.Username
	if acc.Name == "" && me.Username != "" {
		acc.Name = "@" + me.Username
	}
	c.log.Info("telegram webhook set", "tenant_id", acc.TenantID, "account_id", acc.ID, "bot", bot)
	return acc, nil
}

// newSecret is a webhook secret token: 32 random bytes in the alphabet
// Telegram allows (A-Z, a-z, 0-9, _ and -).
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// reason is a Bot API failure said to an admin: Telegram's own description.
func reason(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.Code, ae.Description)
	}
	return err.Error()
}
