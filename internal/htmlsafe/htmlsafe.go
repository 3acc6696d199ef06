// Package htmlsafe is the one HTML policy of the center: every HTML body that
// enters it — a customer's mail, a business system's message, an agent's
// reply — passes through Sanitize before it is stored, so what the desk, the
// portal and the customer's mail client receive is the same safe subset, and
// a body is never trusted because of who sent it.
package htmlsafe

import (
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// policy is bluemonday's policy for user-generated content (formatting,
// lists, tables, links with rel="nofollow", images) with what mail needs on
// top: mailto links, inline images that refer to the message's own parts
// (cid:) or carry their bytes (data:image/…). Scripts, event handlers,
// javascript: URLs, frames, forms and style attributes are dropped. It is
// built once; a built policy is safe for concurrent use.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.AllowDataURIImages()
	return p
})

// Policy is the policy itself, for code that sanitises in steps (a mail's
// fresh and quoted parts). Callers must not change it.
func Policy() *bluemonday.Policy { return policy() }

// Sanitize returns src with everything outside the policy removed. It is
// idempotent, so a body sanitised at the channel may be sanitised again where
// it enters the inbox.
func Sanitize(src string) string {
	if src == "" {
		return ""
	}
	return policy().Sanitize(src)
}
