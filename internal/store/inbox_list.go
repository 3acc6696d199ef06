package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// InboxSort orders an inbox listing.
type InboxSort string

// The orders an inbox listing offers.
const (
	SortNewest  InboxSort = "newest"  // newest conversation first
	SortWaiting InboxSort = "waiting" // the customer waiting longest for an answer first
	SortSLADue  InboxSort = "sla_due" // the soonest SLA due first
)

// Valid reports whether s is a known order; empty means newest.
func (s InboxSort) Valid() bool {
	return s == "" || s == SortNewest || s == SortWaiting || s == SortSLADue
}

// InboxFilter narrows and orders the agents' conversation list; empty fields do
// not filter.
type InboxFilter struct {
	ConversationFilter
	Priority *int
	// SLA is "at_risk" (a clock still running that has passed its warning
	// point or its due time, at Now) or "breached" (one past its due time).
	SLA string
	// Now is the instant "at_risk" is judged at.
	Now            time.Time
	QueueID        string // active routing work in this queue
	MentionsUserID string // a note mentions this user
	Unread         bool   // has inbound messages not read
	Sort           InboxSort
	// AfterKey is the sort key of the row named by Page.After, for the orders
	// other than newest (see SortKey).
	AfterKey int64
}

// ListedConversation is a conversation as the inbox list shows it.
type ListedConversation struct {
	conversation.Conversation
	UnreadCount        int       `json:"unread_count"`
	LastMessagePreview string    `json:"last_message_preview"`
	WaitingSince       time.Time `json:"waiting_since,omitzero"`
	// SLADueAt is the earliest due time of the SLA clocks still running,
	// breached ones (overdue) included.
	SLADueAt    time.Time `json:"sla_due_at,omitzero"`
	PersonaName string    `json:"persona_name"`
	QueueID     string    `json:"queue_id"`
}

// PreviewLength is how many characters of the last message a listing shows.
const PreviewLength = 140

// noKey sorts conversations without a key (not waiting, no SLA) last.
const noKey = math.MaxInt64

// SortKey is the key a listing in order s sorts c by; a cursor carries it.
func SortKey(s InboxSort, c ListedConversation) int64 {
	var t time.Time
	switch s {
	case SortWaiting:
		t = c.WaitingSince
	case SortSLADue:
		t = c.SLADueAt
	default:
		return 0
	}
	if t.IsZero() {
		return noKey
	}
	return t.UnixMicro()
}

const listedColumns = `c.id, c.tenant_id, c.persona_id, c.subject, c.status, c.priority, c.assignee_id, c.team, c.channel, c.modalities,
	c.snoozed_until, c.last_message_at, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.direction = 'in' AND m.status <> 'read') AS unread_count,
	COALESCE((SELECT m.body FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.kind = 'message'
		ORDER BY m.id DESC LIMIT 1), '') AS preview,
	(SELECT MIN(m.created_at) FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.direction = 'in' AND m.kind = 'message'
		AND m.id > COALESCE((SELECT MAX(o.id) FROM messages o WHERE o.tenant_id = c.tenant_id AND o.conversation_id = c.id
			AND o.direction = 'out' AND o.kind = 'message'), '')) AS waiting_since,
	(SELECT MIN(k.due_at) FROM sla_clocks k WHERE k.tenant_id = c.tenant_id AND k.conversation_id = c.id AND k.state IN ('running', 'warned', 'breached')) AS sla_due_at,
	COALESCE(p.name, '') AS persona_name,
	COALESCE((SELECT w.queue_id FROM routing_work w WHERE w.tenant_id = c.tenant_id AND w.conversation_id = c.id
		AND w.state IN ('waiting', 'offered', 'assigned') ORDER BY w.id DESC LIMIT 1), '') AS queue_id`

