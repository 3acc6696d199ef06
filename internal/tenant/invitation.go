package tenant

import "time"

// Invitation asks a person to join a tenant with a role. Its link is signed,
// expires, and works once; the invited person chooses their own password.
type Invitation struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant_id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	InvitedBy  string    `json:"invited_by"`
	Nonce      string    `json:"-"` // bound into the link; a resend changes it
	CreatedAt  time.Time `json:"created_at"`
	SentAt     time.Time `json:"sent_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	UserID     string    `json:"user_id,omitempty"`
}

// Pending reports whether the invitation can still be accepted at now.
func (i Invitation) Pending(now time.Time) bool {
	return i.AcceptedAt.IsZero() && i.RevokedAt.IsZero() && now.Before(i.ExpiresAt)
}

// AuthPolicy is a tenant's sign-in rules.
type AuthPolicy struct {
	// RequireTOTP makes every user enrol a second factor before they may do
	// anything else.
	RequireTOTP bool      `json:"require_totp"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}
