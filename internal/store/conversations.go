package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

const conversationColumns = `id, tenant_id, persona_id, subject, status, priority, assignee_id, team, channel, modalities,
	snoozed_until, last_message_at, created_at, updated_at, resolved_at, version`

func scanConversation(row interface{ Scan(...any) error }) (conversation.Conversation, error) {
	return scanConversationAnd(row)
}

// scanConversationAnd scans a conversation's columns, then extra.
func scanConversationAnd(row interface{ Scan(...any) error }, extra ...any) (conversation.Conversation, error) {
	var c conversation.Conversation
	var modalities string
	var snoozed, last sql.NullInt64
	var created, updated, resolved int64
	err := row.Scan(append([]any{&c.ID, &c.TenantID, &c.PersonaID, &c.Subject, &c.Status, &c.Priority, &c.AssigneeID, &c.Team, &c.Channel,
		&modalities, &snoozed, &last, &created, &updated, &resolved, &c.Version}, extra...)...)
	c.ResolvedAt = fromMicros(resolved)
	c.Modalities = strings.Fields(modalities)
	c.SnoozedUntil, c.LastMessageAt = fromMicros(snoozed.Int64), fromMicros(last.Int64)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	c.Tags = []string{}
	return c, err
}

// CreateConversation inserts a conversation (tags are set with SetTags).
func (s *Store) CreateConversation(ctx context.Context, c conversation.Conversation) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO conversations (`+conversationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		c.ID, c.TenantID, c.PersonaID, c.Subject, c.Status, c.Priority, c.AssigneeID, c.Team, c.Channel,
		strings.Join(c.Modalities, " "), nullMicros(c.SnoozedUntil), nullMicros(c.LastMessageAt), micros(c.CreatedAt), micros(c.UpdatedAt),
		createdResolvedAt(c), c.Version)
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	return nil
}

// Conversation returns the tenant's conversation with its tags, in one
// statement (it is read for every inbound message).
func (s *Store) Conversation(ctx context.Context, tenantID, id string) (conversation.Conversation, error) {
	var tags string
	c, err := scanConversationAnd(s.r.QueryRowContext(ctx, `SELECT `+conversationColumns+`, `+tagsOf[s.engine]+`
		FROM conversations WHERE tenant_id = $1 AND id = $2`, tenantID, id), &tags)
	if err != nil {
		return c, notFound("conversation "+id, err)
	}
	return c, decodeTags(tags, &c)
}

// tagsOf is, per engine, the expression that reads the tags of the
// conversations row at hand as a JSON array of strings, in order.
var tagsOf = map[Engine]string{
	Postgres: `COALESCE((SELECT json_agg(t.tag ORDER BY t.tag) FROM conversation_tags t
		WHERE t.tenant_id = conversations.tenant_id AND t.conversation_id = conversations.id)::text, '[]')`,
	SQLite: `(SELECT json_group_array(t.tag ORDER BY t.tag) FROM conversation_tags t
		WHERE t.tenant_id = conversations.tenant_id AND t.conversation_id = conversations.id)`,
}

// decodeTags sets c.Tags from tagsOf's JSON.
func decodeTags(raw string, c *conversation.Conversation) error {
	c.Tags = []string{}
	if err := json.Unmarshal([]byte(raw), &c.Tags); err != nil {
		return fmt.Errorf("conversation %s tags: %w", c.ID, err)
	}
	return nil
}

func (s *Store) tags(ctx context.Context, tenantID, conversationID string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tag FROM conversation_tags WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY tag`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	tags, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var t string
		return t, r.Scan(&t)
	})
	if tags == nil {
		tags = []string{}
	}
	return tags, err
}

// createdResolvedAt is when a conversation stored as resolved was resolved
// (an import's, or else its last update); 0 for one that is not.
func createdResolvedAt(c conversation.Conversation) int64 {
	switch {
	case c.Status != conversation.StatusResolved:
		return 0
	case !c.ResolvedAt.IsZero():
		return micros(c.ResolvedAt)
	}
	return micros(c.UpdatedAt)
}

