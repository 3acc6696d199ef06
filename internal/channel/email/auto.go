package email

import (
	"bufio"
	"strings"
)

// Automatic says what kind of machine wrote a message that no person did.
type Automatic string

// The kinds of machine-written mail; none of them becomes a conversation.
const (
	Human     Automatic = ""
	AutoReply Automatic = "auto-reply" // out-of-office, "we got your mail", list mail
	Bounce    Automatic = "bounce"     // a delivery status notification
)

// header is what automatic reads of a message's header: the first value of a
// field, by name, case-insensitively.
type header interface{ Get(key string) string }

// automatic recognises machine-written mail by its header and envelope
// (RFC 3834 Auto-Submitted, the vendors' X-Autoreply and X-Autorespond,
// Precedence, RFC 3464 reports, the null return path and MAILER-DAEMON).
// Answering it would start a loop or a conversation with nobody.
func automatic(h header, returnPath, from string) Automatic {
	ct := strings.ToLower(h.Get("Content-Type"))
	local, _, _ := strings.Cut(strings.ToLower(from), "@")
	switch {
	case strings.HasPrefix(ct, "multipart/report") && strings.Contains(ct, "delivery-status"),
		local == "mailer-daemon", local == "postmaster" && returnPath == "":
		return Bounce
	case returnPath == "":
		// The null return path is reserved for notifications (RFC 5321 4.5.5):
		// delivery reports, read receipts, vacation replies.
		return AutoReply
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return AutoReply
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" {
		return AutoReply
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "auto_reply", "junk", "list":
		return AutoReply
	}
	return Human
}

// dsnFailed reports whether a message/delivery-status body (RFC 3464) says a
// recipient failed, rather than that delivery was delayed or succeeded.
func dsnFailed(status string) bool {
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Action") && strings.EqualFold(strings.TrimSpace(v), "failed") {
			return true
		}
	}
	return false
}
