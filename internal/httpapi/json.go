package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// decode reads one JSON object into v, refusing unknown fields, trailing data,
// invalid UTF-8 (which encoding/json would silently replace) and control
// characters in any string, and says where the body is wrong.
func decode(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json")
	}
	body, err := io.ReadAll(r.Body) // bounded by the body limit (limitBody)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return problem(http.StatusBadRequest, "bad-json", "the body could not be read whole")
	}
	return decodeBytes(body, v)
}

// decodeBytes is decode after the body is read.
func decodeBytes(body []byte, v any) error {
	if !utf8.Valid(body) {
		return problem(http.StatusBadRequest, "bad-json", fmt.Sprintf("the body is not valid UTF-8 (at byte %d)", invalidAt(body)))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return err
		case errors.Is(err, io.EOF):
			return problem(http.StatusBadRequest, "bad-json", "the request body is empty; send a JSON object")
		case errors.As(err, &syn):
			return problem(http.StatusBadRequest, "bad-json", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
		case errors.As(err, &typ):
			want := jsonKind(typ.Type)
			p := problem(http.StatusUnprocessableEntity, "validation", fmt.Sprintf("field %q must be %s", typ.Field, want))
			p.Errors = []FieldIssue{{Field: typ.Field, Reason: "must be " + want}}
			return p
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			p := problem(http.StatusUnprocessableEntity, "validation", fmt.Sprintf("unknown field %q", field))
			p.Errors = []FieldIssue{{Field: field, Reason: "is not a known field"}}
			return p
		default:
			return problem(http.StatusBadRequest, "bad-json", "malformed JSON: "+err.Error())
		}
	}
	if dec.More() {
		return problem(http.StatusBadRequest, "bad-json", "the body must hold exactly one JSON object")
	}
	return checkText(v)
}

// jsonKind names what a field of Go type t must be in JSON's words: a client
// knows strings, numbers, lists and objects, not int64 or inbox.Priority.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeOf(time.Time{}) {
		return "a date and time (RFC 3339, e.g. 2026-12-06T09:30:00Z)"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		elem := jsonKind(t.Elem())
		if rest, ok := strings.CutPrefix(elem, "an "); ok {
			return "a list of " + plural(rest)
		}
		elem, _ = strings.CutPrefix(elem, "a ")
		return "a list of " + plural(elem)
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a JSON value of another kind"
}

// plural makes the noun phrases jsonKind uses plural.
func plural(s string) string {
	switch {
	case strings.HasPrefix(s, "list of "):
		return "lists"
	case s == "whole number":
		return "whole numbers"
	case strings.HasPrefix(s, "date and time"):
		return "dates and times" + strings.TrimPrefix(s, "date and time")
	case s == "true or false":
		return "true/false values"
	case strings.HasPrefix(s, "JSON value"):
		return "JSON values of another kind"
	}
	return s + "s"
}

// invalidAt is the offset of the first byte of b that is not UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// list is the shape of every paginated answer.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}
