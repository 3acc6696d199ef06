package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The reads an expert has through swarm rooms (ADR 0032): a member (invited
// or joined) of a room reads the room's conversation, and its customer,
// while the room is open or closed at or after closedSince.

const swarmReadRooms = `FROM swarm_rooms r JOIN swarm_members m ON m.tenant_id = r.tenant_id AND m.room_id = r.id
	WHERE r.tenant_id = $1 AND m.user_id = $2 AND (r.state = 'open' OR r.closed_at >= $3)`

// SwarmReadsConversation reports whether userID reads the tenant's
// conversation through a room on it.
func (s *Store) SwarmReadsConversation(ctx context.Context, tenantID, userID, conversationID string, closedSince time.Time) (bool, error) {
	return s.swarmReads(ctx, `SELECT 1 `+swarmReadRooms+` AND r.conversation_id = $4 LIMIT 1`,
		tenantID, userID, micros(closedSince), conversationID)
}

// SwarmReadsPersona reports whether userID reads the tenant's persona as
// the customer of a conversation they read through a room.
func (s *Store) SwarmReadsPersona(ctx context.Context, tenantID, userID, personaID string, closedSince time.Time) (bool, error) {
	return s.swarmReads(ctx, `SELECT 1 `+swarmReadRooms+` AND r.conversation_id IN
		(SELECT c.id FROM conversations c WHERE c.tenant_id = $1 AND c.persona_id = $4) LIMIT 1`,
		tenantID, userID, micros(closedSince), personaID)
}

func (s *Store) swarmReads(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, q, args...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("swarm reads: %w", err)
	}
	return true, nil
}

// SwarmReadsAttachment reports whether userID reads the tenant's
// attachment as one carried by a message of a conversation they read
// through a room (a customer's file, a reply's, a note's). A room's own
// files are not read this way: they are the room's (SwarmAttachment).
// The messages table keeps a message's attachments as JSON, so the
// candidates are narrowed by the id's text and confirmed by decoding.
func (s *Store) SwarmReadsAttachment(ctx context.Context, tenantID, userID, attachmentID string, closedSince time.Time) (bool, error) {
	find := "instr(msg.attachments, $4) > 0"
	if s.engine == Postgres {
		find = "strpos(msg.attachments, $4) > 0"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT msg.attachments FROM messages msg WHERE msg.tenant_id = $1 AND `+find+`
		AND msg.conversation_id IN (SELECT r.conversation_id `+swarmReadRooms+`)`,
		tenantID, userID, micros(closedSince), attachmentID)
	if err != nil {
		return false, fmt.Errorf("swarm reads attachment: %w", err)
	}
	lists, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var v string
		return v, r.Scan(&v)
	})
	if err != nil {
		return false, fmt.Errorf("swarm reads attachment: %w", err)
	}
	for _, l := range lists {
		var atts []struct {
			ID string `json:"id"`
		}
		if json.Unmarshal([]byte(l), &atts) != nil {
			continue
		}
		for _, a := range atts {
			if a.ID == attachmentID {
				return true, nil
			}
		}
	}
	return false, nil
}

// SwarmReadsMessage reports whether userID reads the tenant's message as
// one of a conversation they read through a room.
func (s *Store) SwarmReadsMessage(ctx context.Context, tenantID, userID, messageID string, closedSince time.Time) (bool, error) {
	return s.swarmReads(ctx, `SELECT 1 `+swarmReadRooms+` AND r.conversation_id IN
		(SELECT msg.conversation_id FROM messages msg WHERE msg.tenant_id = $1 AND msg.id = $4) LIMIT 1`,
		tenantID, userID, micros(closedSince), messageID)
}
