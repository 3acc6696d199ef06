package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

const swarmRoomColumns = `id, tenant_id, conversation_id, question, opened_by, state, outcome, closed_by, created_at, closed_at`

func scanSwarmRoom(row interface{ Scan(...any) error }) (swarm.Room, error) {
	var r swarm.Room
	var state string
	var created, closed int64
	err := row.Scan(&r.ID, &r.TenantID, &r.ConversationID, &r.Question, &r.OpenedBy, &state, &r.Outcome, &r.ClosedBy, &created, &closed)
	r.State, r.CreatedAt, r.ClosedAt = swarm.State(state), fromMicros(created), fromMicros(closed)
	return r, err
}

// CreateSwarmRoom stores a new room.
func (s *Store) CreateSwarmRoom(ctx context.Context, r swarm.Room) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO swarm_rooms (`+swarmRoomColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.TenantID, r.ConversationID, r.Question, r.OpenedBy, string(r.State), r.Outcome, r.ClosedBy, micros(r.CreatedAt), micros(r.ClosedAt))
	if err != nil {
		return fmt.Errorf("create swarm room: %w", err)
	}
	return nil
}

// CloseSwarmRoom stores a room's close; a room already closed (by another
// request meanwhile) is ErrConflict, one that is not the tenant's ErrNotFound.
func (s *Store) CloseSwarmRoom(ctx context.Context, r swarm.Room) error {
	res, err := s.w.ExecContext(ctx, `UPDATE swarm_rooms SET state = $3, outcome = $4, closed_by = $5, closed_at = $6
		WHERE tenant_id = $1 AND id = $2 AND state = 'open'`, r.TenantID, r.ID, string(r.State), r.Outcome, r.ClosedBy, micros(r.ClosedAt))
	if err := affectedOne("close swarm room "+r.ID, res, err); err != nil {
		if _, gerr := s.SwarmRoom(ctx, r.TenantID, r.ID); gerr == nil {
			return fmt.Errorf("close swarm room %s: %w", r.ID, ErrConflict)
		}
		return err
	}
	return nil
}

// SwarmRoom returns the tenant's room with id.
func (s *Store) SwarmRoom(ctx context.Context, tenantID, id string) (swarm.Room, error) {
	r, err := scanSwarmRoom(s.r.QueryRowContext(ctx, `SELECT `+swarmRoomColumns+` FROM swarm_rooms WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return r, notFound("swarm room "+id, err)
	}
	return r, nil
}

// SwarmRoomsOf lists the rooms userID is a member of (invited or joined),
// open ones first, then newest first, at most limit.
func (s *Store) SwarmRoomsOf(ctx context.Context, tenantID, userID string, limit int) ([]swarm.Room, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.`+strings.ReplaceAll(swarmRoomColumns, ", ", ", r.")+`
		FROM swarm_rooms r JOIN swarm_members m ON m.room_id = r.id AND m.tenant_id = r.tenant_id
		WHERE r.tenant_id = $1 AND m.user_id = $2
		ORDER BY CASE WHEN r.state = 'open' THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC LIMIT $3`, tenantID, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("swarm rooms of %s: %w", userID, err)
	}
	return collect(rows, scanSwarmRoom)
}

// SwarmRoomsOfConversation lists a conversation's rooms, newest first.
func (s *Store) SwarmRoomsOfConversation(ctx context.Context, tenantID, conversationID string) ([]swarm.Room, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+swarmRoomColumns+` FROM swarm_rooms
		WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at DESC, id DESC`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("swarm rooms of conversation %s: %w", conversationID, err)
	}
	return collect(rows, scanSwarmRoom)
}

// PutSwarmMember stores a member, or their change (invited to joined).
func (s *Store) PutSwarmMember(ctx context.Context, m swarm.Member) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO swarm_members (tenant_id, room_id, user_id, status, invited_by, invited_at, joined_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (room_id, user_id) DO UPDATE SET status = excluded.status, joined_at = excluded.joined_at
		WHERE swarm_members.tenant_id = excluded.tenant_id`,
		m.TenantID, m.RoomID, m.UserID, string(m.Status), m.InvitedBy, micros(m.InvitedAt), micros(m.JoinedAt))
	if err != nil {
		return fmt.Errorf("put swarm member %s: %w", m.UserID, err)
	}
	return nil
}

