package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/meta"
	"github.com/switchboard-cx/switchboard/internal/clock"
)

// maxMediaBytes bounds one downloaded media item: the Cloud API's largest
// (documents) is 100 MB, the center keeps attachments far smaller, and the
// inbox refuses what is over its own limit.
const maxMediaBytes = 100 << 20

// maxAnswerBytes bounds a Graph API answer that is not media.
const maxAnswerBytes = 1 << 20

// graph is the Cloud API client: messages, media upload and download. Every
// call goes through the guard's clients.
type graph struct {
	base  string // API base with the version: https://graph.facebook.com/v21.0
	http  *http.Client
	media *http.Client
	clock clock.Clock
}

// do makes one call with the account's token and decodes a 2xx answer into
// into; other answers become meta.Classify's errors, with a 5xx's
// Retry-After obeyed.
func (g *graph) do(req *http.Request, acct channel.Account, into any) error {
	req.Header.Set("Authorization", "Bearer "+acct.Settings[SettingAccessToken])
	resp, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("graph api %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("graph api %s: read answer: %w", req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		now := g.clock.Now()
		err := meta.Classify(resp, body, now)
		if _, ok := channel.RetryAfter(err); !ok && resp.StatusCode >= 500 {
			if d, ok := channel.ParseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
				err = channel.RetryLater(d, err)
			}
		}
		return err
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("graph api %s: answer %s is not JSON: %w", req.URL.Path, resp.Status, err)
	}
	return nil
}

// send posts one message to /{phone-number-id}/messages and returns its wamid.
func (g *graph) send(ctx context.Context, acct channel.Account, msg map[string]any) (string, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("whatsapp message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+"/"+url.PathEscape(acct.Address)+"/messages", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("whatsapp send: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var sent struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := g.do(req, acct, &sent); err != nil {
		return "", fmt.Errorf("whatsapp send: %w", err)
	}
	if len(sent.Messages) == 0 || sent.Messages[0].ID == "" {
		return "", fmt.Errorf("whatsapp send: the answer names no message id")
	}
	return sent.Messages[0].ID, nil
}

// upload stores a file at Meta (POST /{phone-number-id}/media, multipart)
// and returns its media id, which a message then names.
func (g *graph) upload(ctx context.Context, acct channel.Account, f channel.File) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("messaging_product", "whatsapp")
	w.WriteField("type", f.ContentType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": f.Name}))
	h.Set("Content-Type", f.ContentType)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(f.Data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", fmt.Errorf("whatsapp upload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+"/"+url.PathEscape(acct.Address)+"/media", &buf)
	if err != nil {
		return "", fmt.Errorf("whatsapp upload: %w", err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	var up struct {
		ID string `json:"id"`
	}
	if err := g.do(req, acct, &up); err != nil {
		return "", fmt.Errorf("whatsapp upload %s: %w", f.Name, err)
	}
	if up.ID == "" {
		return "", fmt.Errorf("whatsapp upload %s: the answer names no media id", f.Name)
	}
	return up.ID, nil
}

// download fetches an inbound message's media: GET /{media-id} names a
// short-lived URL, whose bytes are fetched with the same token.
func (g *graph) download(ctx context.Context, acct channel.Account, m media) (channel.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+"/"+url.PathEscape(m.ID), nil)
	if err != nil {
		return channel.File{}, fmt.Errorf("media %s: %w", m.ID, err)
	}
	var info struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		FileSize int64  `json:"file_size"`
	}
	if err := g.do(req, acct, &info); err != nil {
		return channel.File{}, fmt.Errorf("media %s: %w", m.ID, err)
	}
	if info.FileSize > maxMediaBytes {
		return channel.File{}, fmt.Errorf("media %s: %d bytes, more than %d", m.ID, info.FileSize, maxMediaBytes)
	}
	u, err := url.Parse(info.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return channel.File{}, fmt.Errorf("media %s: the answer's url is not an http(s) URL", m.ID)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return channel.File{}, fmt.Errorf("media %s: %w", m.ID, err)
	}
	// The media URL needs the token; Go drops it on a redirect to another host.
	req.Header.Set("Authorization", "Bearer "+acct.Settings[SettingAccessToken])
	resp, err := g.media.Do(req)
	if err != nil {
		return channel.File{}, fmt.Errorf("media %s: %w", m.ID, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return channel.File{}, fmt.Errorf("media %s: %s answered %s", m.ID, u.Host, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMediaBytes+1))
	if err != nil {
		return channel.File{}, fmt.Errorf("media %s: %w", m.ID, err)
	}
	if len(data) > maxMediaBytes {
		return channel.File{}, fmt.Errorf("media %s: larger than %d bytes", m.ID, maxMediaBytes)
	}
	ct := firstOf(m.MimeType, info.MimeType, resp.Header.Get("Content-Type"), "application/octet-stream")
	return channel.File{Name: mediaName(m, ct), ContentType: ct, Data: data}, nil
}

// mediaName is a document's own file name, or one made of the message type
// and the media id with the type's extension.
func mediaName(m media, contentType string) string {
	if name := path.Base(strings.ReplaceAll(m.Filename, "\\", "/")); m.Filename != "" && name != "." && name != "/" {
		return name
	}
	name := m.Kind + "-" + m.ID
	ct, _, _ := mime.ParseMediaType(contentType)
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		name += exts[0]
	}
	return name
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// textMessage is a free-form text message to the wa_id `to`.
func textMessage(to, body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
		"text": map[string]any{"preview_url": false, "body": body}}
}

// mediaMessage sends an uploaded file as an image, video, audio or document.
func mediaMessage(to, mediaID string, f channel.File) map[string]any {
	kind := "document"
	switch ct, _, _ := mime.ParseMediaType(f.ContentType); {
	case ct == "image/jpeg" || ct == "image/png":
		kind = "image"
	case ct == "video/mp4" || ct == "video/3gpp":
		kind = "video"
	case strings.HasPrefix(ct, "audio/"):
		kind = "audio"
	}
	obj := map[string]any{"id": mediaID}
	if kind == "document" {
		obj["filename"] = f.Name
	}
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind, kind: obj}
}

// templateMessage sends an approved template with its body's variables.
func templateMessage(to string, t Template, vars []string) map[string]any {
	tpl := map[string]any{"name": t.Name, "language": map[string]any{"code": t.Language}}
	if len(vars) > 0 {
		params := make([]map[string]any, len(vars))
		for i, v := range vars {
			params[i] = map[string]any{"type": "text", "text": v}
		}
		tpl["components"] = []map[string]any{{"type": "body", "parameters": params}}
	}
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template", "template": tpl}
}
