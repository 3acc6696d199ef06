package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// PersonaPatch changes some of a customer's profile; nil fields stay. In
// Attributes, a nil value removes the attribute.
type PersonaPatch struct {
	Name       *string            `json:"name"`
	TimeZone   *string            `json:"time_zone"`
	Language   *string            `json:"language"`
	Attributes map[string]*string `json:"attributes"`
}

// apply checks the patch and changes p. Time zones are IANA names
// ("Europe/Lisbon"), languages BCP 47 tags ("pt-BR"), stored canonical.
func (pp PersonaPatch) apply(p *persona.Persona) error {
	if pp.Name != nil {
		name := strings.TrimSpace(*pp.Name)
		if err := textfield.Line("name", name, textfield.MaxName); err != nil {
			return err
		}
		p.Name = name
	}
	if pp.TimeZone != nil {
		if tz := *pp.TimeZone; tz != "" {
			if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
				return &tenant.FieldError{Field: "time_zone", Reason: fmt.Sprintf("%q is not an IANA time zone such as Europe/Lisbon", tz)}
			}
		}
		p.TimeZone = *pp.TimeZone
	}
	if pp.Language != nil {
		p.Language = ""
		if l := *pp.Language; l != "" {
			tag, err := language.Parse(l)
			if err != nil {
				return &tenant.FieldError{Field: "language", Reason: fmt.Sprintf("%q is not a language tag such as pt-BR", l)}
			}
			p.Language = tag.String()
		}
	}
	if len(pp.Attributes) > 0 {
		attrs := make(map[string]string, len(p.Attributes))
		for k, v := range p.Attributes {
			attrs[k] = v
		}
		for k, v := range pp.Attributes {
			if k == "" {
				return &tenant.FieldError{Field: "attributes", Reason: "names are 1 to 64 characters"}
			}
			if err := textfield.Line("attributes", k, textfield.MaxAttributeKey); err != nil {
				return err
			}
			if v == nil {
				delete(attrs, k)
				continue
			}
			if err := textfield.Block("attributes."+k, *v, textfield.MaxAttributeValue); err != nil {
				return err
			}
			attrs[k] = *v
		}
		if len(attrs) > textfield.MaxAttributes {
			return &tenant.FieldError{Field: "attributes", Reason: fmt.Sprintf("at most %d attributes", textfield.MaxAttributes)}
		}
		p.Attributes = attrs
	}
	return nil
}

// UpdatePersona changes a customer's profile: name, time zone, language,
// custom attributes. It emits persona.updated.
func (s *Service) UpdatePersona(ctx context.Context, a Actor, id string, patch PersonaPatch) (persona.Persona, error) {
	var p persona.Persona
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if p, err = tx.Persona(ctx, a.TenantID, id); err != nil {
			return err
		}
		if p.MergedInto != "" {
			return &tenant.FieldError{Field: "id", Reason: "this persona was merged into " + p.MergedInto + "; change that one"}
		}
		if err := patch.apply(&p); err != nil {
			return err
		}
		p.UpdatedAt = s.clock.Now()
		if err := tx.UpdatePersona(ctx, p); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.PersonaUpdated, p)
		return err
	})
	return p, err
}

// AddIdentifier gives a customer one more address (their email, so an agent
// can answer a chat by mail). An identifier another persona holds is refused
// with a pointer to that persona: merging them is the agent's decision. The
// agent vouches for what they enter, so it is verified (agent_entered): the
// customer writing from it later lands on this persona.
func (s *Service) AddIdentifier(ctx context.Context, a Actor, personaID string, id persona.Identifier) (persona.Persona, error) {
	norm, err := persona.Normalize(id.Kind, id.Value)
	if err != nil {
		return persona.Persona{}, &tenant.FieldError{Field: "value", Reason: err.Error()}
	}
	var p persona.Persona
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if p, err = tx.Persona(ctx, a.TenantID, personaID); err != nil {
			return err
		}
		if p.MergedInto != "" {
			return &tenant.FieldError{Field: "id", Reason: "this persona was merged into " + p.MergedInto + "; change that one"}
		}
		owner, err := tx.PersonaIDByIdentifier(ctx, a.TenantID, norm)
		switch {
		case err == nil && owner == personaID:
			return nil // has it already
		case err == nil:
			return &tenant.FieldError{Field: "value", Reason: "persona " + owner + " has this identifier; merge the two personas instead"}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		now := s.clock.Now()
		if err := tx.AddIdentifier(ctx, a.TenantID, personaID, norm.Proven(persona.MethodAgentEntered, now), now); err != nil {
			return err
		}
		if p, err = tx.Persona(ctx, a.TenantID, personaID); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.PersonaUpdated, p)
		return err
	})
	return p, err
}