// SwarmMembers lists a room's members in the order they were invited.
func (s *Store) SwarmMembers(ctx context.Context, tenantID, roomID string) ([]swarm.Member, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+swarmMemberColumns+` FROM swarm_members
		WHERE tenant_id = $1 AND room_id = $2 ORDER BY invited_at, user_id`, tenantID, roomID)
	if err != nil {
		return nil, fmt.Errorf("swarm members: %w", err)
	}
	return collect(rows, scanSwarmMember)
}

const swarmMemberColumns = `tenant_id, room_id, user_id, status, invited_by, invited_at, joined_at, told_at`

func scanSwarmMember(row interface{ Scan(...any) error }) (swarm.Member, error) {
	var m swarm.Member
	var status string
	var invited, joined, told int64
	err := row.Scan(&m.TenantID, &m.RoomID, &m.UserID, &status, &m.InvitedBy, &invited, &joined, &told)
	m.Status, m.InvitedAt, m.JoinedAt, m.ToldAt = swarm.MemberStatus(status), fromMicros(invited), fromMicros(joined), fromMicros(told)
	return m, err
}

// MarkSwarmMemberTold records that an invitee was told by mail at at; false
// when they had been told already (a job run twice tells once).
func (s *Store) MarkSwarmMemberTold(ctx context.Context, tenantID, roomID, userID string, at time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE swarm_members SET told_at = $4 WHERE tenant_id = $1 AND room_id = $2 AND user_id = $3 AND told_at = 0`,
		tenantID, roomID, userID, micros(at))
	if err != nil {
		return false, fmt.Errorf("mark swarm member told: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AddSwarmMessage stores a message said in a room.
func (s *Store) AddSwarmMessage(ctx context.Context, m swarm.Message) error {
	mentions, err := json.Marshal(nonNil(m.Mentions))
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO swarm_messages (id, tenant_id, room_id, author_id, body, mentions, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.TenantID, m.RoomID, m.AuthorID, m.Body, string(mentions), micros(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("add swarm message: %w", err)
	}
	return nil
}

// SwarmMessages lists what was said in a room, oldest first.
func (s *Store) SwarmMessages(ctx context.Context, tenantID, roomID string) ([]swarm.Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, tenant_id, room_id, author_id, body, mentions, created_at FROM swarm_messages
		WHERE tenant_id = $1 AND room_id = $2 ORDER BY created_at, id`, tenantID, roomID)
	if err != nil {
		return nil, fmt.Errorf("swarm messages: %w", err)
	}
	msgs, err := collect(rows, func(row interface{ Scan(...any) error }) (swarm.Message, error) {
		var m swarm.Message
		var mentions string
		var at int64
		if err := row.Scan(&m.ID, &m.TenantID, &m.RoomID, &m.AuthorID, &m.Body, &mentions, &at); err != nil {
			return m, err
		}
		m.CreatedAt = fromMicros(at)
		return m, json.Unmarshal([]byte(mentions), &m.Mentions)
	})
	if err != nil {
		return nil, fmt.Errorf("swarm messages: %w", err)
	}
	return msgs, s.swarmMessageFiles(ctx, tenantID, roomID, msgs)
}

// AddSwarmContributions records contributions.
func (s *Store) AddSwarmContributions(ctx context.Context, cs ...swarm.Contribution) error {
	for _, c := range cs {
		_, err := s.w.ExecContext(ctx, `INSERT INTO swarm_contributions (id, tenant_id, room_id, conversation_id, user_id, kind, minutes, ref, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.TenantID, c.RoomID, c.ConversationID, c.UserID, string(c.Kind), c.Minutes, c.Ref, micros(c.At))
		if err != nil {
			return fmt.Errorf("add swarm contribution: %w", err)
		}
	}
	return nil
}

// SwarmContributions lists a person's contributions, newest first, at most limit.
func (s *Store) SwarmContributions(ctx context.Context, tenantID, userID string, limit int) ([]swarm.Contribution, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, tenant_id, room_id, conversation_id, user_id, kind, minutes, ref, at FROM swarm_contributions
		WHERE tenant_id = $1 AND user_id = $2 ORDER BY at DESC, id DESC LIMIT $3`, tenantID, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("swarm contributions: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (swarm.Contribution, error) {
		var c swarm.Contribution
		var kind string
		var at int64
		err := row.Scan(&c.ID, &c.TenantID, &c.RoomID, &c.ConversationID, &c.UserID, &kind, &c.Minutes, &c.Ref, &at)
		c.Kind, c.At = swarm.Kind(kind), fromMicros(at)
		return c, err
	})
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
