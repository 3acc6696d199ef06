package notify

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// DeliveryView is a delivery with its timeline and content: as sent, or,
// before it is sent, as its web page would show it.
type DeliveryView struct {
	notice.Delivery
	Steps   []notice.Step `json:"steps"`
	Subject string        `json:"subject"`
	Body    string        `json:"body"`
	// EventData is what the templates are filled from (the event's data with
	// the recipient's own over it).
	EventData map[string]any `json:"-"`
}

// Deliveries lists the tenant's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, tenantID string, f store.DeliveryFilter, page store.Page) ([]notice.Delivery, error) {
	ds, err := s.db.Deliveries(ctx, tenantID, f, page)
	if ds == nil && err == nil {
		ds = []notice.Delivery{}
	}
	return ds, err
}

// Delivery returns one delivery with its steps and content.
func (s *Service) Delivery(ctx context.Context, tenantID, id string) (DeliveryView, error) {
	d, err := s.db.Delivery(ctx, tenantID, id)
	if err != nil {
		return DeliveryView{}, err
	}
	return s.deliveryView(ctx, d, contentCache{})
}

// contentCache keeps the events and types met while building several views.
type contentCache struct {
	events map[string]notice.Event
	types  map[string]notice.Type
}

func (s *Service) deliveryView(ctx context.Context, d notice.Delivery, c contentCache) (DeliveryView, error) {
	v := DeliveryView{Delivery: d}
	var err error
	if v.Steps, err = s.db.DeliverySteps(ctx, d.TenantID, d.ID); err != nil {
		return v, err
	}
	if v.Subject, v.Body, err = s.db.DeliveryContent(ctx, d.TenantID, d.ID); err != nil {
		return v, err
	}
	ev, ok := c.events[d.EventID]
	if !ok {
		if ev, err = s.db.NotifyEvent(ctx, d.TenantID, d.EventID); err != nil {
			return v, err
		}
		if c.events != nil {
			c.events[d.EventID] = ev
		}
	}
	v.EventData = EventData(ev, d.PersonaID)
	if v.Subject != "" || v.Body != "" {
		return v, nil
	}
	t, ok := c.types[d.Type]
	if !ok {
		if t, err = s.db.NotificationType(ctx, d.TenantID, d.Type); err != nil {
			// The type was deleted since: the content cannot be shown again.
			return v, nil
		}
		if c.types != nil {
			c.types[d.Type] = t
		}
	}
	name := ""
	if ps, err := s.db.NotifyPersonasByID(ctx, d.TenantID, []string{d.PersonaID}); err == nil {
		name = ps[d.PersonaID].Name
	}
	r, err := notice.Render(t, d.Language, prefs.Web, s.Vars(d, v.EventData, name))
	if err == nil {
		v.Subject, v.Body = r.Subject, r.Body
	}
	return v, nil
}

// Vars are the variables a delivery's templates are filled with: its data
// (see EventData) and the center's own — the link to read it, to the
// preference page, to unsubscribe (none for critical notices), the name.
func (s *Service) Vars(d notice.Delivery, data map[string]any, name string) map[string]any {
	var read, prefsLink, unsub string
	if s.links != nil {
		links := s.links.At(d.CreatedAt) // as the sender renders them
		read = links.Read(d.TenantID, d.ID)
		prefsLink = links.Preferences(d.TenantID, d.PersonaID)
		if d.Category != prefs.Critical {
			unsub = links.Unsubscribe(d.TenantID, d.PersonaID, "type:"+d.Type, d.ID)
		}
	}
	return notice.Vars(data, read, prefsLink, unsub, name)
}

// shown are the statuses of a notice the customer sees in the portal: the
// ones that went out (or were tried).
var shown = []string{notice.StatusSent, notice.StatusDelivered, notice.StatusRead, notice.StatusReplied, notice.StatusFailed}

