package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/persona"
)

// SearchConversations returns the ids of the tenant's conversations that match
// the query, newest first: those whose messages hold every word of it, and
// those of the customers people search finds (by name, email, phone or
// reference; see SearchPersonas). Message words match as prefixes of the
// messages' words, case-insensitively ("card" finds "Cards"); on SQLite
// accents are ignored too. The query is reduced to its letters and digits
// for the message index, so it cannot inject search syntax; a query without
// any finds nothing there. SQLite searches an FTS5 index, PostgreSQL a
// GIN-indexed tsvector (migration 0004).
func (s *Store) SearchConversations(ctx context.Context, tenantID, query string, limit int) ([]string, error) {
	args := []any{tenantID}
	var either []string
	if words := SearchWords(query); len(words) > 0 {
		either = append(either, `c.id IN (`+s.messageMatch(words, &args)+`)`)
	}
	if people := s.peopleMatch(query, &args); people != "" {
		either = append(either, `c.persona_id IN (SELECT p.id FROM personas p WHERE p.tenant_id = $1 AND (`+people+`))`)
	}
	if len(either) == 0 {
		return []string{}, nil
	}
	args = append(args, limit)
	q := fmt.Sprintf(`SELECT c.id FROM conversations c WHERE c.tenant_id = $1 AND (%s) ORDER BY c.id DESC LIMIT $%d`,
		strings.Join(either, " OR "), len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ids, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if ids == nil {
		ids = []string{}
	}
	return ids, err
}

// messageMatch is a query for the ids of conversations whose messages (any of
// them) hold each word, the tenant being $1.
func (s *Store) messageMatch(words []string, args *[]any) string {
	q := `SELECT DISTINCT conversation_id FROM messages WHERE tenant_id = $1`
	for _, w := range words {
		if s.engine == Postgres {
			*args = append(*args, w+":*")
			q += fmt.Sprintf(` AND conversation_id IN (SELECT conversation_id FROM messages WHERE tenant_id = $1 AND search @@ to_tsquery('simple', $%d))`, len(*args))
		} else {
			*args = append(*args, `"`+w+`"*`)
			q += fmt.Sprintf(` AND conversation_id IN (SELECT m.conversation_id FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
				WHERE messages_fts MATCH $%d AND m.tenant_id = $1)`, len(*args))
		}
	}
	return q
}

// peopleMatch is a condition on personas aliased p (the tenant being $1) that
// holds for the people the query names, "" when it can name nobody:
//   - every word of the folded query is inside the folded name (persona.Fold:
//     "zoe" finds "Zoë Müller", "mull" finds her too), unless the query is a
//     phone number;
//   - or the query, lowercased, is inside one of their identifiers or claims
//     (an email, a reference such as "crm-1042", a handle);
//   - or the query is a phone number, however written, inside one of their
//     phone numbers (persona.PhoneDigits).
//
// Names are compared with the engine's own folding (sb_fold on SQLite,
// normalize/regexp_replace on PostgreSQL), not an index: a scan of the
// tenant's personas, which ADR 0015 measures and bounds.
func (s *Store) peopleMatch(query string, args *[]any) string {
	var or []string
	phone := persona.PhoneDigits(query)
	// A query written as a phone number is not looked for in names (which
	// hold no numbers), saving a folding of every name per digit group.
	if words := SearchWords(persona.Fold(query)); len(words) > 0 && phone == nil {
		// Each name folded once however many words (a materialised CTE is
		// computed once on both engines), then every word looked for in it.
		var and []string
		for _, w := range words {
			*args = append(*args, "%"+w+"%")
			and = append(and, fmt.Sprintf(`f.folded LIKE $%d`, len(*args)))
		}
		or = append(or, `p.id IN (WITH f AS MATERIALIZED (SELECT id, `+s.foldSQL("name")+` AS folded FROM personas WHERE tenant_id = $1)
			SELECT f.id FROM f WHERE `+strings.Join(and, " AND ")+`)`)
	}
	var ident []string
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		*args = append(*args, "%"+likeEscaper.Replace(q)+"%")
		ident = append(ident, fmt.Sprintf(`lower(i.value) LIKE $%d ESCAPE '\'`, len(*args)))
	}
	for _, d := range phone {
		*args = append(*args, "%"+d+"%")
		ident = append(ident, fmt.Sprintf(`(i.kind = 'phone' AND i.value LIKE $%d)`, len(*args)))
	}
	if len(ident) > 0 {
		cond := strings.Join(ident, " OR ")
		// Uncorrelated: one pass over the tenant's identifiers, not a probe per persona.
		or = append(or,
			`p.id IN (SELECT i.persona_id FROM persona_identifiers i WHERE i.tenant_id = $1 AND (`+cond+`))`,
			`p.id IN (SELECT i.persona_id FROM persona_claims i WHERE i.tenant_id = $1 AND (`+cond+`))`)
	}
	return strings.Join(or, " OR ")
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchPersonas returns the tenant's customers (not merged away) that people
// search finds for the query, by name, then id; nothing for an empty query.
// Their identifiers and claims are filled in.
func (s *Store) SearchPersonas(ctx context.Context, tenantID, query string, limit int) ([]persona.Persona, error) {
	args := []any{tenantID}
	people := s.peopleMatch(query, &args)
	if people == "" {
		return []persona.Persona{}, nil
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT `+personaColumns+` FROM personas p
		WHERE p.tenant_id = $1 AND p.merged_into IS NULL AND (%s) ORDER BY p.name, p.id LIMIT $%d`, people, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("search personas: %w", err)
	}
	ps, err := collect(rows, scanPersona)
	if err != nil {
		return nil, fmt.Errorf("search personas: %w", err)
	}
	if ps == nil {
		ps = []persona.Persona{}
	}
	return ps, s.fillIdentifiers(ctx, tenantID, ps)
}

// fillIdentifiers loads each persona's identifiers and claims.
func (s *Store) fillIdentifiers(ctx context.Context, tenantID string, ps []persona.Persona) error {
	for i := range ps {
		var err error
		if ps[i].Identifiers, err = s.Identifiers(ctx, tenantID, ps[i].ID); err != nil {
			return err
		}
		if ps[i].Claims, err = s.Claims(ctx, tenantID, ps[i].ID); err != nil {
			return err
		}
	}
	return nil
}
