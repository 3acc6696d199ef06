package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// resolved are the recipients of an event matched to personas.
type resolved struct {
	// results hold, per recipient, the persona it matched or why none.
	results []Result
	// invalid marks recipients refused for their form rather than for
	// matching nobody.
	invalid  []bool
	personas map[string]store.NotifyPersona
}

// resolve matches each recipient's target to a persona: by our id, or by the
// business's external id, an email or a phone (normalised as personas store
// them). A target that matches nobody, or names a persona an earlier one
// did, is rejected with the reason.
func (s *Service) resolve(ctx context.Context, tenantID string, rs []Recipient) (resolved, error) {
	out := resolved{results: make([]Result, len(rs)), invalid: make([]bool, len(rs))}
	reject := func(i int, invalid bool, format string, args ...any) {
		out.results[i] = Result{Index: i, Status: StatusRejected, Error: fmt.Sprintf(format, args...)}
		out.invalid[i] = invalid
	}
	var personaIDs []string
	for i, r := range rs {
		out.results[i] = Result{Index: i}
		t := r.To
		set := 0
		for _, v := range []string{t.PersonaID, t.ExternalID, t.Email, t.Phone} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			reject(i, true, "name exactly one of persona_id, external_id, email or phone")
			continue
		}
		if t.PersonaID != "" {
			out.results[i].PersonaID = t.PersonaID
			personaIDs = append(personaIDs, t.PersonaID)
			continue
		}
		kind, raw := persona.KindExternal, t.ExternalID
		switch {
		case t.Email != "":
			kind, raw = persona.KindEmail, t.Email
		case t.Phone != "":
			kind, raw = persona.KindPhone, t.Phone
		}
		ident, err := persona.Normalize(kind, raw)
		if err != nil {
			reject(i, true, "%v", err)
			continue
		}
		id, err := s.db.PersonaIDByIdentifier(ctx, tenantID, ident)
		if errors.Is(err, store.ErrNotFound) {
			reject(i, false, "no persona with %s %s", describeKind(kind), ident.Value)
			continue
		}
		if err != nil {
			return out, err
		}
		out.results[i].PersonaID = id
		personaIDs = append(personaIDs, id)
	}
	var err error
	if out.personas, err = s.db.NotifyPersonasByID(ctx, tenantID, personaIDs); err != nil {
		return out, err
	}
	first := map[string]int{}
	for i := range out.results {
		id := out.results[i].PersonaID
		if id == "" {
			continue
		}
		if _, ok := out.personas[id]; !ok {
			reject(i, false, "no persona with id %s", id)
			continue
		}
		if j, ok := first[id]; ok {
			reject(i, false, "same persona as recipient %d", j)
			continue
		}
		first[id] = i
	}
	return out, nil
}

func describeKind(k persona.Kind) string {
	if k == persona.KindExternal {
		return "external id"
	}
	return string(k)
}
