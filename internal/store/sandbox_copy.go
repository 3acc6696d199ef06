package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/ids"
)

// copiedTable is one table of a tenant's configuration that a sandbox copy
// takes: idColumn names its own id, which the copy gets afresh; where limits
// the rows (a condition on the tenant's rows, no parameters).
type copiedTable struct {
	name, idColumn, where string
}

// configTables are what a sandbox copy takes, parents before children: the
// people (so queues, skills and personal canned responses keep their owners),
// routing (queues, hours, SLAs, profiles, presence states), the desk's canned
// responses and macros, notification types with their templates and
// settings, and web chat widgets. No customer, conversation, message,
// notice, consent, session, API key or webhook: nothing about customers, and
// nothing that would reach outside. Mail addresses and SMS numbers stay with
// the original: they route real inbound traffic to it.
var configTables = []copiedTable{
	{name: "users", idColumn: "id"},
	{name: "calendars", idColumn: "id"},
	{name: "sla_policies", idColumn: "id"},
	{name: "routing_queues", idColumn: "id"},
	{name: "routing_rules", idColumn: "id"},
	{name: "routing_agents"},
	{name: "presence_states"},
	{name: "canned_responses", idColumn: "id"},
	{name: "macros", idColumn: "id"},
	{name: "notification_types"},
	{name: "notify_settings"},
	{name: "channel_accounts", idColumn: "id", where: "channel = 'webchat'"},
}

// CopyConfig copies the configuration of tenant from into tenant to (made
// already, empty), inside the caller's transaction. Every row gets fresh ids,
// and every reference to a copied id — a queue's calendar, an agent's queues,
// a personal canned response's owner — points at the copy's. fresh gives each
// copied widget its new public key and identity secret, since a widget's key
// is unique across the center. It returns how many rows it copied per table.
func (s *Store) CopyConfig(ctx context.Context, from, to string, fresh func(table, column string) string) (map[string]int, error) {
	type row struct {
		table copiedTable
		cols  []string
		vals  []any
	}
	var rows []row
	remap := map[string]string{from: to}
	for _, t := range configTables {
		q := `SELECT * FROM ` + t.name + ` WHERE tenant_id = $1`
		if t.where != "" {
			q += ` AND ` + t.where
		}
		rs, err := s.w.QueryContext(ctx, q, from)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		cols, err := rs.Columns()
		if err != nil {
			rs.Close()
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return nil, fmt.Errorf("copy %s: %w", t.name, err)
			}
			for i, c := range cols {
				if b, ok := vals[i].([]byte); ok { // text as some drivers scan it
					vals[i] = string(b)
				}
				if c == t.idColumn {
					if old, ok := vals[i].(string); ok {
						remap[old] = ids.New()
					}
				}
			}
			rows = append(rows, row{table: t, cols: cols, vals: vals})
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	counts := map[string]int{}
	for _, r := range rows {
		marks := make([]string, len(r.cols))
		for i, c := range r.cols {
			marks[i] = fmt.Sprintf("$%d", i+1)
			v, ok := r.vals[i].(string)
			if !ok {
				continue
			}
			if nv := fresh(r.table.name, c); nv != "" {
				r.vals[i] = nv
				continue
			}
			r.vals[i] = replaceIDs(v, remap)
		}
		q := `INSERT INTO ` + r.table.name + ` (` + strings.Join(r.cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`
		if _, err := s.w.ExecContext(ctx, q, r.vals...); err != nil {
			return nil, fmt.Errorf("copy %s: %w", r.table.name, err)
		}
		counts[r.table.name]++
	}
	return counts, nil
}

// replaceIDs swaps every copied id in v for its copy's. Ids are UUIDs, so one
// never stands inside another text by chance.
func replaceIDs(v string, remap map[string]string) string {
	if v == "" {
		return v
	}
	if nv, ok := remap[v]; ok {
		return nv
	}
	for old, nv := range remap {
		if strings.Contains(v, old) {
			v = strings.ReplaceAll(v, old, nv)
		}
	}
	return v
}
