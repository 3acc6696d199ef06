package reuse

import (
	"context"
	"strings"
)

// Draft is a new article pre-filled from a conversation, for the agent to
// finish: KCS captures the issue in the customer's words and the resolution
// in the words of whoever solved it.
type Draft struct {
	Title                string   `json:"title"`
	Issue                string   `json:"issue"`
	Environment          string   `json:"environment"`
	Cause                string   `json:"cause"`
	Resolution           string   `json:"resolution"`
	Locale               string   `json:"locale"`
	QueueIDs             []string `json:"queue_ids"`
	SourceConversationID string   `json:"source_conversation_id"`
}

// draftLimit bounds each drafted field, well under an article's limit.
const draftLimit = 16 << 10

// Draft pre-fills an article from a conversation: the title from its
// subject (or the customer's first words), the issue from what the customer
// wrote, the resolution from the agents' replies and notes, the environment
// from the channels it went through.
func (s *Service) Draft(ctx context.Context, a Actor, conversationID string) (Draft, error) {
	c, err := s.DB.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return Draft{}, err
	}
	msgs, err := s.messages(ctx, a.TenantID, conversationID)
	if err != nil {
		return Draft{}, err
	}
	customer, agent := split(msgs)
	title := strings.TrimSpace(c.Subject)
	if title == "" {
		title = excerpt(firstLine(customer), 80)
	}
	env := ""
	if len(c.Modalities) > 0 {
		env = "Channel: " + strings.Join(c.Modalities, ", ")
	}
	return Draft{Title: title, Issue: clip(customer, draftLimit), Environment: env, Resolution: clip(agent, draftLimit),
		Locale: "en", QueueIDs: []string{}, SourceConversationID: c.ID}, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
