package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// DeliverArgs is the job that sends one delivery. It names the delivery only:
// payload and secret are read from the database when the job runs, so neither
// sits in the job table nor in River's logs.
type DeliverArgs struct {
	TenantID   string `json:"tenant_id"`
	DeliveryID string `json:"delivery_id"`
}

// Kind names the job for River.
func (DeliverArgs) Kind() string { return "webhook_delivery" }

// activeJobStates are the states in which a delivery's job counts as in flight:
// a replay is refused while one exists. Completed and discarded jobs do not
// count, so a delivery can be replayed as soon as its last job ended.
var activeJobStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

func (s *Service) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{
		MaxAttempts: s.cfg.MaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: activeJobStates},
	}
}

// payload is the body every receiver gets.
type payload struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

func newDelivery(ev event.Event, endpointID string, now time.Time) (store.WebhookDelivery, error) {
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	body, err := json.Marshal(payload{ID: ev.ID, Type: ev.Type, CreatedAt: ev.At.UTC(), Data: data})
	if err != nil {
		return store.WebhookDelivery{}, fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	return store.WebhookDelivery{ID: ids.New(), TenantID: ev.TenantID, EndpointID: endpointID, EventID: ev.ID,
		EventType: ev.Type, Payload: body, Status: StatusPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}, nil
}

// FanoutTx makes one delivery, and enqueues its job, for each of the tenant's
// active endpoints subscribed to ev.Type — all inside the caller's transaction,
// so the event and its deliveries commit together or not at all. Use s and tx
// only: on SQLite the pools would wait for the connection tx holds.
func (s *Service) FanoutTx(ctx context.Context, st *store.Store, tx *sql.Tx, ev event.Event) error {
	endpoints, err := st.ActiveWebhookEndpoints(ctx, ev.TenantID)
	if err != nil {
		return fmt.Errorf("webhook fanout %s: %w", ev.Type, err)
	}
	now := s.now()
	for _, e := range endpoints {
		if !Subscribed(e.EventTypes, ev.Type) {
			continue
		}
		if _, err := s.enqueueTx(ctx, st, tx, ev, e.ID, now); err != nil {
			return fmt.Errorf("webhook fanout %s: %w", ev.Type, err)
		}
	}
	return nil
}

func (s *Service) enqueueTx(ctx context.Context, st *store.Store, tx *sql.Tx, ev event.Event, endpointID string, now time.Time) (store.WebhookDelivery, error) {
	d, err := newDelivery(ev, endpointID, now)
	if err != nil {
		return d, err
	}
	if err := st.CreateWebhookDelivery(ctx, ev.TenantID, d); err != nil {
		return d, err
	}
	if err := s.queue.InsertTx(ctx, tx, DeliverArgs{TenantID: ev.TenantID, DeliveryID: d.ID}, s.insertOpts()); err != nil {
		return d, err
	}
	return d, nil
}

// Ping sends a webhook.ping event to one endpoint, whatever it subscribed to, so
// a tenant can check its receiver. The endpoint must be active.
func (s *Service) Ping(ctx context.Context, tenantID, endpointID string) (Delivery, error) {
	var d store.WebhookDelivery
	err := s.store.InTx(ctx, func(st *store.Store, tx *sql.Tx) error {
		e, err := st.WebhookEndpoint(ctx, tenantID, endpointID)
		if err != nil {
			return err
		}
		if !e.Active {
			return &tenant.FieldError{Field: "active", Reason: "the endpoint is disabled; enable it first"}
		}
		now := s.now()
		data, _ := json.Marshal(map[string]string{"endpoint_id": endpointID})
		ev := event.Event{ID: ids.New(), TenantID: tenantID, Type: event.WebhookPing, Data: data, At: now}
		d, err = s.enqueueTx(ctx, st, tx, ev, endpointID, now)
		return err
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("ping webhook endpoint %s: %w", endpointID, err)
	}
	return Delivery(d), nil
}

// Replay sends a delivery again, with the same id and body, as a new job with a
// fresh count of attempts. It is refused with store.ErrConflict while the
// delivery still has a job queued, retrying or running.
func (s *Service) Replay(ctx context.Context, tenantID, deliveryID string) (Delivery, error) {
	var d store.WebhookDelivery
	err := s.store.InTx(ctx, func(st *store.Store, tx *sql.Tx) error {
		cur, err := st.WebhookDelivery(ctx, tenantID, deliveryID)
		if err != nil {
			return err
		}
		e, err := st.WebhookEndpoint(ctx, tenantID, cur.EndpointID)
		if err != nil {
			return err
		}
		if !e.Active {
			return &tenant.FieldError{Field: "active", Reason: "the endpoint is disabled; enable it first"}
		}
		if err := st.RequeueWebhookDelivery(ctx, tenantID, deliveryID, s.now()); err != nil {
			return err
		}
		err = s.queue.InsertTx(ctx, tx, DeliverArgs{TenantID: tenantID, DeliveryID: deliveryID}, s.insertOpts())
		if errors.Is(err, jobs.ErrDuplicate) {
			return fmt.Errorf("delivery is still in flight: %w", store.ErrConflict)
		}
		if err != nil {
			return err
		}
		d, err = st.WebhookDelivery(ctx, tenantID, deliveryID)
		return err
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("replay webhook delivery %s: %w", deliveryID, err)
	}
	s.log.InfoContext(ctx, "webhook delivery replayed", "tenant_id", tenantID, "delivery_id", deliveryID)
	return Delivery(d), nil
}

// ListDeliveries returns a page of an endpoint's deliveries, newest first; pass
// the last id as page.After for the next page.
func (s *Service) ListDeliveries(ctx context.Context, tenantID, endpointID string, page store.Page) ([]Delivery, error) {
	// Ask for the endpoint first, so another tenant's id is not found rather
	// than an empty list.
	if _, err := s.store.WebhookEndpoint(ctx, tenantID, endpointID); err != nil {
		return nil, err
	}
	rows, err := s.store.WebhookDeliveries(ctx, tenantID, endpointID, page)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = Delivery(r)
	}
	return out, nil
}

// GetDelivery returns the tenant's delivery and its attempts, oldest first.
func (s *Service) GetDelivery(ctx context.Context, tenantID, id string) (Delivery, []Attempt, error) {
	d, err := s.store.WebhookDelivery(ctx, tenantID, id)
	if err != nil {
		return Delivery{}, nil, err
	}
	rows, err := s.store.WebhookAttempts(ctx, tenantID, id)
	if err != nil {
		return Delivery{}, nil, err
	}
	attempts := make([]Attempt, len(rows))
	for i, r := range rows {
		attempts[i] = Attempt(r)
	}
	return Delivery(d), attempts, nil
}
