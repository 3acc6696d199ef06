package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// DefaultAPIBase is Telegram's Bot API.
const DefaultAPIBase = "https://api.telegram.org"

// botAPI calls the Bot API (https://core.telegram.org/bots/api) for one
// center: methods at <base>/bot<token>/<method>, files at
// <base>/file/bot<token>/<path>. The token is in every URL, so no URL and
// no error of the HTTP client is ever quoted: errors name the method only.
type botAPI struct {
	base string
	http *http.Client // through the SSRF guard
}

// apiError is a Bot API answer with "ok": false.
type apiError struct {
	Method      string
	Status      int // the HTTP status
	Code        int `json:"error_code"`
	Description string
	RetryAfter  time.Duration
}

func (e *apiError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// envelope is every Bot API answer.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts params as JSON to method and decodes the result into out.
func (b *botAPI) call(ctx context.Context, token, method string, params any, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	return b.do(ctx, token, method, "application/json", bytes.NewReader(body), out)
}

// upload posts a multipart form with one file to method (sendPhoto,
// sendDocument): fields are the other parameters, field the file's.
func (b *botAPI) upload(ctx context.Context, token, method string, fields map[string]string, field string, f channel.File, out any) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			return fmt.Errorf("telegram %s: %w", method, err)
		}
	}
	name := f.Name
	if name == "" {
		name = "file"
	}
	part, err := mw.CreatePart(fileHeader(field, name, f.ContentType))
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	part.Write(f.Data)
	if err := mw.Close(); err != nil {
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	return b.do(ctx, token, method, mw.FormDataContentType(), &buf, out)
}

func (b *botAPI) do(ctx context.Context, token, method, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/bot"+token+"/"+method, body)
	if err != nil {
		return fmt.Errorf("telegram %s: bad request", method)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := b.http.Do(req)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, transportError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("telegram %s: read answer: %w", method, transportError(err))
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return retryable(resp, &apiError{Method: method, Status: resp.StatusCode, Code: resp.StatusCode,
			Description: "answer is not the Bot API's JSON (" + resp.Status + ")"})
	}
	if !env.OK {
		code := env.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		e := &apiError{Method: method, Status: resp.StatusCode, Code: code, Description: oneLine(env.Description),
			RetryAfter: time.Duration(env.Parameters.RetryAfter) * time.Second}
		return retryable(resp, e)
	}
	if out != nil {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return fmt.Errorf("telegram %s: result: %w", method, err)
		}
	}
	return nil
}

// retryable classifies a refused call for the delivery job: a flood wait
// (429 with retry_after) or an outage (5xx, maybe with Retry-After) is tried
// again when Telegram said; a request Telegram judged wrong (400: chat not
// found; 403: the customer blocked the bot) would be refused again. 401
// (the token was revoked) is retried, since an admin may replace it.
func retryable(resp *http.Response, e *apiError) error {
	if e.RetryAfter == 0 {
		if d, ok := channel.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			e.RetryAfter = d
		}
	}
	switch {
	case e.RetryAfter > 0 && (e.Code == http.StatusTooManyRequests || e.Status >= 500 || e.Status == http.StatusTooManyRequests):
		return channel.RetryLater(e.RetryAfter, e)
	case e.Code == http.StatusBadRequest || e.Code == http.StatusForbidden || e.Code == http.StatusNotFound:
		return fmt.Errorf("%w: %w", e, channel.ErrPermanent)
	}
	return e
}

// transportError is err without the URL a *url.Error quotes: it holds the
// bot's token.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// file is the Bot API's File: where a file can be downloaded.
type file struct {
	FileID   string `json:"file_id"`
	FileSize int64  `json:"file_size"`
	FilePath string `json:"file_path"`
}

// download fetches a file getFile located, at most maxBytes of it.
func (b *botAPI) download(ctx context.Context, token, path string, maxBytes int64) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/file/bot"+token+"/"+path, nil)
	if err != nil {
		return nil, "", errors.New("telegram file download: bad file path")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("telegram file download: %w", transportError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("telegram file download: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("telegram file download: %w", transportError(err))
	}
	if int64(len(data)) > maxBytes {
		return nil, "", fmt.Errorf("telegram file download: larger than %d bytes", maxBytes)
	}
	return data, resp.Header.Get("Content-Type"), nil
}

// oneLine is a provider's text fit for an error message.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
