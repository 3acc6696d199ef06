package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/plan"
)

// uploadPath is where agents upload files; its body limit is the inbox's
// attachment limit, not the API's.
const uploadPath = "/api/v1/attachments"

// multipartOverhead allows for a form's boundaries and headers around the file.
const multipartOverhead = 64 << 10

func (a *API) uploadBodyLimit() int64 { return a.Inbox.MaxAttachmentBytes() + multipartOverhead }

// uploadAttachment stores one file from a multipart form, for a reply to carry.
func (a *API) uploadAttachment(w http.ResponseWriter, r *http.Request) {
	name, data, err := a.readUpload(r, a.Inbox.MaxAttachmentBytes())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	att, err := a.Inbox.Upload(r.Context(), caller(r).inboxActor(), name, data)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.warnPlan(r)
	writeJSON(w, http.StatusCreated, att)
}

// readUpload reads the one part named file of a multipart form, at most
// limit bytes, and checks the workspace's storage allowance for it: what
// every upload route (a reply's attachment, a room's file) takes.
func (a *API) readUpload(r *http.Request, limit int64) (name string, data []byte, err error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return "", nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the file as multipart/form-data in a part named file")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, badParam("file", "the multipart body cannot be read")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, badParam("file", "is missing: send one part named file")
		}
		if err != nil {
			return "", nil, uploadReadError(err)
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return "", nil, uploadReadError(err)
		}
		if int64(len(data)) > limit {
			return "", nil, problem(http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the file is larger than %d bytes", limit))
		}
		if err := a.Operator.Check(r.Context(), caller(r).Tenant.ID, plan.StorageBytes, int64(len(data))); err != nil {
			return "", nil, err
		}
		return part.FileName(), data, nil
	}
}

func uploadReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return problem(http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
	}
	return badParam("file", "the multipart body cannot be read")
}
