package httpapi

import (
	"net/http"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/textfield"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// fuzzTargets are the request bodies the API decodes, with the pure domain
// validation each gets (nil where the check needs the database).
var fuzzTargets = []struct {
	name     string
	new      func() any
	validate func(any) error
}{
	{"reply", func() any { return new(inbox.ReplyInput) }, nil},
	{"new user", func() any { return new(accounts.NewUser) }, nil},
	{"user patch", func() any { return new(accounts.UserPatch) }, nil},
	{"conversation patch", func() any { return new(conversationPatch) }, nil},
	{"canned", func() any { return new(inbox.CannedInput) }, nil},
	{"macro", func() any { return new(inbox.MacroInput) }, nil},
	{"persona patch", func() any { return new(inbox.PersonaPatch) }, nil},
	{"identifier", func() any { return new(persona.Identifier) }, nil},
	{"webhook", func() any { return new(webhook.EndpointInput) }, nil},
	{"queue", func() any { return new(dispatch.QueueConfig) }, nil},
	{"calendar", func() any { return new(dispatch.CalendarConfig) }, func(v any) error { return v.(*dispatch.CalendarConfig).Calendar.Validate() }},
	{"callback", func() any { return new(dispatch.CallbackRequest) }, nil},
	{"notification type", func() any { return new(notice.Type) }, func(v any) error { return v.(*notice.Type).Validate() }},
	{"preferences", func() any { return new(prefs.Preferences) }, func(v any) error { return v.(*prefs.Preferences).Validate() }},
	{"raise", func() any { return new(notify.RaiseInput) }, nil},
	{"transfer", func() any { return new(transferInput) }, nil},
	{"consent", func() any { return new(consentInput) }, nil},
}

// FuzzDecode feeds arbitrary bodies to the decoder and the pure validators of
// every kind of request: none may panic, every refusal is a problem the API
// answers with a 4xx (never a 500), and what is accepted holds no control
// character and no invalid UTF-8 anywhere.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"body": "hello", "body_html": "<p>hi<script>alert(1)</script></p>", "subject": "Re: card"}`,
		`{"name": "Ada", "email": "ada@example.com", "role": "agent", "password": "correct-horse-battery"}`,
		`{"name": "a\u0000b"}`,
		`{"tags": ["vip", "late\u001b"]}`,
		`{"attributes": {"plan\u0085": "gold"}}`,
		`{"meta": {"deep": [{"x": "\u0007"}]}}`,
		"{\"name\": \"\xff\xfe\"}",
		`{"key": "card.blocked", "category": "critical", "default_language": "en", "templates": {"en": {"email": {"body": "{{.name}}"}}}}`,
		`{"name": "Lisbon", "time_zone": "Europe/Lisbon", "holidays": [{"date": "2026-12-25", "name": "Natal"}]}`,
		`{"kind": "email", "value": "A@Example.COM"}`,
		`{"actions": [{"type": "tags_add", "value": "a,b"}], "name": "m"}`,
		`[1, 2]`, `"x"`, `null`, `{}`, `{"a":1} {}`, `{"name": 5}`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range fuzzTargets {
			v := target.new()
			err := decodeBytes(body, v)
			if err == nil && target.validate != nil {
				err = target.validate(v)
			}
			if err != nil {
				p := toProblem(err)
				if p == nil || p.Status < 400 || p.Status >= http.StatusInternalServerError {
					t.Fatalf("%s: %q refused with %v, which the API would answer with a 500", target.name, body, err)
				}
				continue
			}
			if path, bad := dirtyString(reflect.ValueOf(v), target.name); bad {
				t.Fatalf("%s: %q accepted with a control character or invalid UTF-8 at %s", target.name, body, path)
			}
		}
	})
}

// dirtyString finds a string in v that the decoder should have refused.
func dirtyString(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return dirtyString(v.Elem(), path)
		}
	case reflect.String:
		if i, _ := textfield.Bad(v.String(), true); i >= 0 || !utf8.ValidString(v.String()) {
			return path, true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				if p, bad := dirtyString(v.Field(i), path+"."+v.Type().Field(i).Name); bad {
					return p, true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false
		}
		for i := range v.Len() {
			if p, bad := dirtyString(v.Index(i), path+"[]"); bad {
				return p, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if p, bad := dirtyString(iter.Key(), path+"{key}"); bad {
				return p, true
			}
			if p, bad := dirtyString(iter.Value(), path+"{}"); bad {
				return p, true
			}
		}
	}
	return "", false
}
