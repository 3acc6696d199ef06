// Package plan holds what a tenant's plan allows and what it used: limits per
// tenant (agents, notices a month, storage), the month's usage as counted from
// stored rows, the checks that refuse what would pass a limit, and the
// warnings at 80 %. It is pure: counting is the store's, enforcing the
// callers'.
package plan

import (
	"fmt"
	"time"
)

// The limits a plan can set, by the names the API and the errors use.
const (
	Agents          = "agents"            // enabled users (seats)
	NoticesPerMonth = "notices_per_month" // notices handed to a channel in a calendar month (UTC)
	StorageBytes    = "storage_bytes"     // message bodies and attachments kept
)

// WarnAt is the share of a limit at which the tenant and the operator are warned.
const WarnAt = 0.8

// Limits are a tenant's plan limits; nil is no limit.
type Limits struct {
	Agents          *int64 `json:"agents"`
	NoticesPerMonth *int64 `json:"notices_per_month"`
	StorageBytes    *int64 `json:"storage_bytes"`
}

// Of returns the limit called name, nil when there is none.
func (l Limits) Of(name string) *int64 {
	switch name {
	case Agents:
		return l.Agents
	case NoticesPerMonth:
		return l.NoticesPerMonth
	case StorageBytes:
		return l.StorageBytes
	}
	return nil
}

// Validate checks every limit set is not negative.
func (l Limits) Validate() error {
	for _, name := range []string{Agents, NoticesPerMonth, StorageBytes} {
		if v := l.Of(name); v != nil && *v < 0 {
			return &FieldError{Field: name, Reason: "must be 0 or more, or null for no limit"}
		}
	}
	return nil
}

// FieldError says which limit is wrong and why.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// LimitError is a refusal because the plan's limit would be passed.
type LimitError struct {
	Limit  string `json:"limit"`
	Cap    int64  `json:"cap"`
	Used   int64  `json:"used"`
	Adding int64  `json:"adding"`
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the plan's %s limit is %d and %d are used; %d more would pass it — ask the service's operator to raise the limit",
		describe(e.Limit), e.Cap, e.Used, e.Adding)
}

func describe(name string) string {
	switch name {
	case Agents:
		return "agents"
	case NoticesPerMonth:
		return "notices per month"
	case StorageBytes:
		return "storage (bytes)"
	}
	return name
}

// Check returns a *LimitError when adding to used would pass limit name.
func (l Limits) Check(name string, used, adding int64) error {
	c := l.Of(name)
	if c == nil || adding <= 0 || used+adding <= *c {
		return nil
	}
	return &LimitError{Limit: name, Cap: *c, Used: used, Adding: adding}
}

// Warning is a limit whose use reached WarnAt.
type Warning struct {
	Limit string `json:"limit"`
	Used  int64  `json:"used"`
	Cap   int64  `json:"cap"`
}

// Message is the warning in words, for the admin and the operator.
func (w Warning) Message() string {
	return fmt.Sprintf("%s: %d of %d used (%d %%)", describe(w.Limit), w.Used, w.Cap, percent(w.Used, w.Cap))
}

func percent(used, c int64) int64 {
	if c == 0 {
		return 100
	}
	return used * 100 / c
}

// Warnings lists the limits usage u reached WarnAt of, in a fixed order.
func (l Limits) Warnings(u Usage) []Warning {
	var out []Warning
	for _, name := range []string{Agents, NoticesPerMonth, StorageBytes} {
		c := l.Of(name)
		used := u.Of(name)
		// A limit of 0 turns a thing off: there is nothing to warn about.
		if c != nil && *c > 0 && float64(used) >= WarnAt*float64(*c) {
			out = append(out, Warning{Limit: name, Used: used, Cap: *c})
		}
	}
	return out
}

// Month is a calendar month in UTC, the period usage is counted and billed by.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month t falls in, in UTC.
func MonthOf(t time.Time) Month {
	t = t.UTC()
	return Month{t.Year(), t.Month()}
}

// ParseMonth reads "2026-12".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, &FieldError{Field: "month", Reason: "a month as YYYY-MM, such as 2026-12"}
	}
	return MonthOf(t), nil
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Start is the month's first instant; End the next month's.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC) }

// End is the first instant after the month.
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }
