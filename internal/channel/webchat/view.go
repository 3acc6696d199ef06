package webchat

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// Message is a timeline message as the visitor sees it (M in the protocol):
// no internal notes, no system items, no internal ids of agents.
type Message struct {
	ID             string       `json:"id"`
	ConversationID string       `json:"conversation_id"`
	Direction      string       `json:"direction"`
	AuthorType     string       `json:"author_type"`
	AuthorName     string       `json:"author_name,omitempty"`
	Body           string       `json:"body"`
	Attachments    []Attachment `json:"attachments"`
	Status         string       `json:"status"`
	CreatedAt      time.Time    `json:"created_at"`
}

// Attachment is a file of a message; URL fetches it with the visitor's token.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// visible reports whether a visitor may see a timeline item at all.
func visible(m conversation.Message) bool { return m.Kind == conversation.KindMessage }

// sees reports whether this visitor may see a message. Only a visitor who
// proved who they are (a signed user id) sees what the customer wrote and was
// answered on other channels; an anonymous visitor sees the chat alone, even
// in a conversation an agent merged with a customer's mail, since nothing
// but their word ties them to that customer.
func (v Visitor) sees(m conversation.Message) bool {
	return visible(m) && (v.UserID != "" || m.Channel == Name)
}

// view is m as the visitor with token sees it on widget key; authorName is the
// agent's display name for outbound messages.
func view(m conversation.Message, authorName, key, token string) Message {
	v := Message{ID: m.ID, ConversationID: m.ConversationID, Direction: string(m.Direction), AuthorType: m.AuthorType,
		AuthorName: authorName, Body: m.Body, Status: m.Status, CreatedAt: m.CreatedAt, Attachments: []Attachment{}}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size,
			URL: "/channels/webchat/" + url.PathEscape(key) + "/attachments/" + url.PathEscape(a.ID) + "?token=" + url.QueryEscape(token)})
	}
	return v
}

// authorName is the display name of an agent who wrote m, "" for anyone else.
func (c *Channel) authorName(ctx context.Context, m conversation.Message) string {
	if m.AuthorType != "user" || m.AuthorID == "" {
		return ""
	}
	u, err := c.db.User(ctx, m.TenantID, m.AuthorID)
	if err != nil {
		return ""
	}
	return u.Name
}

// Frames, client to server and server to client.
type (
	clientFrame struct {
		Type      string         `json:"type"`
		ClientID  string         `json:"client_id"`
		Body      string         `json:"body"`
		Context   map[string]any `json:"context"`
		On        bool           `json:"on"`
		MessageID string         `json:"message_id"`
		// NewConversation, on a message, starts a new conversation.
		NewConversation bool `json:"new_conversation"`
	}
	readyFrame struct {
		Type           string `json:"type"`
		ConversationID string `json:"conversation_id"`
	}
	messageFrame struct {
		Type     string   `json:"type"` // "message" or "ack"
		ClientID string   `json:"client_id,omitempty"`
		Message  *Message `json:"message"`
	}
	typingFrame struct {
		Type string `json:"type"`
		On   bool   `json:"on"`
		Name string `json:"name,omitempty"`
	}
	endedFrame struct {
		Type           string `json:"type"`
		ConversationID string `json:"conversation_id"`
		Text           string `json:"text"` // the widget's end-of-chat message
	}
	readFrame struct {
		Type      string `json:"type"`
		MessageID string `json:"message_id"`
	}
	errorFrame struct {
		Type     string `json:"type"`
		Code     string `json:"code"`
		Detail   string `json:"detail"`
		ClientID string `json:"client_id,omitempty"`
	}
)

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v) // only the frame types above, which always encode
	return b
}
