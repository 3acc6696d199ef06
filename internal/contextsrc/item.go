// Package contextsrc is the context connectors' core: what a tenant's
// business system answers about a customer (items), how an answer is read and
// checked, and the two pieces of state that keep a slow or broken system from
// delaying an agent's screen — a circuit breaker and a TTL cache, both driven
// by a time given to them, never read from a clock. The fetcher (fetch.go)
// is the one part that does I/O: it calls every connector of a persona at
// once, each within its budget, and names the ones that did not answer.
package contextsrc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Item is one thing a business system knows about the customer: a card, a
// transaction, a loan, an appointment, a policy, an order, a device…
type Item struct {
	Type   string  `json:"type"`
	Title  string  `json:"title"`
	Fields []Field `json:"fields,omitempty"`
	Status string  `json:"status,omitempty"`
	Amount *Amount `json:"amount,omitempty"`
	// Date is when the item happened or is due (a transaction, an appointment).
	Date *time.Time `json:"date,omitempty"`
	// Link opens the item in the business system (https only).
	Link string `json:"link,omitempty"`
	// Importance is the system's hint to the ranker: "high", "normal" or "low".
	Importance string `json:"importance,omitempty"`
	// Reason says why the system thinks it matters ("payment overdue").
	Reason string `json:"reason,omitempty"`
}

// Field is one labelled value of an item, shown in the order given.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Amount is money as the system wrote it: a decimal string (no float
// rounding) and an ISO 4217 currency.
type Amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// Limits on an answer: a business system is a tenant's, and its answer is
// shown on every agent's screen, so it is bounded like any input.
const (
	MaxAnswerBytes = 256 << 10
	MaxItems       = 50
	MaxFields      = 20
	maxText        = 200
	maxValue       = 500
)

// ErrAnswer is what every rejection of an answer matches.
var ErrAnswer = errors.New("invalid connector answer")

// Answer is the body a connector returns.
type Answer struct {
	// RequestID echoes the request's, so an answer recorded for one call
	// cannot be replayed as the answer to another.
	RequestID string `json:"request_id"`
	Items     []Item `json:"items"`
}

// ParseAnswer reads and checks an answer body to the request requestID.
// Unknown fields are refused, so a typo in a connector shows at the test
// button instead of as a silently missing value.
func ParseAnswer(body []byte, requestID string) ([]Item, error) {
	if len(body) > MaxAnswerBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrAnswer, MaxAnswerBytes)
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	var a Answer
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAnswer, err)
	}
	if a.RequestID != requestID {
		return nil, fmt.Errorf("%w: request_id %q does not match the request's", ErrAnswer, a.RequestID)
	}
	if len(a.Items) > MaxItems {
		return nil, fmt.Errorf("%w: %d items, at most %d", ErrAnswer, len(a.Items), MaxItems)
	}
	for i := range a.Items {
		if err := a.Items[i].check(); err != nil {
			return nil, fmt.Errorf("%w: items[%d].%w", ErrAnswer, i, err)
		}
	}
	if a.Items == nil {
		a.Items = []Item{}
	}
	return a.Items, nil
}

// Types are the item types a connector may answer; "other" is for the rest.
var Types = []string{"account", "card", "transaction", "loan", "invoice", "payment", "order",
	"shipment", "appointment", "policy", "claim", "device", "subscription", "case", "other"}

func (it *Item) check() error {
	if !contains(Types, it.Type) {
		return fmt.Errorf("type: %q is not one of %s", it.Type, strings.Join(Types, ", "))
	}
	if err := text("title", it.Title, maxText, true); err != nil {
		return err
	}
	if len(it.Fields) > MaxFields {
		return fmt.Errorf("fields: %d, at most %d", len(it.Fields), MaxFields)
	}
	for j, f := range it.Fields {
		if err := text(fmt.Sprintf("fields[%d].label", j), f.Label, maxText, true); err != nil {
			return err
		}
		if err := text(fmt.Sprintf("fields[%d].value", j), f.Value, maxValue, false); err != nil {
			return err
		}
	}
	if err := text("status", it.Status, 50, false); err != nil {
		return err
	}
	if it.Amount != nil {
		if !decimal(it.Amount.Value) {
			return fmt.Errorf("amount.value: %q is not a decimal number", it.Amount.Value)
		}
		if len(it.Amount.Currency) != 3 || strings.ToUpper(it.Amount.Currency) != it.Amount.Currency {
			return fmt.Errorf("amount.currency: %q is not an ISO 4217 code", it.Amount.Currency)
		}
	}
	if it.Link != "" {
		u, err := url.Parse(it.Link)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(it.Link) > 2000 {
			return fmt.Errorf("link: %q is not an https URL", it.Link)
		}
	}
	if it.Importance != "" && !contains([]string{"high", "normal", "low"}, it.Importance) {
		return fmt.Errorf("importance: %q is not high, normal or low", it.Importance)
	}
	return text("reason", it.Reason, maxText, false)
}

func text(name, v string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return fmt.Errorf("%s: required", name)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s: not UTF-8", name)
	case utf8.RuneCountInString(v) > max:
		return fmt.Errorf("%s: longer than %d characters", name, max)
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return fmt.Errorf("%s: contains a control character", name)
		}
	}
	return nil
}

func decimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(s) > 30 || dot && frac == "" {
		return false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
