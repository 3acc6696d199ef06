package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// SecretHeader is the header Telegram puts the webhook's secret token in.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBytes bounds an update's body; a 4096-character message with its
// entities and a keyboard is a few kilobytes.
const maxUpdateBytes = 1 << 20

// mediaTimeout bounds the getFile and download of one file.
const mediaTimeout = 30 * time.Second

// Meta keys of an inbound Telegram message.
const (
	MetaUpdateID     = "telegram_update_id"
	MetaUsername     = "telegram_username"
	MetaCallbackData = "telegram_callback_data"
	MetaQuickReply   = "quick_reply" // true: the customer tapped a quick reply
	MetaEdited       = "telegram_edited"
)

// Mount registers the bots' webhook: POST /channels/telegram/{bot}/updates,
// where bot is the bot's numeric id (its account's address). The secret token
// given to setWebhook is its authentication.
func (c *Channel) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /channels/telegram/{bot}/updates", c.handleUpdate)
}

// webhookURL is the URL setWebhook is given for a bot.
func (c *Channel) webhookURL(bot string) string {
	return c.publicURL + "/channels/telegram/" + bot + "/updates"
}

// webhookError is a refused update: its status and what to tell the caller.
type webhookError struct {
	status int
	kind   string
	err    error
}

func (e *webhookError) Error() string { return e.err.Error() }

func refuse(status int, kind string, err error) *webhookError {
	return &webhookError{status: status, kind: kind, err: err}
}

// handleUpdate takes one update. Telegram redelivers whatever is not answered
// 2xx, so an update is answered 200 only once what it carries is stored; a
// redelivered one stores nothing new (the message's external id) and is
// answered 200 again.
func (c *Channel) handleUpdate(w http.ResponseWriter, r *http.Request) {
	acct, err := c.verified(r)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxUpdateBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		c.writeError(w, r, refuse(http.StatusRequestEntityTooLarge, "too-large", fmt.Errorf("update larger than %d bytes", maxUpdateBytes)))
		return
	}
	var u update
	if err == nil {
		err = json.Unmarshal(body, &u)
	}
	if err != nil || u.UpdateID == 0 {
		c.writeError(w, r, refuse(http.StatusBadRequest, "malformed", errors.New("not a Telegram update (JSON with update_id)")))
		return
	}
	if err := c.take(r.Context(), acct, u); err != nil {
		c.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("{}"))
}

// verified finds the bot's account and checks the secret token in constant
// time. An unknown bot is a 404, a wrong or missing token a 403; nothing of
// the request is read before.
func (c *Channel) verified(r *http.Request) (channel.Account, error) {
	bot := r.PathValue("bot")
	if _, err := strconv.ParseInt(bot, 10, 64); err != nil {
		return channel.Account{}, refuse(http.StatusNotFound, "not-found", errors.New("no such Telegram bot"))
	}
	acct, err := c.db.ChannelAccountByAddress(r.Context(), Name, bot)
	if errors.Is(err, store.ErrNotFound) {
		return acct, refuse(http.StatusNotFound, "not-found", fmt.Errorf("no tenant has the Telegram bot %s", bot))
	}
	if err != nil {
		return acct, err
	}
	want, err := c.open(acct, SettingWebhookSecret)
	if err != nil {
		c.log.Error("telegram bot without a usable webhook secret", "tenant_id", acct.TenantID, "account_id", acct.ID, "err", err)
		return acct, refuse(http.StatusForbidden, "bad-secret", errors.New("the bot's webhook is not set up; add the bot again"))
	}
	got := r.Header.Get(SecretHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		c.log.Warn("telegram webhook refused: wrong secret token", "tenant_id", acct.TenantID, "account_id", acct.ID, "present", got != "")
		return acct, refuse(http.StatusForbidden, "bad-secret", fmt.Errorf("%s is missing or wrong", SecretHeader))
	}
	return acct, nil
}

// take stores what an update carries: a message (new or edited) or the
// choice of a quick reply. Updates the center has no use for (group chats,
// other bots, member changes) are acknowledged and dropped: Telegram would
// otherwise redeliver them for a day.
func (c *Channel) take(ctx context.Context, acct channel.Account, u update) error {
	switch {
	case u.Message != nil:
		return c.takeMessage(ctx, acct, u, u.Message, false)
	case u.EditedMessage != nil:
		return c.takeMessage(ctx, acct, u, u.EditedMessage, true)
	case u.CallbackQuery != nil:
		return c.takeCallback(ctx, acct, u)
	}
	c.log.Debug("telegram update ignored", "tenant_id", acct.TenantID, "update_id", u.UpdateID)
	return nil
}

