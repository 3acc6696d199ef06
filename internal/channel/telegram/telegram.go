// Package telegram is the Telegram channel: customers write to a tenant's bot,
// agents answer in the same conversation, and notices reach customers who
// chatted with the bot. It speaks the Bot API (https://core.telegram.org/bots/api):
// updates arrive on a webhook the center registers with setWebhook and a
// secret token Telegram sends back in X-Telegram-Bot-Api-Secret-Token;
// messages leave through sendMessage, sendPhoto and sendDocument. Each bot is
// a channel account (channel "telegram", address the bot's numeric id) whose
// token is sealed in its settings.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Name is the channel's key.
const Name = "telegram"

// MaxLength is the longest text sendMessage takes, in characters.
const MaxLength = 4096

// maxCaption is the longest caption of a photo or document.
const maxCaption = 1024

// callTimeout bounds one Bot API call, so that a Telegram outage holds a
// delivery job (and the node's workers) only this long.
const callTimeout = 20 * time.Second

// Account settings of a bot (channel_accounts.settings).
const (
	// SettingBotToken is the token @BotFather gave. An admin writes it in
	// clear; it is stored sealed and never shown or logged again.
	SettingBotToken = "bot_token"
	// SettingWebhookSecret is the secret token given to setWebhook, sealed.
	SettingWebhookSecret = "webhook_secret"
	// SettingBotUsername is the bot's @username, as getMe said.
	SettingBotUsername = "bot_username"
)

// Deps are what the channel works with.
type Deps struct {
	DB    *store.DB
	Inbox *inbox.Service
	Clock clock.Clock
	Log   *slog.Logger
	// Guard carries every call to the Bot API and its file downloads; nil
	// is a guard without exceptions (public addresses only).
	Guard *netguard.Guard
	// ServerKey seals the bots' tokens and webhook secrets (internal/secretbox).
	ServerKey []byte
}

// Config is how the channel reaches Telegram and is reached.
type Config struct {
	// APIBase is the Bot API; empty means DefaultAPIBase. A local Bot API
	// server (telegram-bot-api) or a test's fake sits here.
	APIBase string
	// PublicBaseURL is how Telegram reaches the center (https://center.example):
	// the base of the webhook URL given to setWebhook. Telegram calls only
	// HTTPS on ports 443, 80, 88 and 8443.
	PublicBaseURL string
	// MaxMediaBytes bounds one downloaded file; zero means the inbox's
	// default attachment limit. Larger files are noted, not fetched.
	MaxMediaBytes int64
}

// Channel is the Telegram channel.
type Channel struct {
	db        *store.DB
	inbox     *inbox.Service
	clock     clock.Clock
	log       *slog.Logger
	api       *botAPI
	box       *secretbox.Box
	publicURL string
	maxMedia  int64
}

// New returns the Telegram channel.
func New(d Deps, c Config) (*Channel, error) {
	if d.DB == nil || d.Inbox == nil || d.Clock == nil || d.Log == nil {
		return nil, errors.New("telegram: DB, Inbox, Clock and Log are required")
	}
	if c.PublicBaseURL != "" && !strings.HasPrefix(c.PublicBaseURL, "https://") && !strings.HasPrefix(c.PublicBaseURL, "http://") {
		return nil, fmt.Errorf("telegram: public base URL %q must start with https:// or http://", c.PublicBaseURL)
	}
	if c.APIBase == "" {
		c.APIBase = DefaultAPIBase
	}
	if c.MaxMediaBytes <= 0 {
		c.MaxMediaBytes = inbox.DefaultLimits.MaxAttachmentBytes
	}
	if d.Guard == nil {
		d.Guard = netguard.New(netguard.Options{})
	}
	box, err := secretbox.New(d.ServerKey, "telegram-bot")
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	return &Channel{db: d.DB, inbox: d.Inbox, clock: d.Clock, log: d.Log, box: box,
		api:       &botAPI{base: strings.TrimRight(c.APIBase, "/"), http: d.Guard.Client(callTimeout)},
		publicURL: strings.TrimRight(c.PublicBaseURL, "/"), maxMedia: c.MaxMediaBytes}, nil
}

// Name is "telegram".
func (*Channel) Name() string { return Name }

// Capabilities of Telegram: text up to 4096 characters, files, to a chat id.
func (*Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Attachments: true, MaxLength: MaxLength, Identifier: string(persona.KindTelegram)}
}

