package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// traceStatements remove what mentions a persona outside its own rows ($1
// tenant, $2 a JSON array of its marks: its id, its conversations' ids, its
// identifiers): the realtime events and the webhook deliveries that carried
// its data (their attempts go with them), attempts whose answer echoed it,
// and stored responses to idempotent requests. These hold copies of the
// persona's data in free-form JSON with no column to select by, so they are
// found by what they contain — one pass over each table for all the marks.
var traceStatements = []string{
	`DELETE FROM events WHERE tenant_id = $1 AND ` + containsAny("payload"),
	`DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND ` + containsAny("payload"),
	`DELETE FROM webhook_attempts WHERE tenant_id = $1 AND ` + containsAny("response_body"),
	// A stored response is sealed: found by the ids it names (refs), its
	// path, or its owner (a portal customer's identifier).
	`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND (` + containsAny("response_body") + ` OR ` + containsAny("refs") +
		` OR ` + containsAny("path") + ` OR ` + containsAny("principal_id") + `)`,
	// The audit log keeps that something was done, by whom, to which id,
	// but not the persona's data in its detail.
	`UPDATE audit_log SET detail = '{"erased":true}' WHERE tenant_id = $1 AND ` + containsAny("detail"),
}

// containsAny is "column contains one of the marks in $2" (SQLite's
// spelling; forEngine turns it into PostgreSQL's). instr and strpos take the
// text as is, where LIKE would read % and _ in an email as wildcards.
func containsAny(column string) string {
	return "EXISTS (SELECT 1 FROM json_each($2) m WHERE instr(" + column + ", m.value) > 0)"
}

// forEngine rewrites a trace statement for PostgreSQL.
func forEngine(e Engine, q string) string {
	if e != Postgres {
		return q
	}
	q = strings.ReplaceAll(q, "json_each($2) m", "jsonb_array_elements_text($2::jsonb) m(value)")
	return strings.ReplaceAll(q, "instr(", "strpos(")
}

// personaMarks returns what identifies a persona in free-form data: its id,
// its conversations' ids and its identifiers' values, each also as JSON would
// escape it.
func (s *Store) personaMarks(ctx context.Context, tenantID, personaID string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM conversations WHERE tenant_id = $1 AND persona_id = $2
		UNION SELECT value FROM persona_identifiers WHERE tenant_id = $1 AND persona_id = $2
		UNION SELECT value FROM persona_claims WHERE tenant_id = $1 AND persona_id = $2`, tenantID, personaID)
	if err != nil {
		return nil, fmt.Errorf("erase persona %s: marks: %w", personaID, err)
	}
	found, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var v string
		return v, r.Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("erase persona %s: marks: %w", personaID, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, v := range append([]string{personaID}, found...) {
		b, _ := json.Marshal(v)
		for _, m := range []string{v, strings.Trim(string(b), `"`)} {
			// A mark of a character or two would match unrelated rows.
			if len(m) >= 4 && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// eraseTraces removes the persona's marks from the places traceStatements
// name. It runs before the rows the marks are read from are deleted.
func (s *Store) eraseTraces(ctx context.Context, tenantID, personaID string) error {
	marks, err := s.personaMarks(ctx, tenantID, personaID)
	if err != nil {
		return err
	}
	list, err := json.Marshal(marks)
	if err != nil {
		return fmt.Errorf("erase persona %s: traces: %w", personaID, err)
	}
	for _, q := range traceStatements {
		if _, err := s.w.ExecContext(ctx, forEngine(s.engine, q), tenantID, string(list)); err != nil {
			return fmt.Errorf("erase persona %s: traces: %w", personaID, err)
		}
	}
	return nil
}
