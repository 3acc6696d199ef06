package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// maxSignals bounds each sort of work read for learned expertise: the
// most recent are kept, older ones weigh little anyway.
const maxSignals = 20000

// SwarmSignals reads the work people did on the tenant's conversations
// since since — resolved (the assignee of a resolved conversation), linked
// (an article linked to one) and helped (wrote in a swarm room on one) —
// with the areas each conversation is about (SwarmConversationAreas). For
// one person when userID is set, for everyone when it is "".
func (s *Store) SwarmSignals(ctx context.Context, tenantID, userID string, since time.Time) ([]swarm.Signal, error) {
	queries := []struct{ kind, q string }{
		{swarm.WhyResolved, `SELECT assignee_id, id, updated_at FROM conversations
			WHERE tenant_id = $1 AND status = 'resolved' AND assignee_id <> '' AND updated_at >= $2 AND ($3 = '' OR assignee_id = $3)
			ORDER BY updated_at DESC LIMIT $4`},
		{swarm.WhyLinked, `SELECT agent_id, conversation_id, created_at FROM knowledge_links
			WHERE tenant_id = $1 AND agent_id <> '' AND created_at >= $2 AND ($3 = '' OR agent_id = $3)
			ORDER BY created_at DESC LIMIT $4`},
		{swarm.WhyHelped, `SELECT user_id, conversation_id, MAX(at) FROM swarm_contributions
			WHERE tenant_id = $1 AND kind = 'message' AND at >= $2 AND ($3 = '' OR user_id = $3)
			GROUP BY user_id, conversation_id ORDER BY MAX(at) DESC LIMIT $4`},
	}
	var out []swarm.Signal
	convs := map[string]bool{}
	for _, q := range queries {
		rows, err := s.r.QueryContext(ctx, q.q, tenantID, micros(since), userID, maxSignals)
		if err != nil {
			return nil, fmt.Errorf("swarm signals (%s): %w", q.kind, err)
		}
		got, err := collect(rows, func(row interface{ Scan(...any) error }) (swarm.Signal, error) {
			x := swarm.Signal{Kind: q.kind}
			var at int64
			err := row.Scan(&x.UserID, &x.ConversationID, &at)
			x.At = fromMicros(at)
			return x, err
		})
		if err != nil {
			return nil, fmt.Errorf("swarm signals (%s): %w", q.kind, err)
		}
		for _, x := range got {
			convs[x.ConversationID] = true
		}
		out = append(out, got...)
	}
	ids := make([]string, 0, len(convs))
	for id := range convs {
		ids = append(ids, id)
	}
	areas, err := s.SwarmConversationAreas(ctx, tenantID, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Areas = areas[out[i].ConversationID]
	}
	return out, nil
}

// areaChunk is how many conversation ids go in one IN list.
const areaChunk = 500

// SwarmConversationAreas reads what the tenant's conversations are about:
// their tags, the queues they were routed through, and the categories and
// tags of the articles linked to them.
func (s *Store) SwarmConversationAreas(ctx context.Context, tenantID string, conversationIDs []string) (map[string][]swarm.AreaRef, error) {
	out := map[string][]swarm.AreaRef{}
	for len(conversationIDs) > 0 {
		n := min(len(conversationIDs), areaChunk)
		chunk := conversationIDs[:n]
		conversationIDs = conversationIDs[n:]
		args := []any{tenantID}
		for _, id := range chunk {
			args = append(args, id)
		}
		in := `(` + placeholders(2, len(chunk)) + `)`
		plain := []struct {
			kind swarm.AreaKind
			q    string
		}{
			{swarm.AreaTag, `SELECT conversation_id, tag FROM conversation_tags WHERE tenant_id = $1 AND conversation_id IN ` + in},
			{swarm.AreaQueue, `SELECT DISTINCT w.conversation_id, q.name FROM routing_work w JOIN routing_queues q ON q.id = w.queue_id AND q.tenant_id = w.tenant_id
				WHERE w.tenant_id = $1 AND w.conversation_id IN ` + in},
			{swarm.AreaCategory, `SELECT l.conversation_id, a.category FROM knowledge_links l JOIN knowledge_articles a ON a.id = l.article_id AND a.tenant_id = l.tenant_id
				WHERE l.tenant_id = $1 AND a.category <> '' AND l.conversation_id IN ` + in},
		}
		for _, p := range plain {
			pairs, err := s.pairs(ctx, p.q+` ORDER BY 1, 2`, args...)
			if err != nil {
				return nil, fmt.Errorf("conversation areas: %w", err)
			}
			for _, v := range pairs {
				out[v[0]] = append(out[v[0]], swarm.AreaRef{Kind: p.kind, Name: v[1]})
			}
		}
		// Articles keep their tags as a JSON list.
		pairs, err := s.pairs(ctx, `SELECT l.conversation_id, a.tags FROM knowledge_links l JOIN knowledge_articles a ON a.id = l.article_id AND a.tenant_id = l.tenant_id
			WHERE l.tenant_id = $1 AND a.tags <> '[]' AND l.conversation_id IN `+in+` ORDER BY 1, 2`, args...)
		if err != nil {
			return nil, fmt.Errorf("conversation areas: %w", err)
		}
		for _, v := range pairs {
			var tags []string
			if json.Unmarshal([]byte(v[1]), &tags) != nil {
				continue
			}
			for _, t := range tags {
				out[v[0]] = append(out[v[0]], swarm.AreaRef{Kind: swarm.AreaTag, Name: t})
			}
		}
	}
	return out, nil
}

