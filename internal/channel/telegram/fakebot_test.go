package telegram_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeBotAPI behaves like Telegram's Bot API for what the channel uses,
// written from the published reference (core.telegram.org/bots/api) apart
// from the code under test: methods at /bot<token>/<method> taking JSON or
// multipart, answers {"ok":true,"result":…} or {"ok":false,"error_code",
// "description","parameters":{"retry_after"}}, files at
// /file/bot<token>/<file_path>. Like Telegram, it delivers updates to the
// webhook setWebhook named, with the secret token in
// X-Telegram-Bot-Api-Secret-Token.
type fakeBotAPI struct {
	srv  *httptest.Server
	bots map[string]botUser // token → the bot

	mu       sync.Mutex
	webhooks map[string]webhook // token → what setWebhook set
	files    map[string]fakeFile
	sent     []sentCall
	answered []string // callback query ids
	flood    int      // the next sends answered 429
	down     int      // the next sends answered 502
	nextID   int64
	calls    map[string]int
}

type botUser struct {
	ID       int64  `json:"id"`
	IsBot    bool   `json:"is_bot"`
	Name     string `json:"first_name"`
	Username string `json:"username"`
}

type webhook struct {
	URL, Secret    string
	AllowedUpdates []string
}

type fakeFile struct {
	path string
	data []byte
}

// sentCall is a message the fake took: the method, the chat, the text or
// caption, the keyboard's buttons and the uploaded file.
type sentCall struct {
	Method, Chat, Text string
	Buttons            []string
	FileName, FileType string
	File               []byte
}

// Chats the fake treats specially.
const (
	unknownChat = "404404"
	blockedChat = "403403"
)

