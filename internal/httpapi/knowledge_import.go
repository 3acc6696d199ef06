package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
)

// articleImportPath takes articles in bulk; its body may be larger than the API's limit.
const articleImportPath = "/api/v1/knowledge/imports/articles"

// articleImportLimit bounds one import's body.
const articleImportLimit = 32 << 20

// importArticles imports JSON lines (application/x-ndjson) or a zip of
// Markdown files (application/zip). A row that fails is reported with its
// line (and file) and why; the others are imported.
func (a *API) importArticles(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-ndjson" && ct != "application/jsonl" && ct != "application/zip" {
		a.writeError(w, r, problem(http.StatusUnsupportedMediaType, "unsupported-media-type",
			"send JSON lines as application/x-ndjson or Markdown files as application/zip"))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.writeError(w, r, err)
			return
		}
		a.writeError(w, r, problem(http.StatusBadRequest, "bad-body", "the body could not be read whole"))
		return
	}
	var rows []articles.ImportRow
	var failed []articles.ImportFailure
	if ct == "application/zip" {
		rows, failed, err = articles.ParseMarkdownZip(body)
	} else {
		rows, failed, err = articles.ParseJSONLines(bytes.NewReader(body))
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	res, err := a.Knowledge.Import(r.Context(), caller(r).kbActor(), rows, failed)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
