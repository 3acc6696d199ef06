package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// personaConversations selects the ids of a persona's conversations ($1
// tenant, $2 persona).
const personaConversations = `SELECT id FROM conversations WHERE tenant_id = $1 AND persona_id = $2`

// eraseStatements delete what is kept about a persona ($1 tenant, $2
// persona), in an order the foreign keys accept.
var eraseStatements = []string{
	// The help-center trails its conversations were started from, and the
	// feedback given in those sessions (its words are the customer's).
	`DELETE FROM help_events WHERE tenant_id = $1 AND session_id IN (SELECT session_id FROM help_links
		WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM help_feedback WHERE tenant_id = $1 AND session_id <> '' AND session_id IN (SELECT session_id FROM help_links
		WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM help_sessions WHERE tenant_id = $1 AND id IN (SELECT session_id FROM help_links
		WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM help_links WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	// Its conversations and everything hanging off them.
	`DELETE FROM routing_offers WHERE tenant_id = $1 AND work_id IN (SELECT id FROM routing_work
		WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM routing_work WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM routing_decisions WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM sla_clocks WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM callbacks WHERE tenant_id = $1 AND (persona_id = $2 OR conversation_id IN (` + personaConversations + `))`,
	// Call recordings: the audio, then the rows (ADR 0043).
	`DELETE FROM attachments WHERE tenant_id = $1 AND id IN (SELECT attachment_id FROM call_recordings
		WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM call_recordings WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM call_events WHERE tenant_id = $1 AND call_id IN (SELECT id FROM calls
		WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM calls WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM csat_surveys WHERE tenant_id = $1 AND (persona_id = $2 OR conversation_id IN (` + personaConversations + `))`,
	`DELETE FROM conversation_mentions WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM conversation_tags WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM conversation_threads WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM messages WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	// What the screen-pop showed on its conversations and what agents did with it.
	`DELETE FROM context_feedback WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	// The report rollups' fact rows (the aggregates keep no one's identity).
	`DELETE FROM rollup_conversations WHERE tenant_id = $1 AND conversation_id IN (` + personaConversations + `)`,
	`DELETE FROM conversations WHERE tenant_id = $1 AND persona_id = $2`,
	// Its notifications.
	`DELETE FROM notify_steps WHERE tenant_id = $1 AND delivery_id IN (SELECT id FROM notify_deliveries
		WHERE tenant_id = $1 AND persona_id = $2)`,
	`DELETE FROM notify_deliveries WHERE tenant_id = $1 AND persona_id = $2`,
	`DELETE FROM notify_response_hours WHERE tenant_id = $1 AND persona_id = $2`,
	`DELETE FROM push_subscriptions WHERE tenant_id = $1 AND persona_id = $2`,
	`DELETE FROM notify_prefs WHERE tenant_id = $1 AND persona_id = $2`,
	`DELETE FROM portal_sessions WHERE tenant_id = $1 AND persona_id = $2`,
	// The persona itself; merge records list the identifiers they moved.
	`DELETE FROM persona_merges WHERE tenant_id = $1 AND (survivor_id = $2 OR merged_id = $2)`,
	`DELETE FROM persona_identifiers WHERE tenant_id = $1 AND persona_id = $2`,
	`DELETE FROM persona_claims WHERE tenant_id = $1 AND persona_id = $2`,
	`DELETE FROM personas WHERE tenant_id = $1 AND id = $2`,
}

// ErasePersona deletes a persona and what is kept about it: identifiers,
// conversations with their messages, files and routing records, callbacks,
// preferences, deliveries with their steps, the events raised for it alone
// and its own data in the others (RecipientDataKey), response hours, push
// subscriptions, portal sessions limited to it, the help-center trails its conversations
// were started from (with their feedback), merge records, and the
// copies of its data elsewhere (realtime events, webhook deliveries and
// attempts, stored idempotent responses, audit details: eraseTraces). Personas
// merged into it are the same customer and are erased with it. The consent
// ledger stays: the caller redacts its notes (RedactConsentNotes) and appends
// the tombstone in the same transaction, so run this inside one.
func (s *Store) ErasePersona(ctx context.Context, tenantID, personaID string) error {
	var one string
	err := s.r.QueryRowContext(ctx, `SELECT id FROM personas WHERE tenant_id = $1 AND id = $2`, tenantID, personaID).Scan(&one)
	if err != nil {
		return notFound("erase persona "+personaID, err)
	}
	all, err := s.mergedInto(ctx, tenantID, personaID)
	if err != nil {
		return err
	}
	if err := s.BumpRollupCursor(ctx, tenantID); err != nil {
		return err
	}
	for _, id := range all {
		if err := s.eraseAttachments(ctx, tenantID, id); err != nil {
			return err
		}
		if err := s.eraseEventData(ctx, tenantID, id); err != nil {
			return err
		}
		if err := s.eraseTraces(ctx, tenantID, id); err != nil {
			return err
		}
		for _, q := range eraseStatements {
			if _, err := s.w.ExecContext(ctx, q, tenantID, id); err != nil {
				return fmt.Errorf("erase persona %s: %w", id, err)
			}
		}
	}
	return nil
}

// mergedInto returns the persona and every persona merged into it, at any
// depth, those merged into others first.
func (s *Store) mergedInto(ctx context.Context, tenantID, personaID string) ([]string, error) {
	out := []string{personaID}
	for i := 0; i < len(out); i++ {
		rows, err := s.r.QueryContext(ctx, `SELECT id FROM personas WHERE tenant_id = $1 AND merged_into = $2`, tenantID, out[i])
		if err != nil {
			return nil, fmt.Errorf("erase persona %s: %w", personaID, err)
		}
		ids, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, fmt.Errorf("erase persona %s: %w", personaID, err)
		}
		out = append(out, ids...)
	}
	// Erase the merged ones before those they point to.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// RecipientDataKey is the key of an event's data under which the data each
// recipient of a batch brought is kept, by persona id; erasure removes the
// persona's entry.
const RecipientDataKey = "_recipients"

// eraseEventData deletes the events that were raised for the persona alone
// (their data is about it) and removes its entry from the recipients' data of
// the others. It runs before the persona's deliveries, which name the events,
// are deleted.
func (s *Store) eraseEventData(ctx context.Context, tenantID, personaID string) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, data, recipients FROM notify_events WHERE tenant_id = $1
		AND id IN (SELECT event_id FROM notify_deliveries WHERE tenant_id = $1 AND persona_id = $2)`, tenantID, personaID)
	if err != nil {
		return fmt.Errorf("erase event data: %w", err)
	}
	type event struct {
		id, data   string
		recipients int
	}
	evs, err := collect(rows, func(r interface{ Scan(...any) error }) (event, error) {
		var e event
		return e, r.Scan(&e.id, &e.data, &e.recipients)
	})
	if err != nil {
		return fmt.Errorf("erase event data: %w", err)
	}
	for _, e := range evs {
		if e.recipients <= 1 {
			if _, err := s.w.ExecContext(ctx, `DELETE FROM notify_events WHERE tenant_id = $1 AND id = $2`, tenantID, e.id); err != nil {
				return fmt.Errorf("erase event %s: %w", e.id, err)
			}
			continue
		}
		var data map[string]json.RawMessage
		var own map[string]json.RawMessage
		if err := json.Unmarshal([]byte(e.data), &data); err != nil {
			return fmt.Errorf("erase event %s: %w", e.id, err)
		}
		if raw, ok := data[RecipientDataKey]; !ok || json.Unmarshal(raw, &own) != nil {
			continue
		}
		if _, ok := own[personaID]; !ok {
			continue
		}
		delete(own, personaID)
		data[RecipientDataKey], _ = json.Marshal(own)
		if len(own) == 0 {
			delete(data, RecipientDataKey)
		}
		b, _ := json.Marshal(data)
		if _, err := s.w.ExecContext(ctx, `UPDATE notify_events SET data = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, e.id, string(b)); err != nil {
			return fmt.Errorf("erase event %s: %w", e.id, err)
		}
	}
	return nil
}

// eraseAttachments deletes the files of a persona's messages and the
// originals they were read from; messages name them in a JSON list and in
// their meta ("original_id"), so they cannot go by a foreign key.
func (s *Store) eraseAttachments(ctx context.Context, tenantID, personaID string) error {
	// Files in swarm rooms on the persona's conversations: the rooms cascade
	// with the conversations, their files' bytes must go too.
	if _, err := s.w.ExecContext(ctx, `DELETE FROM attachments WHERE tenant_id = $1 AND id IN (SELECT f.attachment_id FROM swarm_attachments f
		JOIN swarm_rooms r ON r.id = f.room_id WHERE f.tenant_id = $1 AND r.conversation_id IN (`+personaConversations+`))`, tenantID, personaID); err != nil {
		return fmt.Errorf("erase swarm room files: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT attachments, meta FROM messages WHERE tenant_id = $1
		AND conversation_id IN (`+personaConversations+`) AND (attachments <> '[]' OR meta LIKE '%"original_id"%')`, tenantID, personaID)
	if err != nil {
		return fmt.Errorf("erase attachments: %w", err)
	}
	type files struct{ list, meta string }
	all, err := collect(rows, func(r interface{ Scan(...any) error }) (files, error) {
		var f files
		return f, r.Scan(&f.list, &f.meta)
	})
	if err != nil {
		return fmt.Errorf("erase attachments: %w", err)
	}
	for _, f := range all {
		var as []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(f.list), &as); err != nil {
			return fmt.Errorf("erase attachments: %w", err)
		}
		var meta struct {
			Original string `json:"original_id"`
		}
		if f.meta != "" && json.Unmarshal([]byte(f.meta), &meta) == nil && meta.Original != "" {
			as = append(as, struct {
				ID string `json:"id"`
			}{meta.Original})
		}
		for _, a := range as {
			if _, err := s.w.ExecContext(ctx, `DELETE FROM attachments WHERE tenant_id = $1 AND id = $2`, tenantID, a.ID); err != nil {
				return fmt.Errorf("erase attachment %s: %w", a.ID, err)
			}
		}
	}
	return nil
}
