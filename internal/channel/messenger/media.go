package messenger

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// mediaTimeout bounds the download of one attachment.
const mediaTimeout = 30 * time.Second

// fetch downloads an attachment from the URL a webhook named (Meta's CDN,
// whose URLs carry their own signature: no token is sent). It goes through
// the guard, since a signed webhook can name any address.
func (c *Channel) fetch(ctx context.Context, u string) (inbox.File, error) {
	if u == "" {
		return inbox.File{}, fmt.Errorf("fetch attachment: no URL")
	}
	ctx, cancel := context.WithTimeout(ctx, mediaTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return inbox.File{}, fmt.Errorf("fetch attachment: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return inbox.File{}, fmt.Errorf("fetch attachment: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return inbox.File{}, fmt.Errorf("fetch attachment: %s answered %s", req.URL.Redacted(), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMediaBytes+1))
	if err != nil {
		return inbox.File{}, fmt.Errorf("fetch attachment: %w", err)
	}
	if len(data) > maxMediaBytes {
		return inbox.File{}, fmt.Errorf("fetch attachment: larger than %d bytes", maxMediaBytes)
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	ct = strings.TrimSpace(ct)
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	name := path.Base(req.URL.Path)
	if name == "." || name == "/" {
		name = "attachment"
	}
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 && path.Ext(name) == "" {
		name += exts[0]
	}
	return inbox.File{Name: name, ContentType: ct, Data: data}, nil
}
