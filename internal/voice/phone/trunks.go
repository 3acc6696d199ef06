package phone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// Trunk is a tenant's SIP trunk as the API shows it: never its password,
// only whether one is set.
type Trunk struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Provider    string    `json:"provider"`
	Transport   string    `json:"transport"`
	Username    string    `json:"username"`
	PasswordSet bool      `json:"password_set"`
	Register    bool      `json:"register"`
	AcceptFrom  []string  `json:"accept_from"`
	Numbers     []Number  `json:"numbers"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Number is one of a trunk's numbers and where its calls go.
type Number struct {
	Number string `json:"number"`
	// QueueID takes the calls when there is no menu, and the menu's
	// "operator" (and what a failed menu falls back to).
	QueueID string `json:"queue_id"`
	// CalendarID names the business hours; outside them callers hear the
	// menu's closed text and reach voicemail. "" is always open.
	CalendarID string `json:"calendar_id,omitempty"`
	// Menu is the keypad menu (internal/voice/ivr's JSON), absent or null
	// for none.
	Menu json.RawMessage `json:"menu,omitempty"`
}

// TrunkInput is what an admin writes; Password nil keeps the stored one on
// update ("" clears it).
type TrunkInput struct {
	Name       string   `json:"name"`
	Provider   string   `json:"provider"`
	Transport  string   `json:"transport"`
	Username   string   `json:"username"`
	Password   *string  `json:"password"`
	Register   bool     `json:"register"`
	AcceptFrom []string `json:"accept_from"`
	Numbers    []Number `json:"numbers"`
}

// maxNumbers bounds a trunk's numbers; a bigger range is several trunks.
const maxNumbers = 100

func field(name, reason string) error { return &tenant.FieldError{Field: name, Reason: reason} }

// check validates the input against the trunk rules (sip.Trunk.Validate),
// the menus (ivr) and the tenant's queues and calendars.
func (s *Service) check(ctx context.Context, tenantID string, in TrunkInput, password string) (sip.Trunk, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return sip.Trunk{}, field("name", "a trunk needs a name")
	}
	if err := textfield.Line("name", in.Name, textfield.MaxTitle); err != nil {
		return sip.Trunk{}, err
	}
	if len(in.Numbers) == 0 {
		return sip.Trunk{}, field("numbers", "a trunk brings in at least one number")
	}
	if len(in.Numbers) > maxNumbers {
		return sip.Trunk{}, field("numbers", fmt.Sprintf("at most %d numbers per trunk", maxNumbers))
	}
	t := sip.Trunk{TenantID: tenantID, Provider: in.Provider, Transport: in.Transport, Username: in.Username,
		Password: password, Register: in.Register}
	for i, a := range in.AcceptFrom {
		p, err := parsePrefix(a)
		if err != nil {
			return sip.Trunk{}, field(fmt.Sprintf("accept_from.%d", i), err.Error())
		}
		t.AcceptFrom = append(t.AcceptFrom, p)
	}
	seen := map[string]bool{}
	for _, n := range in.Numbers {
		if seen[n.Number] {
			return sip.Trunk{}, field("numbers", n.Number+" is listed twice")
		}
		seen[n.Number] = true
		t.Numbers = append(t.Numbers, n.Number)
	}
	if err := t.Validate(); err != nil {
		name, reason, ok := strings.Cut(err.Error(), ": ")
		if !ok {
			return sip.Trunk{}, field("trunk", err.Error())
		}
		return sip.Trunk{}, field(name, reason)
	}
	if len(t.AcceptFrom) == 0 && (t.Username == "" || t.Password == "") {
		return sip.Trunk{}, field("accept_from", "give the provider's addresses, or a username and password it authenticates with: a trunk with neither takes no call")
	}
	for i, n := range in.Numbers {
		path := fmt.Sprintf("numbers.%d.", i)
		if err := s.checkQueue(ctx, tenantID, path+"queue_id", n.QueueID); err != nil {
			return sip.Trunk{}, err
		}
		if n.QueueID == "" {
			return sip.Trunk{}, field(path+"queue_id", "name the queue its calls go to")
		}
		if n.CalendarID != "" {
			if _, err := s.routing.Calendar(ctx, tenantID, n.CalendarID); errors.Is(err, store.ErrNotFound) {
				return sip.Trunk{}, field(path+"calendar_id", "no such calendar")
			} else if err != nil {
				return sip.Trunk{}, err
			}
		}
		if m := menuOf(n); m != nil {
			menu, err := ivr.ParseMenu(m)
			if err != nil {
				var fe *tenant.FieldError
				if errors.As(err, &fe) {
					return sip.Trunk{}, field(path+"menu."+fe.Field, fe.Reason)
				}
				return sip.Trunk{}, field(path+"menu", err.Error())
			}
			for _, q := range menuQueues(&menu.Menu, "menu") {
				if err := s.checkQueue(ctx, tenantID, path+"menu."+q[0], q[1]); err != nil {
					return sip.Trunk{}, err
				}
			}
		}
	}
	return t, nil
}

func (s *Service) checkQueue(ctx context.Context, tenantID, path, id string) error {
	if id == "" {
		return nil
	}
	if _, err := s.routing.Queue(ctx, tenantID, id); errors.Is(err, store.ErrNotFound) {
		return field(path, "no such queue")
	} else if err != nil {
		return err
	}
	return nil
}

// menuQueues lists the queue actions of a menu tree as (path, queue id).
func menuQueues(n *ivr.Node, path string) [][2]string {
	var out [][2]string
	if n.Action != nil && n.Action.Type == ivr.ActionQueue {
		out = append(out, [2]string{path + ".action.queue", n.Action.Queue})
	}
	if n.Next != nil {
		out = append(out, menuQueues(n.Next, path+".next")...)
	}
	for k, o := range n.Options {
		if o != nil {
			out = append(out, menuQueues(o, path+".options."+k)...)
		}
	}
	return out
}

// menuOf is a number's menu JSON, nil for none (absent or null).
func menuOf(n Number) json.RawMessage {
	m := bytes.TrimSpace(n.Menu)
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return m
}

func parsePrefix(a string) (netip.Prefix, error) {
	a = strings.TrimSpace(a)
	if p, err := netip.ParsePrefix(a); err == nil {
		return p.Masked(), nil
	}
	if ip, err := netip.ParseAddr(a); err == nil {
		return netip.PrefixFrom(ip, ip.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not an address or prefix (203.0.113.7, 203.0.113.0/24)", a)
}

// CreateTrunk stores a new trunk for the tenant.
func (s *Service) CreateTrunk(ctx context.Context, tenantID string, in TrunkInput) (Trunk, error) {
	password := ""
	if in.Password != nil {
		password = *in.Password
	}
	t, err := s.check(ctx, tenantID, in, password)
	if err != nil {
		return Trunk{}, err
	}
	now := s.clock.Now()
	rec, err := s.record(ids.New(), tenantID, in, t, now)
	if err != nil {
		return Trunk{}, err
	}
	rec.CreatedAt = now
	if err := s.db.CreatePhoneTrunk(ctx, rec); err != nil {
		return Trunk{}, numberTaken(err)
	}
	s.log.Info("phone trunk created", "tenant_id", tenantID, "trunk_id", rec.ID, "numbers", len(rec.Numbers))
	return s.Trunk(ctx, tenantID, rec.ID)
}

// UpdateTrunk replaces a trunk's settings and numbers; a nil password
// keeps the one stored.
func (s *Service) UpdateTrunk(ctx context.Context, tenantID, id string, in TrunkInput) (Trunk, error) {
	old, err := s.db.PhoneTrunk(ctx, tenantID, id)
	if err != nil {
		return Trunk{}, err
	}
	password := ""
	if in.Password != nil {
		password = *in.Password
	} else if old.PasswordSealed != "" {
		if password, err = s.box.Open(id, old.PasswordSealed); err != nil {
			return Trunk{}, fmt.Errorf("phone trunk %s: open password: %w", id, err)
		}
	}
	t, err := s.check(ctx, tenantID, in, password)
	if err != nil {
		return Trunk{}, err
	}
	rec, err := s.record(id, tenantID, in, t, s.clock.Now())
	if err != nil {
		return Trunk{}, err
	}
	rec.CreatedAt = old.CreatedAt
	if err := s.db.UpdatePhoneTrunk(ctx, rec); err != nil {
		return Trunk{}, numberTaken(err)
	}
	return s.Trunk(ctx, tenantID, id)
}

func numberTaken(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return field("numbers", strings.TrimSuffix(err.Error(), ": "+store.ErrConflict.Error())+" by another trunk")
	}
	return err
}

func (s *Service) record(id, tenantID string, in TrunkInput, t sip.Trunk, now time.Time) (store.PhoneTrunk, error) {
	rec := store.PhoneTrunk{ID: id, TenantID: tenantID, Name: strings.TrimSpace(in.Name), Provider: t.Provider,
		Transport: strings.ToLower(t.Transport), Username: t.Username, Register: t.Register, UpdatedAt: now}
	if rec.Transport == "" {
		rec.Transport = "udp"
	}
	if t.Password != "" {
		rec.PasswordSealed = s.box.Seal(id, t.Password)
	}
	for _, p := range t.AcceptFrom {
		rec.AcceptFrom = append(rec.AcceptFrom, p.String())
	}
	for _, n := range in.Numbers {
		menu := ""
		if m := menuOf(n); m != nil {
			var buf bytes.Buffer
			if err := json.Compact(&buf, m); err != nil {
				return rec, field("menu", err.Error())
			}
			menu = buf.String()
		}
		rec.Numbers = append(rec.Numbers, store.PhoneNumber{Number: n.Number, TenantID: tenantID, TrunkID: id,
			QueueID: n.QueueID, CalendarID: n.CalendarID, Menu: menu})
	}
	return rec, nil
}

// Trunk returns one of the tenant's trunks.
func (s *Service) Trunk(ctx context.Context, tenantID, id string) (Trunk, error) {
	rec, err := s.db.PhoneTrunk(ctx, tenantID, id)
	if err != nil {
		return Trunk{}, err
	}
	return view(rec), nil
}

// Trunks lists the tenant's trunks.
func (s *Service) Trunks(ctx context.Context, tenantID string) ([]Trunk, error) {
	recs, err := s.db.PhoneTrunks(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Trunk, 0, len(recs))
	for _, r := range recs {
		out = append(out, view(r))
	}
	return out, nil
}

// DeleteTrunk removes a trunk and its numbers.
func (s *Service) DeleteTrunk(ctx context.Context, tenantID, id string) error {
	return s.db.DeletePhoneTrunk(ctx, tenantID, id)
}

func view(r store.PhoneTrunk) Trunk {
	t := Trunk{ID: r.ID, Name: r.Name, Provider: r.Provider, Transport: r.Transport, Username: r.Username,
		PasswordSet: r.PasswordSealed != "", Register: r.Register, AcceptFrom: r.AcceptFrom, Numbers: []Number{},
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if t.AcceptFrom == nil {
		t.AcceptFrom = []string{}
	}
	for _, n := range r.Numbers {
		num := Number{Number: n.Number, QueueID: n.QueueID, CalendarID: n.CalendarID}
		if n.Menu != "" {
			num.Menu = json.RawMessage(n.Menu)
		}
		t.Numbers = append(t.Numbers, num)
	}
	return t
}

// sipTrunk is the stored trunk as the SIP server uses it, password opened.
func (s *Service) sipTrunk(r store.PhoneTrunk) (sip.Trunk, error) {
	t := sip.Trunk{ID: r.ID, TenantID: r.TenantID, Provider: r.Provider, Transport: r.Transport, Username: r.Username,
		Register: r.Register}
	if r.PasswordSealed != "" {
		p, err := s.box.Open(r.ID, r.PasswordSealed)
		if err != nil {
			return sip.Trunk{}, fmt.Errorf("phone trunk %s: open password: %w", r.ID, err)
		}
		t.Password = p
	}
	for _, n := range r.Numbers {
		t.Numbers = append(t.Numbers, n.Number)
	}
	for _, a := range r.AcceptFrom {
		if p, err := netip.ParsePrefix(a); err == nil {
			t.AcceptFrom = append(t.AcceptFrom, p)
		}
	}
	return t, nil
}

// Lookup finds the trunk a dialled number belongs to, for sip.New: it reads
// storage on every INVITE (a trunk changed in the admin page takes the
// next call). Errors other than "no such number" are logged and the call is
// refused as for an unknown number.
func (s *Service) Lookup(number string) (sip.Trunk, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := s.db.PhoneNumber(ctx, number)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("phone number lookup", "err", err)
		}
		return sip.Trunk{}, false
	}
	rec, err := s.db.PhoneTrunk(ctx, n.TenantID, n.TrunkID)
	if err == nil {
		var t sip.Trunk
		if t, err = s.sipTrunk(rec); err == nil {
			return t, true
		}
	}
	s.log.Warn("phone trunk lookup", "tenant_id", n.TenantID, "trunk_id", n.TrunkID, "err", err)
	return sip.Trunk{}, false
}

// ErrNoTrunk means the tenant has no trunk to call out through.
var ErrNoTrunk = errors.New("phone: the workspace has no phone trunk with a provider")

// TrunkFor is the tenant's trunk for outbound calls: the oldest one with a
// provider (callbacks and spoken notices dial through it).
func (s *Service) TrunkFor(ctx context.Context, tenantID string) (sip.Trunk, error) {
	recs, err := s.db.PhoneTrunks(ctx, tenantID)
	if err != nil {
		return sip.Trunk{}, err
	}
	for _, r := range recs {
		if r.Provider != "" {
			return s.sipTrunk(r)
		}
	}
	return sip.Trunk{}, ErrNoTrunk
}