// UpdateConversation writes every field of a conversation but its tags and
// resolved_at, which it derives here, at the one place every status change
// passes: set to the update's time when the status becomes resolved, kept
// while it stays resolved, cleared when it leaves resolved (a reopen, a new
// customer message). c.ResolvedAt is not read. It writes only over the
// version c was read at, and moves c.Version on: a row another transaction
// wrote since is ErrChanged, and nothing is written — writing it back whole
// would undo that transaction's change (an assignment, say).
func (s *Store) UpdateConversation(ctx context.Context, c *conversation.Conversation) error {
	res, err := s.w.ExecContext(ctx, `UPDATE conversations SET persona_id = $3, subject = $4, status = $5, priority = $6, assignee_id = $7,
		team = $8, modalities = $9, snoozed_until = $10, last_message_at = $11, updated_at = $12,
		resolved_at = CASE WHEN $5 <> 'resolved' THEN 0 WHEN status = 'resolved' AND resolved_at <> 0 THEN resolved_at ELSE $12 END,
		version = version + 1
		WHERE tenant_id = $1 AND id = $2 AND version = $13`,
		c.TenantID, c.ID, c.PersonaID, c.Subject, c.Status, c.Priority, c.AssigneeID, c.Team, strings.Join(c.Modalities, " "),
		nullMicros(c.SnoozedUntil), nullMicros(c.LastMessageAt), micros(c.UpdatedAt), c.Version)
	what := "update conversation " + c.ID
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 1 {
		c.Version++
		return nil
	}
	var one int
	if err := s.w.QueryRowContext(ctx, `SELECT 1 FROM conversations WHERE tenant_id = $1 AND id = $2`, c.TenantID, c.ID).Scan(&one); err != nil {
		return notFound(what, err)
	}
	return fmt.Errorf("%s: %w", what, ErrChanged)
}

// SetTags replaces a conversation's tags.
func (s *Store) SetTags(ctx context.Context, tenantID, conversationID string, tags []string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM conversation_tags WHERE tenant_id = $1 AND conversation_id = $2`, tenantID, conversationID); err != nil {
		return fmt.Errorf("set tags: %w", err)
	}
	for _, t := range tags {
		if _, err := s.w.ExecContext(ctx, `INSERT INTO conversation_tags (tenant_id, conversation_id, tag) VALUES ($1, $2, $3)`,
			tenantID, conversationID, t); err != nil {
			return fmt.Errorf("set tags: %w", err)
		}
	}
	return nil
}

// LatestUnresolvedConversation returns the persona's most recent conversation
// that is not resolved, where a new contact continues.
func (s *Store) LatestUnresolvedConversation(ctx context.Context, tenantID, personaID string) (conversation.Conversation, error) {
	var tags string
	c, err := scanConversationAnd(s.r.QueryRowContext(ctx, `SELECT `+conversationColumns+`, `+tagsOf[s.engine]+` FROM conversations
		WHERE tenant_id = $1 AND persona_id = $2 AND status <> 'resolved' ORDER BY id DESC LIMIT 1`, tenantID, personaID), &tags)
	if err != nil {
		return c, notFound("open conversation", err)
	}
	return c, decodeTags(tags, &c)
}

// ConversationWrittenUnder returns the persona's conversation in which
// messages on channel were written with external ids under prefix — its latest
// unresolved one, else its latest. A chat visitor who is not signed in sees
// only the conversations they wrote in, even after an agent merged them with a
// customer who has others (ADR 0011).
func (s *Store) ConversationWrittenUnder(ctx context.Context, tenantID, personaID, channel, prefix string) (conversation.Conversation, error) {
	if prefix == "" || prefix[len(prefix)-1] >= 0x7f {
		return conversation.Conversation{}, fmt.Errorf("store: conversations written under %q: the prefix must end in an ASCII character", prefix)
	}
	// The range [prefix, prefix with its last byte raised) reads the
	// messages_external index where LIKE would have to escape and scan.
	end := prefix[:len(prefix)-1] + string([]byte{prefix[len(prefix)-1] + 1})
	c, err := scanConversation(s.r.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE tenant_id = $1 AND persona_id = $2 AND EXISTS (SELECT 1 FROM messages m
			WHERE m.tenant_id = $1 AND m.conversation_id = conversations.id AND m.channel = $3
			AND m.external_id >= $4 AND m.external_id < $5)
		ORDER BY status = 'resolved', id DESC LIMIT 1`, tenantID, personaID, channel, prefix, end))
	if err != nil {
		return c, notFound("conversation", err)
	}
	c.Tags, err = s.tags(ctx, tenantID, c.ID)
	return c, err
}

