package httpapi

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

func multipartFile(t *testing.T, field, name string, data []byte) rawBody {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return rawBody{data: buf.Bytes(), contentType: mw.FormDataContentType()}
}

// An agent uploads a file, a reply carries it, and another tenant cannot use or
// read it; files too big, empty or missing are refused with a reason.
func TestUploadAttachment(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 2<<20)...) // 2 MiB: more than the API's body limit
			var att struct {
				ID, Name    string
				ContentType string `json:"content_type"`
				Size        int64
			}
			admin.do("POST", "/api/v1/attachments", multipartFile(t, "file", `C:\photos\receipt.png`, png)).want(http.StatusCreated).decode(&att)
			if att.Name != "receipt.png" || att.ContentType != "image/png" || att.Size != int64(len(png)) {
				t.Fatalf("uploaded %+v", att)
			}
			res := admin.do("GET", "/api/v1/attachments/"+att.ID, nil).want(http.StatusOK)
			if !bytes.Equal(res.body, png) {
				t.Fatalf("downloaded %d bytes, uploaded %d", len(res.body), len(png))
			}
			w.B.admin.in(t).do("GET", "/api/v1/attachments/"+att.ID, nil).wantProblem(http.StatusNotFound, "not-found")

			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "send me the receipt").Conversation.ID
			var m struct{ Attachments []struct{ ID string } }
			admin.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"body": "here", "attachment_ids": []string{att.ID}}).
				want(http.StatusCreated).decode(&m)
			if len(m.Attachments) != 1 || m.Attachments[0].ID != att.ID {
				t.Fatalf("reply carries %+v", m.Attachments)
			}
			convB := w.contactOn(t, w.B.Tenant.ID, "c1", "hi").Conversation.ID
			w.B.admin.in(t).do("POST", "/api/v1/conversations/"+convB+"/messages", map[string]any{"body": "x", "attachment_ids": []string{att.ID}}).
				wantProblem(http.StatusUnprocessableEntity, "validation")

			big := bytes.Repeat([]byte("a"), int(w.inbox.MaxAttachmentBytes())+1)
			admin.do("POST", "/api/v1/attachments", multipartFile(t, "file", "big.txt", big)).wantProblem(http.StatusRequestEntityTooLarge, "too-large")
			admin.do("POST", "/api/v1/attachments", multipartFile(t, "file", "empty.txt", nil)).wantProblem(http.StatusUnprocessableEntity, "validation")
			admin.do("POST", "/api/v1/attachments", multipartFile(t, "file", "a\x1b[2Jb.txt", []byte("x"))).wantProblem(http.StatusBadRequest, "bad-parameter") // the multipart reader refuses it
			admin.do("POST", "/api/v1/attachments", multipartFile(t, "other", "a.txt", []byte("x"))).wantProblem(http.StatusBadRequest, "bad-parameter")
			admin.do("POST", "/api/v1/attachments", map[string]string{"file": "x"}, outsideSpec).wantProblem(http.StatusUnsupportedMediaType, "unsupported-media-type")
		})
	}
}