func (s *Store) pairs(ctx context.Context, q string, args ...any) ([][2]string, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) ([2]string, error) {
		var v [2]string
		return v, row.Scan(&v[0], &v[1])
	})
}

// SwarmContributionsSince lists a person's contributions made at or after
// since, newest first, at most limit.
func (s *Store) SwarmContributionsSince(ctx context.Context, tenantID, userID string, since time.Time, limit int) ([]swarm.Contribution, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, tenant_id, room_id, conversation_id, user_id, kind, minutes, ref, at FROM swarm_contributions
		WHERE tenant_id = $1 AND user_id = $2 AND at >= $3 ORDER BY at DESC, id DESC LIMIT $4`, tenantID, userID, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("swarm contributions: %w", err)
	}
	return collect(rows, scanSwarmContribution)
}

func scanSwarmContribution(row interface{ Scan(...any) error }) (swarm.Contribution, error) {
	var c swarm.Contribution
	var kind string
	var at int64
	err := row.Scan(&c.ID, &c.TenantID, &c.RoomID, &c.ConversationID, &c.UserID, &kind, &c.Minutes, &c.Ref, &at)
	c.Kind, c.At = swarm.Kind(kind), fromMicros(at)
	return c, err
}

// SwarmWork reads the rooms opened in [from, to), newest first, at most
// limit, with their members and contributions: who worked on what.
func (s *Store) SwarmWork(ctx context.Context, tenantID string, from, to time.Time, limit int) ([]swarm.Room, map[string][]swarm.Member, []swarm.Contribution, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+swarmRoomColumns+` FROM swarm_rooms
		WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at DESC, id DESC LIMIT $4`,
		tenantID, micros(from), micros(to), limit)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("swarm work: %w", err)
	}
	rooms, err := collect(rows, scanSwarmRoom)
	if err != nil || len(rooms) == 0 {
		return rooms, map[string][]swarm.Member{}, nil, err
	}
	members := map[string][]swarm.Member{}
	var cs []swarm.Contribution
	for i := 0; i < len(rooms); i += areaChunk {
		chunk := rooms[i:min(i+areaChunk, len(rooms))]
		args := []any{tenantID}
		for _, r := range chunk {
			args = append(args, r.ID)
		}
		in := `(` + placeholders(2, len(chunk)) + `)`
		rows, err := s.r.QueryContext(ctx, `SELECT `+swarmMemberColumns+` FROM swarm_members WHERE tenant_id = $1 AND room_id IN `+in+
			` ORDER BY room_id, invited_at, user_id`, args...)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("swarm work: %w", err)
		}
		ms, err := collect(rows, scanSwarmMember)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("swarm work: %w", err)
		}
		for _, m := range ms {
			members[m.RoomID] = append(members[m.RoomID], m)
		}
		rows, err = s.r.QueryContext(ctx, `SELECT id, tenant_id, room_id, conversation_id, user_id, kind, minutes, ref, at FROM swarm_contributions
			WHERE tenant_id = $1 AND room_id IN `+in+` ORDER BY at, id`, args...)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("swarm work: %w", err)
		}
		more, err := collect(rows, scanSwarmContribution)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("swarm work: %w", err)
		}
		cs = append(cs, more...)
	}
	return rooms, members, cs, nil
}
