package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// env is a tenant on a real database with the service over it, on a clock
// the test moves.
type env struct {
	db     *store.DB
	svc    *notify.Service
	clk    *clock.Fake
	links  *notify.Links
	tenant string
}

var start = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // a Monday

func newEnv(t testing.TB, db *store.DB, d notify.Deps) *env {
	t.Helper()
	ctx := context.Background()
	tn := tenant.Tenant{ID: ids.New(), Slug: "acme-" + ids.New()[24:], Name: "Acme", CreatedAt: start}
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	clk, ok := d.Clock.(*clock.Fake)
	if !ok {
		clk = clock.NewFake(start)
	}
	links := notify.NewLinks([]byte("0123456789abcdef0123456789abcdef"), "https://sb.example", clk)
	d.DB, d.Clock, d.Links = db, clk, links
	return &env{db: db, svc: notify.New(d), clk: clk, links: links, tenant: tn.ID}
}

// eachEngine runs f on a fresh database of each engine.
func eachEngine(t *testing.T, f func(t *testing.T, db *store.DB)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { f(t, e.Open(t)) })
	}
}

type who struct {
	name, zone, lang, email, phone, external string
}

func (e *env) persona(t testing.TB, w who) string {
	t.Helper()
	return e.personas(t, []who{w})[0]
}

// personas creates several personas in one transaction.
func (e *env) personas(t testing.TB, ws []who) []string {
	t.Helper()
	out := make([]string, len(ws))
	err := e.db.InTx(context.Background(), func(s *store.Store, _ *sql.Tx) error {
		for i, w := range ws {
			p := newPersona(e, w)
			if err := s.CreatePersona(context.Background(), p); err != nil {
				return err
			}
			out[i] = p.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newPersona(e *env, w who) persona.Persona {
	p := persona.Persona{ID: ids.New(), TenantID: e.tenant, Name: w.name, TimeZone: w.zone, Language: w.lang,
		CreatedAt: e.clk.Now(), UpdatedAt: e.clk.Now()}
	for _, id := range []struct {
		kind persona.Kind
		v    string
	}{{persona.KindEmail, w.email}, {persona.KindPhone, w.phone}, {persona.KindExternal, w.external}} {
		if id.v != "" {
			p.Identifiers = append(p.Identifiers, persona.Identifier{Kind: id.kind, Value: id.v, Verified: true})
		}
	}
	return p
}

func (e *env) putType(t testing.TB, ty notice.Type) notice.Type {
	t.Helper()
	ty, err := e.svc.PutType(context.Background(), e.tenant, ty)
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

func typ(key string, c prefs.Category, channels ...string) notice.Type {
	return notice.Type{Key: key, Name: key + " notice", Category: c, Channels: channels, DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "About {{.what}}", Body: "Hello {{.name}}: {{.what}}. {{.link}}"},
			"sms":   {Short: "{{.what}} {{.link}}"},
			"web":   {Subject: "About {{.what}}", Body: "{{.what}}, in full."},
		}}}
}

func (e *env) deliveries(t testing.TB, f store.DeliveryFilter) []notice.Delivery {
	t.Helper()
	var all []notice.Delivery
	page := store.Page{Limit: store.MaxPageSize}
	for {
		ds, err := e.db.Deliveries(context.Background(), e.tenant, f, page)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ds...)
		if len(ds) < page.Limit {
			return all
		}
		page.After = ds[len(ds)-1].ID
	}
}

func fieldError(err error) string {
	var fe *tenant.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func wall(t testing.TB, name, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, zone(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newClock(t time.Time) *clock.Fake { return clock.NewFake(t) }
