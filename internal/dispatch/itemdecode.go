package dispatch

import (
	"encoding/json"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

// decodeItem decodes an item's stored data as json.Unmarshal would. The
// rebuild decodes every active item at start, and encoding/json's reflection
// was a quarter of a 500,000-item rebuild's CPU, so the shape the dispatcher
// writes — a flat object of known keys with plain strings, integers, booleans
// and times — is read by hand, and only the nested criteria and cool-downs
// go through encoding/json. Anything else (a key not written by this
// package, a string with an escape or beyond ASCII, a null, a number that
// is not a plain integer, malformed input) is handed whole to json.Unmarshal,
// so the result, and the error, are always the standard library's.
func decodeItem(data []byte, it *item) error {
	if fastDecodeItem(data, it, false) {
		return nil
	}
	*it = item{}
	return json.Unmarshal(data, it)
}

// decodeStoredItem is decodeItem for a row whose id and queue_id columns
// the caller sets afterwards (they win over the data): the data's copies are
// checked but not kept, which saves two strings an item.
func decodeStoredItem(data []byte, it *item) error {
	if fastDecodeItem(data, it, true) {
		return nil
	}
	*it = item{}
	return json.Unmarshal(data, it)
}

// fastDecodeItem decodes data into it and reports whether it could; when it
// could not, it may have filled it in part. With fromColumns the id and
// queue id are left out.
func fastDecodeItem(data []byte, it *item, fromColumns bool) bool {
	d := itemScanner{b: data, fromColumns: fromColumns}
	if !d.byte('{') {
		return false
	}
	if d.byte('}') {
		return d.end()
	}
	for {
		key, ok := d.plainString()
		if !ok || !d.byte(':') {
			return false
		}
		d.space()
		if !d.field(key, it) {
			return false
		}
		if d.byte(',') {
			continue
		}
		return d.byte('}') && d.end()
	}
}

// itemScanner reads one flat JSON object of an item's data.
type itemScanner struct {
	b           []byte
	i           int
	fromColumns bool // id and queue_id come from the row's columns
}

func (d *itemScanner) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c after any white space, if it is next.
func (d *itemScanner) byte(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end tells whether only white space is left.
func (d *itemScanner) end() bool {
	d.space()
	return d.i == len(d.b)
}

// plainString reads a string without escapes, control characters or bytes
// beyond ASCII (which encoding/json would check or replace).
func (d *itemScanner) plainString() (string, bool) {
	s, ok := d.plainSpan()
	if !ok {
		return "", false
	}
	return string(s[1 : len(s)-1]), true
}

// word is a plain string that is most often one of a few words (a kind, a
// modality, a channel), shared rather than copied for each item.
func (d *itemScanner) word() (string, bool) {
	s, ok := d.plainSpan()
	if !ok {
		return "", false
	}
	switch w := s[1 : len(s)-1]; string(w) {
	case "conversation":
		return "conversation", true
	case "callback":
		return "callback", true
	case "escalation":
		return "escalation", true
	case "chat":
		return "chat", true
	case "email":
		return "email", true
	case "message":
		return "message", true
	case "voice":
		return "voice", true
	case "video":
		return "video", true
	case "webchat":
		return "webchat", true
	default:
		return string(w), true
	}
}

// plainSpan is a plain string with its quotes, as time.Time's UnmarshalJSON
// takes it.
func (d *itemScanner) plainSpan() ([]byte, bool) {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i
	for j := d.i + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return d.b[start:d.i], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

// integer reads a JSON integer (no fraction, exponent, plus sign or leading
// zero, which encoding/json would reject or convert).
func (d *itemScanner) integer() (int64, bool) {
	start := d.i
	j := d.i
	if j < len(d.b) && d.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(d.b) && d.b[j] >= '0' && d.b[j] <= '9' {
		j++
	}
	if j == digits || (d.b[digits] == '0' && j-digits > 1) {
		return 0, false
	}
	if j < len(d.b) && (d.b[j] == '.' || d.b[j] == 'e' || d.b[j] == 'E') {
		return 0, false
	}
	if j-digits > 18 { // could overflow: encoding/json decides
		return 0, false
	}
	var n int64
	for _, c := range d.b[digits:j] {
		n = n*10 + int64(c-'0')
	}
	if digits > start {
		n = -n
	}
	d.i = j
	return n, true
}

func (d *itemScanner) boolean() (bool, bool) {
	for _, lit := range [2]string{"true", "false"} {
		if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return lit == "true", true
		}
	}
	return false, false
}

func (d *itemScanner) time(t *time.Time) bool {
	s, ok := d.plainSpan()
	return ok && t.UnmarshalJSON(s) == nil
}

// nested reads an object value whole (strings with escapes included) and
// decodes it with encoding/json into v.
func (d *itemScanner) nested(v any) bool {
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	start, depth := d.i, 0
	for j := d.i; j < len(d.b); j++ {
		switch d.b[j] {
		case '"':
			for j++; j < len(d.b) && d.b[j] != '"'; j++ {
				if d.b[j] == '\\' {
					j++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				d.i = j + 1
				return json.Unmarshal(d.b[start:d.i], v) == nil
			}
		}
	}
	return false
}

// field reads the value of key into it.
func (d *itemScanner) field(key string, it *item) bool {
	var ok bool
	switch key {
	case "id", "queue_id":
		if d.fromColumns {
			_, ok = d.plainSpan()
			break
		}
		p := &it.ID
		if key == "queue_id" {
			p = &it.QueueID
		}
		*p, ok = d.plainString()
	case "conversation_id":
		it.ConversationID, ok = d.plainString()
	case "preferred":
		it.Preferred, ok = d.plainString()
	case "callback_id":
		it.CallbackID, ok = d.plainString()
	case "assignee":
		it.Assignee, ok = d.plainString()
	case "channel":
		it.Channel, ok = d.word()
	case "kind":
		var s string
		s, ok = d.word()
		it.Kind = routing.Kind(s)
	case "modality":
		var s string
		s, ok = d.word()
		it.Modality = routing.Modality(s)
	case "priority":
		var n int64
		n, ok = d.integer()
		it.Priority = int(n)
		ok = ok && int64(it.Priority) == n
	case "preferred_for":
		var n int64
		n, ok = d.integer()
		it.PreferredFor = time.Duration(n)
	case "live":
		it.Live, ok = d.boolean()
	case "arrived":
		ok = d.time(&it.Arrived)
	case "not_before":
		ok = d.time(&it.NotBefore)
	case "not_after":
		ok = d.time(&it.NotAfter)
	case "quiet_since":
		ok = d.time(&it.QuietSince)
	case "criteria_since":
		ok = d.time(&it.CriteriaSince)
	case "criteria":
		if it.Criteria != nil { // a second one would merge into the first
			return false
		}
		c := &routing.Criteria{}
		if ok = d.nested(c); ok {
			it.Criteria = c
		}
	case "cooldown":
		if it.Cooldown != nil {
			return false
		}
		var m map[string]time.Time
		if ok = d.nested(&m); ok {
			it.Cooldown = m
		}
	}
	return ok
}
