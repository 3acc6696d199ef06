package webchat

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/download"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// handleUpload stores a file the visitor sends: multipart "file" (one), with
// optional "body" and "client_id". Its type is sniffed from its bytes, never
// taken from the browser.
func (c *Channel) handleUpload(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	v, token, ok := c.visitor(w, r, wd)
	if !ok {
		return
	}
	limit := wd.MaxUpload(c.cfg.MaxUploadBytes)
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxJSONBody)
	up, err := readUpload(r, limit)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sniffed := http.DetectContentType(up.data)
	if !wd.Accepts(sniffed) {
		writeProblem(w, r, problem(http.StatusUnsupportedMediaType, "file-type",
			"files of type "+sniffed+" are not accepted here; accepted: "+strings.Join(wd.Accept(), ", ")))
		return
	}
	ct, params, _ := mime.ParseMediaType(sniffed)
	if cs := params["charset"]; cs != "" {
		ct += "; charset=" + cs
	}
	if up.clientID == "" {
		up.clientID = "upload-" + ids.New()
	}
	conv, _, err := c.currentConversation(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	res, err := c.post(r.Context(), v, conv, "", up.clientID, up.body, nil, []inbox.File{{Name: up.name, ContentType: ct, Data: up.data}}, up.fresh)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	m := view(res.Message, "", wd.Address, token)
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
}

type upload struct {
	name, body, clientID string
	data                 []byte
	fresh                bool // new_conversation=true: the visitor started a new chat
}

// errTooLarge is a file over the widget's limit.
var errTooLarge = errors.New("file too large")

func readUpload(r *http.Request, limit int64) (upload, error) {
	var up upload
	mr, err := r.MultipartReader()
	if err != nil {
		return up, &tenant.FieldError{Field: "file", Reason: "send multipart/form-data with one file part"}
	}
	seen := false
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, tooLargeOr(err, &tenant.FieldError{Field: "file", Reason: "malformed multipart body"})
		}
		switch p.FormName() {
		case "file":
			if seen {
				return up, &tenant.FieldError{Field: "file", Reason: "one file per upload"}
			}
			seen = true
			up.name = cleanName(p.FileName())
			up.data, err = io.ReadAll(io.LimitReader(p, limit+1))
			if err != nil {
				return up, tooLargeOr(err, &tenant.FieldError{Field: "file", Reason: "could not read the file"})
			}
			if int64(len(up.data)) > limit {
				return up, errTooLarge
			}
		case "new_conversation":
			b, _ := io.ReadAll(io.LimitReader(p, 8))
			up.fresh = string(b) == "true"
		case "body", "client_id":
			b, err := io.ReadAll(io.LimitReader(p, maxJSONBody))
			if err != nil {
				return up, tooLargeOr(err, &tenant.FieldError{Field: p.FormName(), Reason: "could not read"})
			}
			if p.FormName() == "body" {
				up.body = string(b)
			} else if up.clientID = string(b); len(up.clientID) > 100 {
				return up, &tenant.FieldError{Field: "client_id", Reason: "at most 100 characters"}
			}
		}
	}
	if !seen || len(up.data) == 0 {
		return up, &tenant.FieldError{Field: "file", Reason: "no file, or an empty one"}
	}
	return up, nil
}

func tooLargeOr(err error, other error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return other
}

// cleanName keeps a file name to its base, without control characters.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return truncate(name, 200)
}

// handleAttachment serves a file of the visitor's own conversation.
func (c *Channel) handleAttachment(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	v, _, ok := c.visitor(w, r, wd)
	if !ok {
		return
	}
	id := r.PathValue("id")
	conv, _, err := c.currentConversation(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	found := false
	errFound := errors.New("found")
	if conv != "" && ids.Valid(id) {
		err = c.eachMessage(r.Context(), v, conv, "", func(m conversation.Message) error {
			for _, a := range m.Attachments {
				if a.ID == id {
					found = true
					return errFound
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, errFound) {
			c.fail(w, r, err)
			return
		}
	}
	if !found {
		c.fail(w, r, store.ErrNotFound)
		return
	}
	a, data, err := c.inbox.Attachment(r.Context(), v.TenantID, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// Visitors' and agents' files: plain images show in place, anything
	// else (an SVG, an HTML page) is saved, sandboxed, never sniffed.
	download.Header(w.Header(), a.ContentType, a.Name)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(data)
}
