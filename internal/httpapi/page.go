package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

const defaultPageSize = 50

// pageParams reads ?limit= and ?cursor=, after checking every query value
// is text (checkQuery). It asks the store for one row more than
// the limit, so the answer knows whether a next page exists.
func pageParams(r *http.Request) (store.Page, int, error) {
	if err := checkQuery(r); err != nil {
		return store.Page{}, 0, err
	}
	limit := defaultPageSize
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxPageSize-1 {
			p := problem(http.StatusBadRequest, "bad-parameter", "limit must be a whole number from 1 to 199")
			p.Errors = []FieldIssue{{Field: "limit", Reason: "must be 1–199"}}
			return store.Page{}, 0, p
		}
		limit = n
	}
	var after string
	if c := r.URL.Query().Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || !ids.Valid(string(raw)) {
			p := problem(http.StatusBadRequest, "bad-parameter", "cursor is not one this API gave out")
			p.Errors = []FieldIssue{{Field: "cursor", Reason: "unknown cursor"}}
			return store.Page{}, 0, p
		}
		after = string(raw)
	}
	return store.Page{After: after, Limit: limit + 1}, limit, nil
}

// paginate trims the extra row and makes the cursor for the next page.
func paginate[T any](items []T, limit int, id func(T) string) list[T] {
	out := list[T]{Items: items}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(id(items[limit-1])))
	}
	return out
}