// Notices lists a persona's notices that went out, newest first, with their
// content, for the portal.
func (s *Service) Notices(ctx context.Context, tenantID, personaID string, page store.Page) ([]DeliveryView, error) {
	limit := page.Limit
	if limit <= 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	c := contentCache{events: map[string]notice.Event{}, types: map[string]notice.Type{}}
	out := []DeliveryView{}
	for len(out) < limit {
		ds, err := s.db.Deliveries(ctx, tenantID, store.DeliveryFilter{PersonaID: personaID}, store.Page{After: page.After, Limit: store.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if !slices.Contains(shown, d.Status) {
				continue
			}
			v, err := s.deliveryView(ctx, d, c)
			if err != nil {
				return nil, err
			}
			if out = append(out, v); len(out) == limit {
				break
			}
		}
		if len(ds) < store.MaxPageSize {
			break
		}
		page.After = ds[len(ds)-1].ID
	}
	return out, nil
}

// MarkRead records that the customer opened a delivery's content: a sent
// or delivered notice becomes read, with a step, and the hour counts toward
// the persona's best time. Reading it again changes nothing.
func (s *Service) MarkRead(ctx context.Context, tenantID, deliveryID string) (DeliveryView, error) {
	d, err := s.db.Delivery(ctx, tenantID, deliveryID)
	if err != nil {
		return DeliveryView{}, err
	}
	if d.Status == notice.StatusSent || d.Status == notice.StatusDelivered || d.Status == notice.StatusSending {
		now := s.now()
		err := s.inTx(ctx, func(tx *store.Store) error {
			// Read again inside the transaction: a receipt or a reply may
			// have moved it on. One the sender holds because its
			// confirmation time ran out is read too (its outcome then
			// leaves it read); one it holds to send it first is not out.
			cur, err := tx.Delivery(ctx, tenantID, deliveryID)
			if err != nil {
				return err
			}
			if out, err := tx.AwaitingRead(ctx, tenantID, deliveryID); err != nil || !out {
				return err
			}
			if err := tx.UpdateDeliveries(ctx, []store.DeliveryUpdate{readUpdate(cur, now)}); err != nil {
				return err
			}
			return s.addResponse(ctx, tx, cur, notice.StatusRead, now)
		})
		if err != nil {
			return DeliveryView{}, err
		}
		if d, err = s.db.Delivery(ctx, tenantID, deliveryID); err != nil {
			return DeliveryView{}, err
		}
	}
	return s.deliveryView(ctx, d, contentCache{})
}

// readUpdate marks d read; nothing is due any more (no confirmation is
// awaited once the customer has read it).
func readUpdate(d notice.Delivery, now time.Time) store.DeliveryUpdate {
	return store.DeliveryUpdate{TenantID: d.TenantID, ID: d.ID, Status: notice.StatusRead, Channel: d.Channel,
		ChannelIndex: d.Attempt, Tries: d.Tries, At: now,
		Steps: []notice.Step{{At: now, Status: notice.StatusRead, Channel: d.Channel, Detail: "opened the full content"}}}
}

// addResponse counts a response (a read, a reply) of d's persona in the
// hour of the week it came in, in the persona's zone, for best time.
func (s *Service) addResponse(ctx context.Context, tx *store.Store, d notice.Delivery, how string, now time.Time) error {
	own, err := tx.PersonaPrefs(ctx, d.TenantID, d.PersonaID)
	if err != nil {
		return err
	}
	zone := own.TimeZone
	if zone == "" {
		if ps, err := tx.NotifyPersonasByID(ctx, d.TenantID, []string{d.PersonaID}); err != nil {
			return err
		} else {
			zone = ps[d.PersonaID].TimeZone
		}
	}
	if zone == "" {
		st, err := tx.NotifySettings(ctx, d.TenantID)
		if err != nil {
			return err
		}
		zone = st.Defaults.TimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		loc = time.UTC
	}
	if err := tx.AddResponseHour(ctx, d.TenantID, d.PersonaID, notice.HourOfWeek(now, loc)); err != nil {
		return err
	}
	p, err := tx.Persona(ctx, d.TenantID, d.PersonaID)
	if err != nil {
		return err
	}
	return tx.EmitEvent(ctx, d.TenantID, event.NoticeResponded, Responded{DeliveryID: d.ID, Type: d.Type, Channel: d.Channel,
		How: how, Segment: Segment(p.Attributes), LocalHour: now.In(loc).Hour()}, now)
}

// SegmentAttribute is the persona attribute that names a customer's
// segment for reports ("retail", "business", "premium"): set by the
// business's systems through the API like any attribute.
const SegmentAttribute = "segment"

// Segment is the report segment of a persona with these attributes; "" when
// it has none.
func Segment(attrs map[string]string) string { return strings.TrimSpace(attrs[SegmentAttribute]) }

// Responded is the data of an event.NoticeResponded: a customer read or
// answered a notice, in this local hour of their time zone.
type Responded struct {
	DeliveryID string `json:"delivery_id"`
	Type       string `json:"type"`
	Channel    string `json:"channel"`
	How        string `json:"how"` // read or replied
	Segment    string `json:"segment"`
	LocalHour  int    `json:"local_hour"`
}
