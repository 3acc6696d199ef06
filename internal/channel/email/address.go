package email

import (
	"strings"
)

// tokenLen is the length of a reply token (inbox.ReplyToken): base32 of ten
// bytes, lower-cased.
const tokenLen = 16

// recipient is an RCPT address read as the tenant's account address and, for
// a reply address (support+TOKEN@northwind.example), the conversation's token.
type recipient struct {
	Account string // support@northwind.example, lower-cased
	Token   string // empty unless the address carried one
}

// splitRecipient reads addr as account[+token]@domain. A "+suffix" that is not
// a well-formed token stays part of the account address, so an account that
// really is called "team+sales@…" still works.
func splitRecipient(addr string) (recipient, bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return recipient{}, false
	}
	if base, token, ok := strings.Cut(local, "+"); ok && base != "" && validToken(token) {
		return recipient{Account: base + "@" + domain, Token: token}, true
	}
	return recipient{Account: addr}, true
}

// replyAddress is the address a customer's reply to this conversation goes to:
// the account's with the token after a "+". Without a token, or for an account
// address that cannot take one, it is the account's address.
func replyAddress(account, token string) string {
	local, domain, ok := strings.Cut(account, "@")
	if !ok || !validToken(token) {
		return account
	}
	return local + "+" + token + "@" + domain
}

func validToken(t string) bool {
	if len(t) != tokenLen {
		return false
	}
	for _, r := range t {
		if (r < 'a' || r > 'z') && (r < '2' || r > '7') {
			return false
		}
	}
	return true
}

// domainOf is the part after the last "@".
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
