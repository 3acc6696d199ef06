package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/meta"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// metadataPrefix starts the metadata the center puts on each message it
// sends; Messenger echoes it back, which tells our own sends' echoes from a
// message the business wrote elsewhere, even before the send's answer (and
// its message id) is recorded.
const metadataPrefix = "switchboard:"

// maxAnswerBytes bounds what is read of a Graph API answer.
const maxAnswerBytes = 64 << 10

// Send delivers an agent's reply through the Send API, within Meta's
// messaging window: files first (each is a message of its own on Messenger),
// then the text. The external id is the last message's id.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	acct := out.Account
	if acct.ID == "" || acct.TenantID != out.TenantID || acct.Channel != c.Name() {
		return channel.Sent{}, fmt.Errorf("tenant has no %s account: %w", c.Name(), channel.ErrPermanent)
	}
	token, err := c.secret(acct, SettingPageToken)
	if err != nil || token == "" {
		return channel.Sent{}, fmt.Errorf("the %s account %s has no usable %s (%v): %w", c.Name(), acct.Address, SettingPageToken, err, channel.ErrPermanent)
	}
	if len(out.Attachments) > 0 && c.platform == Instagram {
		return channel.Sent{}, fmt.Errorf("instagram takes files only from public URLs, which the center does not publish; send text: %w", channel.ErrPermanent)
	}
	last, err := c.db.MessengerWindow(ctx, out.TenantID, acct.ID, out.To)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return channel.Sent{}, err
	}
	h, err := window(last, c.clock.Now(), acct.Settings[SettingHumanAgent] == "true")
	if err != nil {
		return channel.Sent{}, fmt.Errorf("%w: %w", err, channel.ErrPermanent)
	}
	var mid string
	for _, f := range out.Attachments {
		if mid, err = c.sendFile(ctx, acct, token, out, h, f); err != nil {
			return channel.Sent{}, err
		}
	}
	if strings.TrimSpace(out.Body) != "" {
		msg := map[string]any{"text": out.Body}
		if c.platform == Messenger {
			msg["metadata"] = metadataPrefix + out.MessageID
		}
		body, _ := json.Marshal(sendRequest(out.To, h, msg))
		if mid, err = c.post(ctx, acct, token, "application/json", body); err != nil {
			return channel.Sent{}, err
		}
	}
	if mid == "" {
		return channel.Sent{}, fmt.Errorf("nothing to send: the message has no text and no file: %w", channel.ErrPermanent)
	}
	return channel.Sent{ExternalID: mid, Status: "sent"}, nil
}

// sendRequest is the Send API's request: recipient, messaging_type (and
// tag), message.
func sendRequest(to string, h how, msg map[string]any) map[string]any {
	req := map[string]any{"recipient": map[string]string{"id": to}, "messaging_type": h.messagingType, "message": msg}
	if h.tag != "" {
		req["tag"] = h.tag
	}
	return req
}

// sendFile uploads and sends one file in one request, as the Send API takes
// it: a multipart form with recipient, message (an attachment whose payload
// is not reusable) and the bytes as filedata.
func (c *Channel) sendFile(ctx context.Context, acct channel.Account, token string, out channel.Outbound, h how, f channel.File) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	req := sendRequest(out.To, h, map[string]any{
		"attachment": map[string]any{"type": attachmentType(f.ContentType), "payload": map[string]any{"is_reusable": false}},
		"metadata":   metadataPrefix + out.MessageID,
	})
	for _, k := range []string{"recipient", "messaging_type", "tag", "message"} {
		v, ok := req[k]
		if !ok {
			continue
		}
		s, isString := v.(string)
		if !isString {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		w.WriteField(k, s)
	}
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename=%q`, fileName(f)))
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	hdr.Set("Content-Type", ct)
	part, _ := w.CreatePart(hdr)
	part.Write(f.Data)
	w.Close()
	return c.post(ctx, acct, token, w.FormDataContentType(), buf.Bytes())
}

// attachmentType is the Send API's attachment type for a content type.
func attachmentType(ct string) string {
	for _, t := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(ct, t+"/") {
			return t
		}
	}
	return "file"
}

func fileName(f channel.File) string {
	if n := strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 {
			return -1
		}
		return r
	}, f.Name); n != "" {
		return n
	}
	return "file"
}

// messagesPath is where the account's messages are sent: the Page's
// /{page-id}/messages, an Instagram account's linked Page's, or /me/messages
// (Meta resolves "me" from the token).
func (c *Channel) messagesPath(acct channel.Account) string {
	id := acct.Address
	if c.platform == Instagram {
		id = acct.Settings[SettingPageID]
	}
	if id == "" {
		id = "me"
	}
	return c.graph + "/" + url.PathEscape(id) + "/messages"
}

// post calls the Send API and returns the message id Meta gave. Errors are
// meta.Classify's: throttled sends wait for Retry-After, server errors are
// retried, other refusals are permanent.
func (c *Channel) post(ctx context.Context, acct channel.Account, token, contentType string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.messagesPath(acct), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("send api: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("send api: %w", err) // the token is in a header, never in the error's URL
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("send api: %w", meta.Classify(resp, answer, c.clock.Now()))
	}
	var ok struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := json.Unmarshal(answer, &ok); err != nil || ok.MessageID == "" {
		return "", fmt.Errorf("send api answered %s without a message_id", resp.Status)
	}
	return ok.MessageID, nil
}

// profileName asks the Graph API for the customer's name: first and last
// name of a PSID on Messenger, name (else username) of an IGSID on
// Instagram. Meta gives it only where the person's settings allow; any
// failure is "" — the message is stored without a name rather than delayed.
func (c *Channel) profileName(ctx context.Context, acct channel.Account, user string) string {
	fields := "first_name,last_name"
	if c.platform == Instagram {
		fields = "name,username"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.graph+"/"+url.PathEscape(user)+"?fields="+url.QueryEscape(fields), nil)
	if err != nil {
		return ""
	}
	token, err := c.secret(acct, SettingPageToken)
	if err != nil {
		c.log.Warn("profile not fetched", "tenant_id", acct.TenantID, "err", err)
		return ""
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		c.log.Info("profile not fetched", "tenant_id", acct.TenantID, "err", err)
		return ""
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode != http.StatusOK {
		c.log.Info("profile not given", "tenant_id", acct.TenantID, "err", meta.Classify(resp, answer, c.clock.Now()))
		return ""
	}
	var p struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Name      string `json:"name"`
		Username  string `json:"username"`
	}
	if json.Unmarshal(answer, &p) != nil {
		return ""
	}
	if n := strings.TrimSpace(p.FirstName + " " + p.LastName); n != "" {
		return n
	}
	if p.Name != "" {
		return p.Name
	}
	return p.Username
}