// sender is the customer as an identifier: the private chat's id, proven by
// the webhook's secret token.
func (c *Channel) sender(chatID int64) (persona.Identifier, error) {
	id, err := persona.Normalize(persona.KindTelegram, strconv.FormatInt(chatID, 10))
	if err != nil {
		return id, refuse(http.StatusUnprocessableEntity, "validation", err)
	}
	id.Verified, id.VerifiedBy = true, persona.MethodTelegramChat
	return id, nil
}

func (c *Channel) takeMessage(ctx context.Context, acct channel.Account, u update, m *tgMessage, edited bool) error {
	if m.Chat.Type != "private" || m.From == nil || m.From.IsBot {
		c.log.Debug("telegram message outside a private chat ignored", "tenant_id", acct.TenantID, "chat_type", m.Chat.Type)
		return nil
	}
	from, err := c.sender(m.Chat.ID)
	if err != nil {
		return err
	}
	extID := messageExternalID(acct.Address, from.Value, m.MessageID)
	if edited {
		extID += ":edit:" + strconv.FormatInt(m.EditDate, 10)
	}
	if done, err := c.stored(ctx, acct, extID); done || err != nil {
		return err // a redelivery: its files are not fetched again
	}
	meta := c.meta(acct, u, *m.From)
	body := m.text()
	if edited {
		meta[MetaEdited] = true
		body = "(edited) " + body
	}
	in := inbox.Inbound{TenantID: acct.TenantID, Channel: Name, From: from, FromName: m.From.name(), ExternalID: extID,
		Body: body, Meta: meta, Unrefusable: true}
	c.fetchFiles(ctx, acct, m.files(), &in)
	res, err := c.inbox.Ingest(ctx, in)
	if err == nil {
		c.log.Info("telegram message received", "tenant_id", acct.TenantID, "message_id", res.Message.ID,
			"conversation_id", res.Conversation.ID, "duplicate", res.Duplicate)
	}
	return err
}

// takeCallback brings a tapped quick reply home as the customer's message
// (the button's text), then answers the callback query so the customer's
// app stops showing progress. The answer is best effort: the choice is
// stored either way, and a redelivery answers again.
func (c *Channel) takeCallback(ctx context.Context, acct channel.Account, u update) error {
	q := u.CallbackQuery
	chatID := q.From.ID
	if q.Message != nil {
		if q.Message.Chat.Type != "private" {
			return c.answerCallback(ctx, acct, q.ID)
		}
		chatID = q.Message.Chat.ID
	}
	from, err := c.sender(chatID)
	if err != nil {
		return err
	}
	extID := "tg:" + acct.Address + ":cq:" + q.ID
	done, err := c.stored(ctx, acct, extID)
	if err != nil {
		return err
	}
	if !done {
		meta := c.meta(acct, u, q.From)
		meta[MetaCallbackData], meta[MetaQuickReply] = q.Data, true
		if q.Message != nil {
			meta["telegram_reply_to"] = messageExternalID(acct.Address, from.Value, q.Message.MessageID)
		}
		body := q.choice()
		if body == "" {
			body = "(tapped a button)"
		}
		res, err := c.inbox.Ingest(ctx, inbox.Inbound{TenantID: acct.TenantID, Channel: Name, From: from, FromName: q.From.name(),
			ExternalID: extID, Body: body, Meta: meta, Unrefusable: true})
		if err != nil {
			return err
		}
		c.log.Info("telegram quick reply received", "tenant_id", acct.TenantID, "message_id", res.Message.ID,
			"conversation_id", res.Conversation.ID)
	}
	return c.answerCallback(ctx, acct, q.ID)
}

// answerCallback tells Telegram the tap was taken; failures are logged only.
func (c *Channel) answerCallback(ctx context.Context, acct channel.Account, id string) error {
	token, err := c.open(acct, SettingBotToken)
	if err == nil {
		err = c.api.call(ctx, token, "answerCallbackQuery", map[string]any{"callback_query_id": id}, nil)
	}
	if err != nil {
		c.log.Warn("telegram answerCallbackQuery failed", "tenant_id", acct.TenantID, "account_id", acct.ID, "err", err)
	}
	return nil
}

