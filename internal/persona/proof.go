package persona

import "time"

// Method is how an identifier came to be known, and so how far it is proven.
// Identity resolution rests on it: an identifier a customer has not proven
// never finds, joins or reveals another persona's conversations.
type Method string

// The methods. All but MethodUnverifiedForm are proof.
const (
	// MethodSignedWidgetUser: the business's site signed the user id it put in
	// the widget (HMAC with the widget's identity secret).
	MethodSignedWidgetUser Method = "widget_signed_user"
	// MethodMailFromMailbox: mail was received from the address. Without
	// SPF/DKIM checks this is the mail channel's proof level: whoever can send
	// as the address is taken to be its owner, as every mail help desk does.
	// It is weaker than the others; the ADR on identifier proof says why.
	MethodMailFromMailbox Method = "mail_from_mailbox"
	// MethodSMSFromNumber: a text from the number, in a provider webhook whose
	// signature verified.
	MethodSMSFromNumber Method = "sms_from_number"
	// MethodSocialPost: a post read from a social network's API under the
	// tenant's own access token; the network authenticated its author.
	MethodSocialPost Method = "social_post"
	// MethodPortalSignin: the customer signed in to the portal with a code or
	// link sent to the address.
	MethodPortalSignin Method = "portal_signin"
	// MethodAgentEntered: an agent (or the business's system through the API)
	// added it; the business vouches for it.
	MethodAgentEntered Method = "agent_entered"
	// MethodUnverifiedForm: typed into a form (the widget's pre-chat or offline
	// form). A claim, not proof.
	MethodUnverifiedForm Method = "unverified_form"
)

// Proven reports whether the method proves the identifier.
func (m Method) Proven() bool {
	switch m {
	case MethodSignedWidgetUser, MethodMailFromMailbox, MethodSMSFromNumber, MethodPortalSignin, MethodAgentEntered, MethodSocialPost:
		return true
	}
	return false
}

// Proven returns the identifier as proven by m at t.
func (i Identifier) Proven(m Method, t time.Time) Identifier {
	i.Verified, i.VerifiedBy, i.VerifiedAt = true, m, t.UTC()
	return i
}

// Claimed returns the identifier as an unproven claim typed into a form.
func (i Identifier) Claimed() Identifier {
	i.Verified, i.VerifiedBy, i.VerifiedAt = false, MethodUnverifiedForm, time.Time{}
	return i
}

// Joins decides whether a contact written as from may join the persona that
// holds the same identifier as held. An unproven sender never joins a proven
// holder (that is squatting); the same unproven identity (an anonymous chat
// visitor's own id) joins itself; a proven sender joins a proven holder, and
// takes an unproven holding over (TakeOver).
func Joins(from, held Identifier) bool { return from.Verified || !held.Verified }

// TakesOver reports whether a proven sender must take the identifier away from
// a holder that never proved it: the holder keeps it only as a claim, and the
// sender gets a persona of their own, so nothing the holder's conversations
// hold is shown to them and nothing of theirs to the holder.
func TakesOver(from, held Identifier) bool { return from.Verified && !held.Verified }

// MergeDemotes lists the identifiers a merge of two personas turns into claims:
// when either side holds a proven identifier, every unproven address of both.
// The merged persona is then a proven customer, and an address nobody proved
// (an email or number an unsigned webhook or the API named) must not find that
// customer, join their conversations or show them to whoever writes as it. The
// merge still files the past conversations under the customer; the address's
// next unproven contact starts afresh.
//
// An anonymous chat visitor's widget id is kept: nobody can type it, it is the
// visitor's own browser session, so the chat the agent merged goes on; the
// widget shows such a visitor the chat alone (ADR 0011).
func MergeDemotes(survivor, merged []Identifier) []Identifier {
	all := append(append([]Identifier{}, survivor...), merged...)
	proven := false
	for _, i := range all {
		proven = proven || i.Verified
	}
	if !proven {
		return nil
	}
	var out []Identifier
	for _, i := range all {
		if !i.Verified && i.Kind != KindWidget {
			out = append(out, i)
		}
	}
	return out
}
