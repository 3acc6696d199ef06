package channel

import "time"

// SendRecord is how a tenant's outbound sends on one channel have gone: every
// delivery attempt through the channel's Send updates it.
type SendRecord struct {
	Channel     string
	LastSuccess time.Time
	LastFailure time.Time
	LastError   string
	// Failures counts the attempts in a row that failed since the last success.
	Failures int
}

// The health states of a channel's outbound side.
const (
	HealthOK            = "ok"             // the last send worked
	HealthFailing       = "failing"        // FailingAfter attempts in a row failed
	HealthWarning       = "warning"        // the last attempt failed, fewer than FailingAfter in a row
	HealthNotConfigured = "not_configured" // nothing can be sent: no relay, no provider
	HealthUnknown       = "unknown"        // nothing was sent yet
)

// FailingAfter is how many attempts in a row must fail before a channel is
// "failing": one refused recipient is that customer's address, three in a row
// are the relay or the provider.
const FailingAfter = 3

// Health is the state of a channel's outbound side from its record and
// whether the node can send on it at all.
func Health(r SendRecord, configured bool) string {
	switch {
	case !configured:
		return HealthNotConfigured
	case r.Failures >= FailingAfter:
		return HealthFailing
	case r.Failures > 0:
		return HealthWarning
	case !r.LastSuccess.IsZero():
		return HealthOK
	}
	return HealthUnknown
}

// Configurable is a channel that can be running without the means to send —
// email without a relay. Configured says whether it can send, and if not why
// (said to admins: what to set).
type Configurable interface {
	Configured() (ok bool, why string)
}