// message is the part of the Bot API's Message a send returns.
type message struct {
	MessageID int64 `json:"message_id"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// Send writes to the customer's chat from the tenant's bot: the text (with
// the quick replies as an inline keyboard), then each file, a picture as a
// photo and anything else as a document. One file with a short text goes as
// one message, the text its caption. The Bot API takes no idempotency key,
// so a retry after a lost answer can send twice; the delivery job keeps that
// window small.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	acct := out.Account
	if acct.ID == "" || acct.TenantID != out.TenantID || acct.Channel != Name {
		return channel.Sent{}, fmt.Errorf("tenant has no telegram bot: %w", channel.ErrPermanent)
	}
	chat, err := persona.Normalize(persona.KindTelegram, out.To)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("%w: %w", err, channel.ErrPermanent)
	}
	token, err := c.open(acct, SettingBotToken)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("bot %s: %w: %w", acct.Address, err, channel.ErrPermanent)
	}
	keyboard := inlineKeyboard(out.QuickReplies)
	body := strings.TrimSpace(out.Body)
	files := out.Attachments
	caption := ""
	if len(files) == 1 && utf8.RuneCountInString(body) <= maxCaption {
		caption, body = body, ""
	}
	var first message
	if body != "" {
		params := map[string]any{"chat_id": chat.Value, "text": body}
		if keyboard != nil && len(files) == 0 {
			params["reply_markup"] = keyboard
		}
		if err := c.api.call(ctx, token, "sendMessage", params, &first); err != nil {
			return channel.Sent{}, err
		}
	}
	for i, f := range files {
		method, field := "sendDocument", "document"
		if isPhoto(f.ContentType) {
			method, field = "sendPhoto", "photo"
		}
		fields := map[string]string{"chat_id": chat.Value}
		if caption != "" {
			fields["caption"] = caption
		}
		if keyboard != nil && i == len(files)-1 {
			fields["reply_markup"] = keyboardJSON(keyboard)
		}
		var m message
		if err := c.api.upload(ctx, token, method, fields, field, f, &m); err != nil {
			return channel.Sent{}, err
		}
		if first.MessageID == 0 {
			first = m
		}
	}
	if first.MessageID == 0 {
		return channel.Sent{}, fmt.Errorf("telegram: nothing to send: %w", channel.ErrPermanent)
	}
	return channel.Sent{ExternalID: messageExternalID(acct.Address, chat.Value, first.MessageID), Status: "sent"}, nil
}

// isPhoto tells whether sendPhoto takes a file of this type; anything else
// is sent as a document, as it was uploaded.
func isPhoto(contentType string) bool {
	ct, _, _ := mime.ParseMediaType(contentType)
	return ct == "image/jpeg" || ct == "image/png" || ct == "image/webp"
}

// fileHeader is a multipart part's header for a file field.
func fileHeader(field, name, contentType string) textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": field, "filename": name}))
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h.Set("Content-Type", contentType)
	return h
}

// messageExternalID is a message's id in the center: message ids are
// unique within a chat, and a chat within a bot.
func messageExternalID(bot, chat string, messageID int64) string {
	return fmt.Sprintf("tg:%s:%s:%d", bot, chat, messageID)
}

// open unseals one of the account's secret settings.
func (c *Channel) open(acct channel.Account, key string) (string, error) {
	v := acct.Settings[key]
	if !strings.HasPrefix(v, sealedPrefix) {
		return "", fmt.Errorf("%s is not set up (add the bot again)", key)
	}
	plain, err := c.box.Open(acct.ID+"/"+key, strings.TrimPrefix(v, sealedPrefix))
	if err != nil {
		return "", fmt.Errorf("%s does not open with this center's key", key)
	}
	return plain, nil
}

// seal seals a secret setting of the account.
func (c *Channel) seal(acct channel.Account, key, plain string) string {
	return sealedPrefix + c.box.Seal(acct.ID+"/"+key, plain)
}

// sealedPrefix marks a sealed setting, so that a token an admin typed in
// clear is told from one the center sealed.
const sealedPrefix = "sealed:"

// ensure the interfaces.
var (
	_ channel.Mounter     = (*Channel)(nil)
	_ channel.Provisioner = (*Channel)(nil)
)