func scanListed(row interface{ Scan(...any) error }) (ListedConversation, error) {
	var l ListedConversation
	var modalities string
	var snoozed, last, waiting, due sql.NullInt64
	var created, updated int64
	c := &l.Conversation
	err := row.Scan(&c.ID, &c.TenantID, &c.PersonaID, &c.Subject, &c.Status, &c.Priority, &c.AssigneeID, &c.Team, &c.Channel,
		&modalities, &snoozed, &last, &created, &updated,
		&l.UnreadCount, &l.LastMessagePreview, &waiting, &due, &l.PersonaName, &l.QueueID)
	c.Modalities = strings.Fields(modalities)
	c.SnoozedUntil, c.LastMessageAt = fromMicros(snoozed.Int64), fromMicros(last.Int64)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	c.Tags = []string{}
	l.WaitingSince, l.SLADueAt = fromMicros(waiting.Int64), fromMicros(due.Int64)
	l.LastMessagePreview = preview(l.LastMessagePreview)
	return l, err
}

// preview cuts a body to PreviewLength characters, on a character boundary.
func preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= PreviewLength {
		return body
	}
	return string([]rune(body)[:PreviewLength])
}

// InboxConversations lists the tenant's conversations for the agents' inbox, in
// the filter's order, after the cursor (Page.After and f.AfterKey).
func (s *Store) InboxConversations(ctx context.Context, tenantID string, f InboxFilter, page Page) ([]ListedConversation, error) {
	inner := `SELECT ` + listedColumns + ` FROM conversations c LEFT JOIN personas p ON p.tenant_id = c.tenant_id AND p.id = c.persona_id
		WHERE c.tenant_id = $1`
	args := []any{tenantID}
	add := func(cond string, v any) {
		args = append(args, v)
		inner += fmt.Sprintf(" AND "+cond, len(args))
	}
	f.where(add, func(cond string) { inner += cond })
	if f.Priority != nil {
		add("c.priority = $%d", *f.Priority)
	}
	switch f.SLA {
	case "":
	case "at_risk":
		add("EXISTS (SELECT 1 FROM sla_clocks k WHERE k.tenant_id = c.tenant_id AND k.conversation_id = c.id AND k.state IN ('running', 'warned', 'breached') AND k.warn_at > 0 AND k.warn_at <= $%d)", micros(f.Now))
	case "breached":
		inner += " AND EXISTS (SELECT 1 FROM sla_clocks k WHERE k.tenant_id = c.tenant_id AND k.conversation_id = c.id AND k.state = 'breached')"
	default:
		return nil, fmt.Errorf("inbox conversations: unknown sla filter %q", f.SLA)
	}
	if f.QueueID != "" {
		add("EXISTS (SELECT 1 FROM routing_work w WHERE w.tenant_id = c.tenant_id AND w.queue_id = $%d AND w.conversation_id = c.id AND w.state IN ('waiting', 'offered', 'assigned'))", f.QueueID)
	}
	if f.MentionsUserID != "" {
		add("EXISTS (SELECT 1 FROM conversation_mentions n WHERE n.tenant_id = c.tenant_id AND n.user_id = $%d AND n.conversation_id = c.id)", f.MentionsUserID)
	}
	if f.Unread {
		inner += " AND EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.direction = 'in' AND m.status <> 'read')"
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		ph := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		inner += " AND c.id IN (" + strings.Join(ph, ", ") + ")"
	}
	q := `SELECT * FROM (` + inner + `) x`
	var key string
	switch f.Sort {
	case "", SortNewest:
		if page.After != "" {
			args = append(args, page.After)
			q += fmt.Sprintf(" WHERE id < $%d", len(args))
		}
		q += " ORDER BY id DESC"
	case SortWaiting, SortSLADue:
		key = fmt.Sprintf("COALESCE(%s, %d)", map[InboxSort]string{SortWaiting: "waiting_since", SortSLADue: "sla_due_at"}[f.Sort], int64(noKey))
		if page.After != "" {
			args = append(args, f.AfterKey, page.After)
			q += fmt.Sprintf(" WHERE (%s > $%d OR (%s = $%d AND id > $%d))", key, len(args)-1, key, len(args)-1, len(args))
		}
		q += " ORDER BY " + key + ", id"
	default:
		return nil, fmt.Errorf("inbox conversations: unknown sort %q", f.Sort)
	}
	args = append(args, page.limit())
	q += fmt.Sprintf(" LIMIT $%d", len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox conversations: %w", err)
	}
	out, err := collect(rows, scanListed)
	if err != nil {
		return nil, fmt.Errorf("inbox conversations: %w", err)
	}
	for i := range out {
		if out[i].Tags, err = s.tags(ctx, tenantID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddMentions records that a note mentions users, for the "mentions me" list.
func (s *Store) AddMentions(ctx context.Context, tenantID, conversationID, messageID string, userIDs []string, at time.Time) error {
	for _, u := range userIDs {
		if _, err := s.w.ExecContext(ctx, `INSERT INTO conversation_mentions (tenant_id, user_id, message_id, conversation_id, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, tenantID, u, messageID, conversationID, micros(at)); err != nil {
			return fmt.Errorf("add mentions: %w", err)
		}
	}
	return nil
}

// InboxCounts are the numbers beside the inbox's views.
type InboxCounts struct {
	Mine       int          `json:"mine"`
	Unassigned int          `json:"unassigned"`
	Mentions   int          `json:"mentions"`
	All        int          `json:"all"`
	Queues     []QueueCount `json:"queues"`
}

// QueueCount is one queue's open conversations, and how many of them have unread messages.
type QueueCount struct {
	QueueID string `json:"queue_id"`
	Name    string `json:"name"`
	Open    int    `json:"open"`
	Unread  int    `json:"unread"`
}

// InboxCounts counts the tenant's conversations as the inbox's views see them
// for one user: all, mine and mentions count active ones (open, or pending on
// the customer — an answered conversation stays in its agent's view); the
// unassigned view and the queues count open ones.
func (s *Store) InboxCounts(ctx context.Context, tenantID, userID string) (InboxCounts, error) {
	var c InboxCounts
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN assignee_id = $2 AND assignee_id <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN assignee_id = '' AND status = 'open' THEN 1 ELSE 0 END), 0)
		FROM conversations WHERE tenant_id = $1 AND status IN ('open', 'pending')`, tenantID, userID).Scan(&c.All, &c.Mine, &c.Unassigned)
	if err != nil {
		return c, fmt.Errorf("inbox counts: %w", err)
	}
	err = s.r.QueryRowContext(ctx, `SELECT COUNT(DISTINCT n.conversation_id) FROM conversation_mentions n
		JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id
		WHERE n.tenant_id = $1 AND n.user_id = $2 AND c.status IN ('open', 'pending')`, tenantID, userID).Scan(&c.Mentions)
	if err != nil {
		return c, fmt.Errorf("inbox counts: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT q.id, q.name, COUNT(DISTINCT c.id), COUNT(DISTINCT u.conversation_id)
		FROM routing_queues q
		LEFT JOIN routing_work w ON w.tenant_id = q.tenant_id AND w.queue_id = q.id AND w.state IN ('waiting', 'offered', 'assigned')
		LEFT JOIN conversations c ON c.tenant_id = w.tenant_id AND c.id = w.conversation_id AND c.status = 'open'
		LEFT JOIN (SELECT DISTINCT conversation_id FROM messages WHERE tenant_id = $1 AND direction = 'in' AND status <> 'read') u
			ON u.conversation_id = c.id
		WHERE q.tenant_id = $1 GROUP BY q.id, q.name ORDER BY q.name`, tenantID)
	if err != nil {
		return c, fmt.Errorf("inbox counts: %w", err)
	}
	c.Queues, err = collect(rows, func(r interface{ Scan(...any) error }) (QueueCount, error) {
		var q QueueCount
		return q, r.Scan(&q.QueueID, &q.Name, &q.Open, &q.Unread)
	})
	if c.Queues == nil {
		c.Queues = []QueueCount{}
	}
	return c, err
}