// StatusActive filters for conversations someone is working on: open, or
// answered and waiting on the customer (pending).
const StatusActive conversation.Status = "active"

// ConversationFilter narrows a listing; empty fields do not filter.
type ConversationFilter struct {
	Status     conversation.Status
	Channel    string
	Tag        string
	AssigneeID string // "none" for unassigned
	Team       string // "none" for no team
	PersonaID  string
	// IDs restricts the listing to these conversations (from a full-text search).
	IDs []string
}

// where adds the filter's conditions on conversations aliased c: add takes a
// condition with one %d placeholder for its argument, raw one without any.
func (f ConversationFilter) where(add func(cond string, v any), raw func(cond string)) {
	switch f.Status {
	case "":
	case StatusActive:
		raw(" AND c.status IN ('open', 'pending')")
	default:
		add("c.status = $%d", string(f.Status))
	}
	if f.Channel != "" {
		add("(' ' || c.modalities || ' ') LIKE '%% ' || $%d || ' %%'", f.Channel)
	}
	switch f.AssigneeID {
	case "":
	case "none":
		add("c.assignee_id = $%d", "")
	default:
		add("c.assignee_id = $%d", f.AssigneeID)
	}
	switch f.Team {
	case "":
	case "none":
		add("c.team = $%d", "")
	default:
		add("c.team = $%d", f.Team)
	}
	if f.PersonaID != "" {
		add("c.persona_id = $%d", f.PersonaID)
	}
	if f.Tag != "" {
		add("EXISTS (SELECT 1 FROM conversation_tags t WHERE t.tenant_id = c.tenant_id AND t.conversation_id = c.id AND t.tag = $%d)", f.Tag)
	}
}

// Conversations lists the tenant's conversations, newest first, before the cursor.
func (s *Store) Conversations(ctx context.Context, tenantID string, f ConversationFilter, page Page) ([]conversation.Conversation, error) {
	q := `SELECT ` + conversationColumns + ` FROM conversations c WHERE c.tenant_id = $1 AND ($2 = '' OR c.id < $2)`
	args := []any{tenantID, page.After}
	add := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND "+cond, len(args))
	}
	f.where(add, func(cond string) { q += cond })
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		ph := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		q += " AND id IN (" + strings.Join(ph, ", ") + ")"
	}
	args = append(args, page.limit())
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	out, err := collect(rows, scanConversation)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Tags, err = s.tags(ctx, tenantID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ThreadConversation finds the conversation a thread key (a Message-ID, a reply
// token) belongs to.
func (s *Store) ThreadConversation(ctx context.Context, tenantID, channel, key string) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT conversation_id FROM conversation_threads WHERE tenant_id = $1 AND channel = $2 AND thread_key = $3`,
		tenantID, channel, key).Scan(&id)
	if err != nil {
		return "", notFound("thread", err)
	}
	return id, nil
}

// AddThreadKey records that a thread key belongs to a conversation; a key seen
// before keeps its first conversation.
func (s *Store) AddThreadKey(ctx context.Context, tenantID, channel, key, conversationID string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO conversation_threads (tenant_id, channel, thread_key, conversation_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, channel, thread_key) DO NOTHING`, tenantID, channel, key, conversationID)
	if err != nil {
		return fmt.Errorf("add thread key: %w", err)
	}
	return nil
}

// DueSnoozes lists conversations whose snooze has ended by now.
func (s *Store) DueSnoozes(ctx context.Context, now time.Time, limit int) ([]conversation.Conversation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE status = 'snoozed' AND snoozed_until IS NOT NULL AND snoozed_until <= $1 ORDER BY snoozed_until LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due snoozes: %w", err)
	}
	return collect(rows, scanConversation)
}