func newFakeBotAPI(t testing.TB, bots map[string]botUser) *fakeBotAPI {
	t.Helper()
	f := &fakeBotAPI{bots: bots, webhooks: map[string]webhook{}, files: map[string]fakeFile{}, nextID: 100, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func tgOK(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func tgErr(w http.ResponseWriter, code int, desc string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

func (f *fakeBotAPI) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/file/bot"); ok && r.Method == http.MethodGet {
		token, path, _ := strings.Cut(rest, "/")
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls["download"]++
		if _, ok := f.bots[token]; !ok {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		for _, file := range f.files {
			if file.path == path {
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Write(file.data)
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	rest, ok := strings.CutPrefix(p, "/bot")
	if !ok || r.Method != http.MethodPost {
		tgErr(w, 404, "Not Found", 0)
		return
	}
	token, method, _ := strings.Cut(rest, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	bot, ok := f.bots[token]
	if !ok {
		tgErr(w, 401, "Unauthorized", 0)
		return
	}
	params, upload, err := readParams(r)
	if err != nil {
		tgErr(w, 400, "Bad Request: "+err.Error(), 0)
		return
	}
	switch method {
	case "getMe":
		tgOK(w, bot)
	case "setWebhook":
		var allowed []string
		json.Unmarshal(params["allowed_updates"], &allowed)
		f.webhooks[token] = webhook{URL: str(params["url"]), Secret: str(params["secret_token"]), AllowedUpdates: allowed}
		tgOK(w, true)
	case "getFile":
		file, ok := f.files[str(params["file_id"])]
		if !ok {
			tgErr(w, 400, "Bad Request: invalid file_id", 0)
			return
		}
		tgOK(w, map[string]any{"file_id": str(params["file_id"]), "file_unique_id": "u" + str(params["file_id"]),
			"file_size": len(file.data), "file_path": file.path})
	case "answerCallbackQuery":
		f.answered = append(f.answered, str(params["callback_query_id"]))
		tgOK(w, true)
	case "sendMessage", "sendPhoto", "sendDocument":
		chat := str(params["chat_id"])
		switch {
		case f.flood > 0:
			f.flood--
			tgErr(w, 429, "Too Many Requests: retry after 1", 1)
			return
		case f.down > 0:
			f.down--
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
			return
		case chat == unknownChat:
			tgErr(w, 400, "Bad Request: chat not found", 0)
			return
		case chat == blockedChat:
			tgErr(w, 403, "Forbidden: bot was blocked by the user", 0)
			return
		}
		call := sentCall{Method: method, Chat: chat, Text: str(params["text"]) + str(params["caption"])}
		var kb struct {
			InlineKeyboard [][]struct {
				Text         string `json:"text"`
				CallbackData string `json:"callback_data"`
			} `json:"inline_keyboard"`
		}
		if m := params["reply_markup"]; len(m) > 0 {
			raw := m
			if s := str(m); s != "" { // multipart: the field's JSON as text
				raw = json.RawMessage(s)
			}
			if err := json.Unmarshal(raw, &kb); err != nil {
				tgErr(w, 400, "Bad Request: can't parse reply keyboard markup JSON object", 0)
				return
			}
			for _, row := range kb.InlineKeyboard {
				for _, b := range row {
					call.Buttons = append(call.Buttons, b.Text+"="+b.CallbackData)
				}
			}
		}
		if method != "sendMessage" {
			field := map[string]string{"sendPhoto": "photo", "sendDocument": "document"}[method]
			fh, ok := upload[field]
			if !ok {
				tgErr(w, 400, "Bad Request: there is no "+field+" in the request", 0)
				return
			}
			call.FileName, call.FileType, call.File = fh.name, fh.contentType, fh.data
		} else if strings.TrimSpace(call.Text) == "" {
			tgErr(w, 400, "Bad Request: message text is empty", 0)
			return
		}
		f.sent = append(f.sent, call)
		f.nextID++
		chatID, _ := strconv.ParseInt(chat, 10, 64)
		tgOK(w, map[string]any{"message_id": f.nextID, "date": 1764000000, "chat": map[string]any{"id": chatID, "type": "private"},
			"from": map[string]any{"id": bot.ID, "is_bot": true, "first_name": bot.Name, "username": bot.Username}, "text": call.Text})
	default:
		tgErr(w, 404, "Not Found: method not found", 0)
	}
}

type uploaded struct {
	name, contentType string
	data              []byte
}

// readParams reads a method's parameters as the Bot API takes them: JSON, or
// multipart/form-data with files.
func readParams(r *http.Request) (map[string]json.RawMessage, map[string]uploaded, error) {
	params := map[string]json.RawMessage{}
	ct, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, _ := io.ReadAll(r.Body)
		if len(bytes.TrimSpace(body)) == 0 {
			return params, nil, nil
		}
		err := json.Unmarshal(body, &params)
		return params, nil, err
	case "multipart/form-data":
		files := map[string]uploaded{}
		mr := multipart.NewReader(r.Body, mp["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return params, files, nil
			}
			if err != nil {
				return nil, nil, err
			}
			data, _ := io.ReadAll(part)
			if part.FileName() != "" {
				files[part.FormName()] = uploaded{name: part.FileName(), contentType: part.Header.Get("Content-Type"), data: data}
				continue
			}
			b, _ := json.Marshal(string(data))
			params[part.FormName()] = b
		}
	}
	return nil, nil, fmt.Errorf("unsupported content type %q", ct)
}

// str is a parameter as text: a JSON string, or a number (chat_id may be either).
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// addToken makes token another token of the bot of an existing one.
func (f *fakeBotAPI) addToken(token, of string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bots[token] = f.bots[of]
}

// addFile makes a file downloadable as file_id.
func (f *fakeBotAPI) addFile(id, path string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = fakeFile{path: path, data: data}
}

func (f *fakeBotAPI) hook(token string) webhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.webhooks[token]
}

func (f *fakeBotAPI) sentCalls() []sentCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentCall(nil), f.sent...)
}

func (f *fakeBotAPI) answeredQueries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.answered...)
}

func (f *fakeBotAPI) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *fakeBotAPI) setFlood(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flood = n
}

func (f *fakeBotAPI) setDown(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = n
}

// deliver posts an update to the bot's webhook as Telegram does, with the
// secret token setWebhook gave (or secret, if not empty), and returns the
// status and body.
func (f *fakeBotAPI) deliver(t *testing.T, token string, update any, secret string) (int, string) {
	t.Helper()
	h := f.hook(token)
	if h.URL == "" {
		t.Fatal("no webhook set for the bot")
	}
	if secret == "" {
		secret = h.Secret
	}
	body, _ := json.Marshal(update)
	req, _ := http.NewRequest(http.MethodPost, h.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "-" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