// stored tells whether a message with this external id is in already.
func (c *Channel) stored(ctx context.Context, acct channel.Account, extID string) (bool, error) {
	_, err := c.db.MessageByExternalID(ctx, acct.TenantID, Name, extID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// meta is what every inbound Telegram message keeps besides its text.
func (c *Channel) meta(acct channel.Account, u update, from user) map[string]any {
	meta := map[string]any{MetaUpdateID: u.UpdateID, inbox.MetaAccount: acct.ID}
	if from.Username != "" {
		meta[MetaUsername] = from.Username
	}
	if b := acct.Settings[SettingBotUsername]; b != "" {
		meta["telegram_bot"] = b
	}
	return meta
}

// fetchFiles downloads the message's files into in (getFile, then the file
// path). A file that cannot be fetched — too large, gone, Telegram down — is
// named in meta.media_not_fetched rather than losing the message.
func (c *Channel) fetchFiles(ctx context.Context, acct channel.Account, files []media, in *inbox.Inbound) {
	if len(files) == 0 {
		return
	}
	token, terr := c.open(acct, SettingBotToken)
	var missed []string
	for _, f := range files {
		got, err := inbox.File{}, terr
		if err == nil {
			got, err = c.fetch(ctx, token, f)
		}
		if err != nil {
			c.log.Warn("telegram file not fetched", "tenant_id", acct.TenantID, "account_id", acct.ID, "err", err)
			missed = append(missed, f.Name)
			continue
		}
		in.Attachments = append(in.Attachments, got)
	}
	if len(missed) > 0 {
		in.Meta["media_not_fetched"] = missed
		if in.Body == "" && len(in.Attachments) == 0 {
			in.Body = "(a file that could not be retrieved from Telegram)"
		}
	}
}

// fetch downloads one file: getFile locates it, then its path is fetched.
func (c *Channel) fetch(ctx context.Context, token string, f media) (inbox.File, error) {
	if f.Size > c.maxMedia {
		return inbox.File{}, fmt.Errorf("%s is %d bytes, more than %d", f.Name, f.Size, c.maxMedia)
	}
	ctx, cancel := context.WithTimeout(ctx, mediaTimeout)
	defer cancel()
	var tf file
	if err := c.api.call(ctx, token, "getFile", map[string]any{"file_id": f.FileID}, &tf); err != nil {
		return inbox.File{}, err
	}
	if tf.FilePath == "" {
		return inbox.File{}, errors.New("telegram getFile: no file_path (the file is over the Bot API's 20 MB)")
	}
	data, ct, err := c.api.download(ctx, token, tf.FilePath, c.maxMedia)
	if err != nil {
		return inbox.File{}, err
	}
	if f.ContentType == "" {
		f.ContentType = ct
	}
	if f.ContentType == "" || f.ContentType == "application/octet-stream" {
		f.ContentType = http.DetectContentType(data)
	}
	if path.Ext(f.Name) == "" {
		if exts, _ := mime.ExtensionsByType(f.ContentType); len(exts) > 0 {
			f.Name += exts[0]
		} else if ext := path.Ext(tf.FilePath); ext != "" {
			f.Name += ext
		}
	}
	return inbox.File{Name: f.Name, ContentType: f.ContentType, Data: data}, nil
}

// writeError answers a refused update with an RFC 9457 problem. Store
// errors become 500, so Telegram redelivers later; the cause is logged, not
// shown.
func (c *Channel) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var we *webhookError
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &we):
	case errors.As(err, &fe):
		we = refuse(http.StatusUnprocessableEntity, "validation", err)
	default:
		c.log.ErrorContext(r.Context(), "telegram webhook failed", "route", r.Pattern, "err", err)
		we = refuse(http.StatusInternalServerError, "internal", errors.New("the update could not be stored; Telegram will deliver it again"))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(we.status)
	json.NewEncoder(w).Encode(map[string]any{"type": "urn:switchboard:problem:" + we.kind, "title": http.StatusText(we.status),
		"status": we.status, "detail": we.err.Error()})
}
