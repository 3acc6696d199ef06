package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/notice"
)

// deliveryColumnList is every column a Delivery is read from and inserted into.
var deliveryColumnList = []string{"tenant_id", "id", "event_id", "persona_id", "type_key", "category", "channels",
	"channel_index", "channel", "status", "due_at", "expires_at", "tries", "reasons", "broke_quiet", "language",
	"retrieval", "response", "reply_expected", "external_id", "conversation_id", "created_at", "updated_at"}

var deliveryColumns = strings.Join(deliveryColumnList, ", ")

// deliveryColumnsOf is deliveryColumns qualified by a table alias.
func deliveryColumnsOf(alias string) string {
	return alias + "." + strings.Join(deliveryColumnList, ", "+alias+".")
}

// scanDelivery reads deliveryColumns, then any extra destinations.
func scanDelivery(row interface{ Scan(...any) error }, extra ...any) (notice.Delivery, error) {
	var d notice.Delivery
	var channels, reasons string
	var due, expires sql.NullInt64
	var created, updated int64
	dest := append([]any{&d.TenantID, &d.ID, &d.EventID, &d.PersonaID, &d.Type, &d.Category, &channels,
		&d.Attempt, &d.Channel, &d.Status, &due, &expires, &d.Tries, &reasons, &d.BrokeQuietHours, &d.Language,
		&d.Retrieval, &d.Response, &d.ReplyExpected, &d.ExternalID, &d.ConversationID, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return d, err
	}
	d.DueAt, d.ExpiresAt = fromMicros(due.Int64), fromMicros(expires.Int64)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(channels), &d.Channels); err != nil {
		return d, fmt.Errorf("delivery %s channels: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(reasons), &d.Reasons); err != nil {
		return d, fmt.Errorf("delivery %s reasons: %w", d.ID, err)
	}
	return d, nil
}

// dueAt is the stored form of a delivery's due time: a pending delivery
// without one is due at once (0); any other without one waits for nothing a
// worker does (NULL).
func dueAt(status string, t time.Time) sql.NullInt64 {
	if t.IsZero() && status == notice.StatusPending {
		return sql.NullInt64{Valid: true}
	}
	return nullMicros(t)
}

// insertChunkSizes are the row counts of one multi-row INSERT: the big one
// for bulk, the smaller ones for the rest, so a few statements are prepared
// and reused whatever the count. 500 rows × 23 columns stays well inside
// SQLite's 32766 parameters.
var insertChunkSizes = []int{500, 100, 10, 1}

var insertDeliverySQL sync.Map // insertKey → statement text

type insertKey struct {
	engine Engine
	rows   int
}

// insertDeliveriesQuery is the INSERT of rows deliveries. On SQLite its
// parameters are plain "?": the driver looks up the name of every numbered
// parameter in a list as long as the parameters, which makes binding 11,500
// "$n" quadratic and slower than the insert itself.
func insertDeliveriesQuery(engine Engine, rows int) string {
	key := insertKey{engine, rows}
	if q, ok := insertDeliverySQL.Load(key); ok {
		return q.(string)
	}
	cols := len(deliveryColumnList)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO notify_deliveries (" + deliveryColumns + ") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		if engine == Postgres {
			row = "(" + placeholders(1+r*cols, cols) + ")"
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (tenant_id, event_id, persona_id) DO NOTHING")
	q := b.String()
	insertDeliverySQL.Store(key, q)
	return q
}

// InsertDeliveries stores deliveries in multi-row INSERTs. A delivery for a
// persona that already has one for the event is skipped. It runs on the store
// it is called on: call it inside a transaction (a few thousand rows each) for
// speed and for all-or-nothing.
func (s *Store) InsertDeliveries(ctx context.Context, ds []notice.Delivery) error {
	cols := len(deliveryColumnList)
	args := make([]any, 0, insertChunkSizes[0]*cols)
	for len(ds) > 0 {
		n := insertChunkSizes[len(insertChunkSizes)-1]
		for _, size := range insertChunkSizes {
			if len(ds) >= size {
				n = size
				break
			}
		}
		args = args[:0]
		for _, d := range ds[:n] {
			args = append(args, d.TenantID, d.ID, d.EventID, d.PersonaID, d.Type, string(d.Category), jsonOf(d.Channels, "[]"),
				d.Attempt, d.Channel, d.Status, dueAt(d.Status, d.DueAt), nullMicros(d.ExpiresAt), d.Tries, jsonOf(d.Reasons, "[]"),
				d.BrokeQuietHours, d.Language, d.Retrieval, d.Response, d.ReplyExpected, d.ExternalID, d.ConversationID,
				micros(d.CreatedAt), micros(d.UpdatedAt))
		}
		if _, err := s.w.ExecContext(ctx, insertDeliveriesQuery(s.engine, n), args...); err != nil {
			return fmt.Errorf("insert deliveries: %w", err)
		}
		ds = ds[n:]
	}
	return nil
}

// Delivery returns one of the tenant's deliveries.
func (s *Store) Delivery(ctx context.Context, tenantID, id string) (notice.Delivery, error) {
	d, err := scanDelivery(s.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM notify_deliveries
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return d, notFound("delivery "+id, err)
	}
	return d, nil
}

// heldForConfirmation is a delivery that went out and whose confirmation
// time ran out: the sender holds it while it moves it to its next channel.
// The customer's reply or read still answers it (AwaitingReply,
// AwaitingRead).
const heldForConfirmation = `(status = 'sending' AND claimed_from = 'sent')`

// AwaitingRead tells whether a delivery is out and not yet read or
// replied to: sent, delivered, or held for its confirmation timeout.
func (s *Store) AwaitingRead(ctx context.Context, tenantID, id string) (bool, error) {
	var ok bool
	err := s.r.QueryRowContext(ctx, `SELECT status IN ('sent', 'delivered') OR `+heldForConfirmation+`
		FROM notify_deliveries WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&ok)
	if err != nil {
		return false, notFound("delivery "+id, err)
	}
	return ok, nil
}

// DeliveryContent returns the subject and body a delivery was sent with;
// empty until it is sent.
func (s *Store) DeliveryContent(ctx context.Context, tenantID, id string) (subject, body string, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT subject, body FROM notify_deliveries WHERE tenant_id = $1 AND id = $2`,
		tenantID, id).Scan(&subject, &body)
	if err != nil {
		return "", "", notFound("delivery "+id, err)
	}
	return subject, body, nil
}

// DeliveryFilter narrows a list of deliveries; empty fields match all.
type DeliveryFilter struct {
	PersonaID, EventID, Status string
}

// Deliveries lists the tenant's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, tenantID string, f DeliveryFilter, page Page) ([]notice.Delivery, error) {
	// Only the conditions in use go into the query, so each shape gets the
	// index it needs.
	q := `SELECT ` + deliveryColumns + ` FROM notify_deliveries WHERE tenant_id = $1`
	args := []any{tenantID}
	for _, c := range []struct{ col, op, v string }{
		{"persona_id", "=", f.PersonaID}, {"event_id", "=", f.EventID}, {"status", "=", f.Status}, {"id", "<", page.After},
	} {
		if c.v != "" {
			args = append(args, c.v)
			q += fmt.Sprintf(" AND %s %s $%d", c.col, c.op, len(args))
		}
	}
	args = append(args, page.limit())
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (notice.Delivery, error) { return scanDelivery(r) })
}

