package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

const messageColumns = `id, tenant_id, conversation_id, kind, direction, channel, author_type, author_id, body, body_html,
	attachments, external_id, status, meta, created_at, updated_at`

func scanMessage(row interface{ Scan(...any) error }) (conversation.Message, error) {
	var m conversation.Message
	var atts, meta string
	var created, updated int64
	err := row.Scan(&m.ID, &m.TenantID, &m.ConversationID, &m.Kind, &m.Direction, &m.Channel, &m.AuthorType, &m.AuthorID,
		&m.Body, &m.BodyHTML, &atts, &m.ExternalID, &m.Status, &meta, &created, &updated)
	if err == nil {
		err = json.Unmarshal([]byte(atts), &m.Attachments)
	}
	m.Meta = json.RawMessage(meta)
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return m, err
}

// InsertMessage appends an item to a timeline. A message whose external id the
// channel already delivered is ErrConflict, so provider retries are stored once.
func (s *Store) InsertMessage(ctx context.Context, m conversation.Message) error {
	atts, _ := json.Marshal(m.Attachments)
	if m.Attachments == nil {
		atts = []byte("[]")
	}
	meta := string(m.Meta)
	if meta == "" {
		meta = "{}"
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO messages (`+messageColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		m.ID, m.TenantID, m.ConversationID, m.Kind, m.Direction, m.Channel, m.AuthorType, m.AuthorID, m.Body, m.BodyHTML,
		string(atts), m.ExternalID, m.Status, meta, micros(m.CreatedAt), micros(m.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("message %s/%s: %w", m.Channel, m.ExternalID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

// Message returns one item of the tenant's timelines.
func (s *Store) Message(ctx context.Context, tenantID, id string) (conversation.Message, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return m, notFound("message "+id, err)
	}
	return m, nil
}

// MessageByExternalID finds a message by the id its channel gave it.
func (s *Store) MessageByExternalID(ctx context.Context, tenantID, channel, externalID string) (conversation.Message, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE tenant_id = $1 AND channel = $2 AND external_id = $3 AND external_id <> ''`, tenantID, channel, externalID))
	if err != nil {
		return m, notFound("message "+externalID, err)
	}
	return m, nil
}

// Messages lists a conversation's timeline in order, after the cursor.
func (s *Store) Messages(ctx context.Context, tenantID, conversationID string, page Page) ([]conversation.Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE tenant_id = $1 AND conversation_id = $2 AND id > $3 ORDER BY id LIMIT $4`, tenantID, conversationID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return collect(rows, scanMessage)
}

// ExternalIDs lists the external ids of a conversation's messages on a channel,
// oldest first, for email References headers.
func (s *Store) ExternalIDs(ctx context.Context, tenantID, conversationID, channel string, limit int) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT external_id FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND channel = $3
		AND external_id <> '' ORDER BY id DESC LIMIT $4`, tenantID, conversationID, channel, limit)
	if err != nil {
		return nil, fmt.Errorf("external ids: %w", err)
	}
	ids, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids, err
}

// SetMessageDelivery records a delivery state and, when given, the channel's id.
func (s *Store) SetMessageDelivery(ctx context.Context, tenantID, id, status, externalID string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET status = $3, external_id = CASE WHEN $4 = '' THEN external_id ELSE $4 END, updated_at = $5
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, status, externalID, micros(at))
	return affectedOne("message delivery "+id, res, err)
}

// SearchWords splits a search query into the lowercase runs of letters and
// digits the full-text indexes hold; everything else separates words.
func SearchWords(query string) []string {
	return strings.FieldsFunc(strings.ToLower(query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// LastInbound is the channel and meta of the conversation's latest inbound
// message, "" when the customer has not written.
func (s *Store) LastInbound(ctx context.Context, tenantID, conversationID string) (channel string, meta json.RawMessage, err error) {
	var m sql.NullString
	err = s.r.QueryRowContext(ctx, `SELECT channel, meta FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'in'
		ORDER BY id DESC LIMIT 1`, tenantID, conversationID).Scan(&channel, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("last inbound message: %w", err)
	}
	if m.Valid && m.String != "" {
		meta = json.RawMessage(m.String)
	}
	return channel, meta, nil
}

// UnreadInbound lists the conversation's inbound messages not yet marked read,
// up to and including upTo ("" for all), oldest first.
func (s *Store) UnreadInbound(ctx context.Context, tenantID, conversationID, upTo string, limit int) ([]conversation.Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'in' AND status <> 'read' AND ($3 = '' OR id <= $3)
		ORDER BY id LIMIT $4`, tenantID, conversationID, upTo, limit)
	if err != nil {
		return nil, fmt.Errorf("unread messages: %w", err)
	}
	return collect(rows, scanMessage)
}

// LastInboundMetaOn is the meta of the conversation's latest inbound message on
// one channel, nil when there is none.
func (s *Store) LastInboundMetaOn(ctx context.Context, tenantID, conversationID, channel string) (json.RawMessage, error) {
	var m sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT meta FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'in' AND channel = $3
		ORDER BY id DESC LIMIT 1`, tenantID, conversationID, channel).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) || !m.Valid || m.String == "" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last inbound meta: %w", err)
	}
	return json.RawMessage(m.String), nil
}
