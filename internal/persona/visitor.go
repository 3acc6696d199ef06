package persona

import (
	"fmt"
	"hash/fnv"
)

// VisitorName is the name a web-chat visitor who has not said theirs goes by
// until they do: "Visitor " and four digits derived from their widget id, so
// the same visitor keeps the same name in every conversation, on every node
// and after a restart, and agents can tell two anonymous chats apart without
// reading an id. Four digits are chosen over an adjective and an animal: they
// read the same in every language and never sound like a judgement of the
// customer; two visitors may share a number, which the conversation's own
// details still tell apart (docs/webchat.md).
func VisitorName(widgetID string) string {
	h := fnv.New32a()
	h.Write([]byte(widgetID))
	return fmt.Sprintf("Visitor %04d", h.Sum32()%10000)
}

// Label is how a person reads a customer in a list: their name, else their
// email, else their phone number; "" when none is known.
func Label(name, email, phone string) string {
	for _, s := range []string{name, email, phone} {
		if s != "" {
			return s
		}
	}
	return ""
}

// GivenName is the name the customer gave, "" when their name is only the
// one the center made up for an anonymous visitor (VisitorName of one of
// their widget ids): a reply must not greet someone as "Visitor".
func GivenName(p Persona) string {
	for _, id := range p.Identifiers {
		if id.Kind == KindWidget && p.Name == VisitorName(id.Value) {
			return ""
		}
	}
	return p.Name
}