// DeliverySteps returns a delivery's timeline after the decision, in order.
func (s *Store) DeliverySteps(ctx context.Context, tenantID, id string) ([]notice.Step, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT at, status, channel, detail FROM notify_steps
		WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY seq`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("delivery steps: %w", err)
	}
	steps, err := collect(rows, func(r interface{ Scan(...any) error }) (notice.Step, error) {
		var st notice.Step
		var at int64
		err := r.Scan(&at, &st.Status, &st.Channel, &st.Detail)
		st.At = fromMicros(at)
		return st, err
	})
	if steps == nil && err == nil {
		steps = []notice.Step{}
	}
	return steps, err
}

// DeliveryUpdate is a change to one delivery. Status, ChannelIndex, Tries and
// DueAt are always written (DueAt as for InsertDeliveries); Channel,
// ExternalID, Subject, Body and ConversationID only when not empty. The lease
// is released. Steps are appended to the timeline. Claim, when set, is the
// claim the outcome comes from (notice.Delivery.Claim): the update is written
// only while that claim is the delivery's latest, and is ErrLeaseLost when
// another worker has claimed it since.
type DeliveryUpdate struct {
	Claim                                     int64
	TenantID, ID                              string
	Status, Channel                           string
	ChannelIndex, Tries                       int
	DueAt                                     time.Time
	ExternalID, Subject, Body, ConversationID string
	Steps                                     []notice.Step
	At                                        time.Time
}

// UpdateDeliveries writes a batch of changes in one transaction.
func (db *DB) UpdateDeliveries(ctx context.Context, ups []DeliveryUpdate) error {
	return db.InTx(ctx, func(s *Store, _ *sql.Tx) error { return s.UpdateDeliveries(ctx, ups) })
}

// UpdateDeliveries writes a batch of changes on this store (inside the
// caller's transaction); a delivery that does not exist is ErrNotFound.
func (s *Store) UpdateDeliveries(ctx context.Context, ups []DeliveryUpdate) error {
	var evs []pendingEvent
	for _, u := range ups {
		var typeKey, status string
		err := s.w.QueryRowContext(ctx, `UPDATE notify_deliveries SET
			status = CASE WHEN `+responseHolds+` THEN status ELSE CAST($3 AS TEXT) END,
			channel = CASE WHEN $4 = '' THEN channel ELSE $4 END, channel_index = $5, tries = $6,
			due_at = CASE WHEN `+responseHolds+` THEN NULL ELSE CAST($7 AS BIGINT) END,
			lease_until = NULL, claimed_from = '',
			external_id = CASE WHEN $8 = '' THEN external_id ELSE $8 END,
			subject = CASE WHEN $9 = '' THEN subject ELSE $9 END,
			body = CASE WHEN $10 = '' THEN body ELSE $10 END,
			conversation_id = CASE WHEN $11 = '' THEN conversation_id ELSE $11 END,
			updated_at = $12
			WHERE tenant_id = $1 AND id = $2 AND (CAST($13 AS BIGINT) = 0 OR claims = $13) RETURNING type_key, channel, status`,
			u.TenantID, u.ID, u.Status, u.Channel, u.ChannelIndex, u.Tries, dueAt(u.Status, u.DueAt),
			u.ExternalID, u.Subject, u.Body, u.ConversationID, micros(u.At), u.Claim).Scan(&typeKey, &u.Channel, &status)
		if err != nil {
			err = notFound("update delivery "+u.ID, err)
			if u.Claim != 0 && errors.Is(err, ErrNotFound) {
				if _, gone := s.Delivery(ctx, u.TenantID, u.ID); gone == nil {
					return fmt.Errorf("delivery %s, claim %d: %w", u.ID, u.Claim, ErrLeaseLost)
				}
			}
			return err
		}
		if err := s.appendSteps(ctx, u.TenantID, u.ID, u.Steps); err != nil {
			return err
		}
		if at := u.At; countedStatus(u.Status) && status == u.Status { // (not a status a response held off)
			if at.IsZero() && len(u.Steps) > 0 {
				at = u.Steps[0].At
			}
			evs = append(evs, pendingEvent{u.TenantID, event.NoticeStatus, noticeStatus{DeliveryID: u.ID, Type: typeKey,
				Channel: u.Channel, Status: u.Status}, at})
		}
	}
	return s.emitEvents(ctx, evs)
}

// responseHolds tells, in UpdateDeliveries, that the delivery's status is
// a customer's response the update's status ($3) would undo: a reply over
// anything else, a read over what the sender and the providers' receipts
// write. The sender's outcome written after a reply that came while it held
// the notice (its confirmation timeout), or a "delivered" receipt later than
// the read, once did. The rest of the update is written: what was done
// stays in the steps, and nothing is due any more.
const responseHolds = `(status = 'replied' AND CAST($3 AS TEXT) <> 'replied'
	OR status = 'read' AND CAST($3 AS TEXT) NOT IN ('read', 'replied'))`

// noticeStatus is the data of an event.NoticeStatus.
type noticeStatus struct {
	DeliveryID string `json:"delivery_id"`
	Type       string `json:"type"`
	Channel    string `json:"channel"`
	Status     string `json:"status"`
}

// countedStatus tells the statuses reports count (event.NoticeStatus).
func countedStatus(status string) bool {
	switch status {
	case notice.StatusSent, notice.StatusDelivered, notice.StatusRead, notice.StatusReplied, notice.StatusFailed:
		return true
	}
	return false
}

// appendSteps adds steps after a delivery's last one.
func (s *Store) appendSteps(ctx context.Context, tenantID, deliveryID string, steps []notice.Step) error {
	for _, st := range steps {
		_, err := s.w.ExecContext(ctx, `INSERT INTO notify_steps (tenant_id, delivery_id, seq, at, status, channel, detail)
			SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, CAST($3 AS BIGINT), $4, $5, $6 FROM notify_steps
			WHERE tenant_id = $1 AND delivery_id = $2`, tenantID, deliveryID, micros(st.At), st.Status, st.Channel, st.Detail)
		if err != nil {
			return fmt.Errorf("delivery %s step: %w", deliveryID, err)
		}
	}
	return nil
}

// DeliveryByExternalID finds the delivery a provider's receipt is about.
func (s *Store) DeliveryByExternalID(ctx context.Context, tenantID, channel, externalID string) (notice.Delivery, error) {
	if externalID == "" {
		return notice.Delivery{}, fmt.Errorf("delivery by empty external id: %w", ErrNotFound)
	}
	// No ORDER BY: with one, SQLite walks the tenant's rows in id order
	// instead of using the external id index.
	d, err := scanDelivery(s.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM notify_deliveries
		WHERE tenant_id = $1 AND channel = $2 AND external_id = $3 AND external_id <> '' LIMIT 1`, tenantID, channel, externalID))
	if err != nil {
		return d, notFound("delivery with "+channel+" id "+externalID, err)
	}
	return d, nil
}

// AwaitingReply lists a persona's deliveries that expect a reply and went out
// (sent, delivered or read) since the given time, newest first.
func (s *Store) AwaitingReply(ctx context.Context, tenantID, personaID string, since time.Time) ([]notice.Delivery, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM notify_deliveries
		WHERE tenant_id = $1 AND persona_id = $2 AND created_at >= $3 AND reply_expected
			AND (status IN ('sent', 'delivered', 'read') OR `+heldForConfirmation+`)
		ORDER BY created_at DESC, id DESC`, tenantID, personaID, micros(since))
	if err != nil {
		return nil, fmt.Errorf("deliveries awaiting reply: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (notice.Delivery, error) { return scanDelivery(r) })
}

// CountRecent counts, per persona, the deliveries of a category ("" for all)
// decided since the given time that were not held back (suppressed,
// cancelled, expired): what frequency caps count. Personas with none are
// absent.
func (s *Store) CountRecent(ctx context.Context, tenantID string, personaIDs []string, category string, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	err := eachIDChunk(personaIDs, func(chunk []string) error {
		n := len(chunk)
		rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT persona_id, COUNT(*) FROM notify_deliveries
			WHERE tenant_id = $1 AND persona_id IN (%s) AND created_at >= $%d AND ($%d = '' OR category = $%d)
				AND status NOT IN ('suppressed', 'cancelled', 'expired')
			GROUP BY persona_id`, placeholders(2, n), n+2, n+3, n+3), idArgs(tenantID, chunk, micros(since), category)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var c int
			if err := rows.Scan(&id, &c); err != nil {
				return err
			}
			out[id] = c
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("count recent deliveries: %w", err)
	}
	return out, nil
}
