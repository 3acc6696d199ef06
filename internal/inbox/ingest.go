package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Inbound is one message a channel received, in the core's terms.
type Inbound struct {
	TenantID string
	Channel  string
	// From is who wrote; it resolves to (or creates) the persona.
	From     persona.Identifier
	FromName string
	// Also are further identifiers the customer gave (a chat visitor's email);
	// each is added to the persona unless another persona holds it.
	Also []persona.Identifier
	// ConversationID continues a known conversation (the widget's, the API
	// caller's); it must belong to the persona.
	ConversationID string
	// ThreadKeys are keys this message refers to (In-Reply-To, References, a
	// reply token); ThreadKey is its own, recorded for replies to come.
	ThreadKeys []string
	ThreadKey  string
	// ExternalID is the channel's id for the message; a second message with the
	// same id is recognised as a retry and stored once.
	ExternalID  string
	Subject     string
	Body        string
	BodyHTML    string // sanitised again here, whatever the channel did
	Attachments []File
	// Meta travels with the message: the page the visitor was on, what they
	// searched, pre-chat answers, provider details.
	Meta map[string]any
	// NewConversation starts a new conversation even if one is open.
	NewConversation bool
	// Original is the message as the channel received it (a mail's .eml),
	// kept so an agent can download it when what was read of it is not
	// enough: a damaged mail is stored with what could be read, and its
	// original. The message's meta names it (OriginalMetaKey).
	Original []byte
	// Unrefusable is set by a channel that cannot hand a refusal back to the
	// person who wrote: mail would bounce, a provider drops a webhook answered
	// 4xx. Control characters, invalid UTF-8 and an over-long subject or name
	// are then taken out and noted in meta.damaged instead of refused.
	Unrefusable bool
	// Priority and Team, if set, file a conversation this message creates
	// (a listening rule's priority and queue); a higher Priority also raises
	// the conversation the message joins.
	Priority *conversation.Priority
	Team     string
}

// OriginalMetaKey is the key in a message's meta under which the id of its
// original (Inbound.Original, stored as a file) is kept.
const OriginalMetaKey = "original_id"

// OriginalContentType is the type an original is stored and served as.
const OriginalContentType = "message/rfc822"

// File is an attachment's name, type and bytes.
type File struct {
	Name, ContentType, ContentID string
	Data                         []byte
}

// Ingested is what became of an inbound message.
type Ingested struct {
	Persona         persona.Persona
	Conversation    conversation.Conversation
	Message         conversation.Message
	NewConversation bool
	// Duplicate is true when the channel delivered this message before; nothing
	// was written the second time.
	Duplicate bool
}

func (s *Service) checkInbound(in *Inbound) error {
	now := s.clock.Now()
	id, err := proof(in.From, now)
	if err != nil {
		return &tenant.FieldError{Field: "from", Reason: err.Error()}
	}
	in.From = id
	also := make([]persona.Identifier, len(in.Also))
	for i, a := range in.Also {
		if also[i], err = proof(a, now); err != nil {
			return &tenant.FieldError{Field: "identifiers", Reason: err.Error()}
		}
	}
	in.Also = also
	if strings.TrimSpace(in.Body) == "" && in.BodyHTML == "" && len(in.Attachments) == 0 && len(in.Original) == 0 {
		return &tenant.FieldError{Field: "body", Reason: "a message needs text or an attachment"}
	}
	if len(in.Body) > s.limits.MaxBodyBytes || len(in.BodyHTML) > 4*s.limits.MaxBodyBytes {
		return &tenant.FieldError{Field: "body", Reason: fmt.Sprintf("longer than %d bytes", s.limits.MaxBodyBytes)}
	}
	in.BodyHTML = htmlsafe.Sanitize(in.BodyHTML) // no channel is trusted to have done it
	if in.Unrefusable {
		scrubInbound(in)
	}
	for _, err := range []error{
		textfield.Block("body", in.Body, s.limits.MaxBodyBytes),
		textfield.Block("body_html", in.BodyHTML, 4*s.limits.MaxBodyBytes),
		textfield.Line("subject", in.Subject, textfield.MaxTitle),
		textfield.Line("name", in.FromName, textfield.MaxName),
		textfield.Line("external_id", in.ExternalID, textfield.MaxLine),
	} {
		if err != nil {
			return err
		}
	}
	if len(in.Attachments) > s.limits.MaxAttachments {
		return &tenant.FieldError{Field: "attachments", Reason: fmt.Sprintf("at most %d files", s.limits.MaxAttachments)}
	}
	for _, f := range in.Attachments {
		if int64(len(f.Data)) > s.limits.MaxAttachmentBytes {
			return &tenant.FieldError{Field: "attachments", Reason: fmt.Sprintf("%q is larger than %d bytes", f.Name, s.limits.MaxAttachmentBytes)}
		}
	}
	return nil
}

// Ingest stores an inbound message in its conversation, durably, before it
// returns: a channel acknowledges its sender only after Ingest succeeded.
//
// Messages that arrive together are group-committed (outbox.Batcher): each runs
// in a savepoint of its own inside one shared transaction, so a message that
// fails rolls back alone and its caller alone gets the error, while one commit
// makes the others durable. If ctx ends while the message is still queued, it
// is withdrawn and nothing is written; if its batch has started, it is stored
// (or not) regardless and Ingest returns ctx's error — the channel does not
// acknowledge, the sender retries, and the external id stores it once.
func (s *Service) Ingest(ctx context.Context, in Inbound) (Ingested, error) {
	if err := s.checkInbound(&in); err != nil {
		return Ingested{}, err
	}
	res, err := s.ingest(ctx, in)
	for retry := 0; errors.Is(err, store.ErrConflict) && retry < conflictRetries; retry++ {
		// Two contacts raced: the same new customer on two nodes (or in two
		// batches committing side by side), or a provider retry arriving while
		// the first delivery was being stored. The next attempt sees the
		// winner's rows and resolves (or dedupes) against them. A message can
		// lose more than one race (its customer's new identifier, then its own
		// external id), each to a write that committed, so this ends.
		res, err = s.ingest(ctx, in)
	}
	return res, err
}

// conflictRetries bounds how often Ingest retries after losing a race.
const conflictRetries = 3

// ingest stores the message through the group committer: messages arriving
// together share one commit, each in a savepoint of its own.
func (s *Service) ingest(ctx context.Context, in Inbound) (Ingested, error) {
	var res Ingested
	err := s.batch.DoKeyed(ctx, batchKeys(in), func(ctx context.Context, tx *outbox.Tx) error {
		res = Ingested{}
		now := s.clock.Now()
		p, err := s.resolvePersona(ctx, tx, in)
		if err != nil {
			return err
		}
		res.Persona = p
		if in.ExternalID != "" {
			prev, err := tx.MessageByExternalID(ctx, in.TenantID, in.Channel, in.ExternalID)
			if err == nil {
				res.Message, res.Duplicate = prev, true
				res.Conversation, err = tx.Conversation(ctx, in.TenantID, prev.ConversationID)
				return err
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		c, created, err := s.findConversation(ctx, tx, in, p.ID)
		if err != nil {
			return err
		}
		res.NewConversation = created
		if created && in.Team != "" {
			c.Team = in.Team
		}
		if in.Priority != nil && (created || *in.Priority > c.Priority) {
			c.Priority = *in.Priority
		}
		if created {
			c.Subject, c.LastMessageAt = subjectOf(in), now
			if err := tx.CreateConversation(ctx, c); err != nil {
				return err
			}
		}

		m := conversation.Message{ID: ids.New(), TenantID: in.TenantID, ConversationID: c.ID, Kind: conversation.KindMessage,
			Direction: conversation.Inbound, Channel: in.Channel, AuthorType: "persona", AuthorID: p.ID, Body: in.Body,
			BodyHTML: in.BodyHTML, ExternalID: in.ExternalID, Status: conversation.DeliveryReceived, CreatedAt: now, UpdatedAt: now,
			Attachments: []conversation.Attachment{}}
		if len(in.Original) > 0 {
			orig := conversation.Attachment{ID: ids.New(), Name: "original.eml", ContentType: OriginalContentType, Size: int64(len(in.Original))}
			if err := tx.InsertAttachment(ctx, in.TenantID, orig, in.Original, now); err != nil {
				return err
			}
			if in.Meta == nil {
				in.Meta = map[string]any{}
			}
			in.Meta[OriginalMetaKey] = orig.ID
		}
		if in.Meta != nil {
			if m.Meta, err = json.Marshal(in.Meta); err != nil {
				return &tenant.FieldError{Field: "meta", Reason: err.Error()}
			}
		}
		for _, f := range in.Attachments {
			a := conversation.Attachment{ID: ids.New(), Name: f.Name, ContentType: f.ContentType, Size: int64(len(f.Data)), ContentID: f.ContentID}
			if err := tx.InsertAttachment(ctx, in.TenantID, a, f.Data, now); err != nil {
				return err
			}
			m.Attachments = append(m.Attachments, a)
		}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		res.Message = m

		c.LastMessageAt, c.UpdatedAt = now, now
		if !slices.Contains(c.Modalities, in.Channel) {
			c.Modalities = append(c.Modalities, in.Channel)
		}
		if c.Status != conversation.StatusOpen { // the customer wrote: it needs attention again
			c.Status, c.SnoozedUntil = conversation.StatusOpen, time.Time{}
		}
		if c.Subject == "" {
			c.Subject = subjectOf(in)
		}
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		res.Conversation = c
		for _, k := range append(in.ThreadKeys, in.ThreadKey) {
			if k != "" {
				if err := tx.AddThreadKey(ctx, in.TenantID, in.Channel, k, c.ID); err != nil {
					return err
				}
			}
		}
		if created {
			if _, err := tx.Emit(ctx, in.TenantID, event.ConversationCreated, c); err != nil {
				return err
			}
		}
		if _, err = tx.Emit(ctx, in.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c}); err != nil {
			return err
		}
		for _, hook := range s.onInbound {
			if err := hook(ctx, tx, in, res); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// batchKeys names what storing in touches that another message of its batch
// might: the sender's identifiers (their persona, its open conversation), the
// conversation and threads it names, and its external id. Messages sharing
// none are stored side by side (outbox.Batcher.DoKeyed); two of one customer,
// one after the other.
func batchKeys(in Inbound) []string {
	keys := []string{"id:" + in.TenantID + ":" + string(in.From.Kind) + ":" + in.From.Value}
	for _, a := range in.Also {
		keys = append(keys, "id:"+in.TenantID+":"+string(a.Kind)+":"+a.Value)
	}
	if in.ConversationID != "" {
		keys = append(keys, "conversation:"+in.TenantID+":"+in.ConversationID)
	}
	for _, k := range append(in.ThreadKeys, in.ThreadKey) {
		if k != "" {
			keys = append(keys, "thread:"+in.TenantID+":"+in.Channel+":"+k)
		}
	}
	if in.ExternalID != "" {
		keys = append(keys, "external:"+in.TenantID+":"+in.Channel+":"+in.ExternalID)
	}
	return keys
}

// messageEvent is the data of message.created and message.updated: the message
// and the conversation as it now stands, so a screen can update both at once.
type messageEvent struct {
	Message      conversation.Message      `json:"message"`
	Conversation conversation.Conversation `json:"conversation"`
}

// resolvePersona finds (or creates) the persona the message comes from. Only
// From, which the channel authenticated its own way, is looked up; identifiers
// the customer merely typed (unproven Also) become claims on that persona and
// are never looked up, so a visitor naming someone else's address neither
// joins that customer nor lets that customer's mail thread into their chat.
func (s *Service) resolvePersona(ctx context.Context, tx *outbox.Tx, in Inbound) (persona.Persona, error) {
	now := s.clock.Now()
	pid, held, err := tx.IdentifierHolder(ctx, in.TenantID, in.From)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if pid, err = s.newPersona(ctx, tx, in, now); err != nil {
			return persona.Persona{}, err
		}
	case err != nil:
		return persona.Persona{}, err
	case persona.TakesOver(in.From, held):
		// The address's owner proved it; whoever held it unproven keeps it
		// only as a claim, and the owner gets a persona of their own.
		if err := tx.ReleaseIdentifier(ctx, in.TenantID, pid, held, now); err != nil {
			return persona.Persona{}, err
		}
		s.log.Info("proven contact took an identifier over from an unproven holder", "tenant_id", in.TenantID, "kind", in.From.Kind)
		if pid, err = s.newPersona(ctx, tx, in, now); err != nil {
			return persona.Persona{}, err
		}
	case !persona.Joins(in.From, held):
		return persona.Persona{}, &tenant.FieldError{Field: "from",
			Reason: "a customer has proven this " + string(in.From.Kind) + "; an unverified sender cannot write into their conversations"}
	}
	for _, a := range in.Also {
		holder, err := tx.PersonaIDByIdentifier(ctx, in.TenantID, a)
		switch {
		case err == nil && holder == pid:
			// has it already
		case !a.Verified:
			// A claim is recorded on this persona whoever holds the address.
			if err := tx.AddClaim(ctx, in.TenantID, pid, a, now); err != nil {
				return persona.Persona{}, err
			}
		case errors.Is(err, store.ErrNotFound):
			if err := tx.AddIdentifier(ctx, in.TenantID, pid, a, now); err != nil {
				return persona.Persona{}, err
			}
		case err != nil:
			return persona.Persona{}, err
		default:
			// Someone else holds it: an agent may merge the two, we do not guess.
			s.log.Info("identifier held by another persona", "tenant_id", in.TenantID, "kind", a.Kind)
		}
	}
	p, err := tx.Persona(ctx, in.TenantID, pid)
	if err != nil {
		return p, err
	}
	if (p.Name == "" || p.Name == visitorName(in)) && strings.TrimSpace(in.FromName) != "" {
		p.Name, p.UpdatedAt = strings.TrimSpace(in.FromName), now
		if err := tx.UpdatePersona(ctx, p); err != nil {
			return p, err
		}
	}
	return p, nil
}

// newPersona creates the persona of a sender nobody holds yet.
func (s *Service) newPersona(ctx context.Context, tx *outbox.Tx, in Inbound, now time.Time) (string, error) {
	p := persona.Persona{ID: ids.New(), TenantID: in.TenantID, Name: strings.TrimSpace(in.FromName),
		Identifiers: []persona.Identifier{in.From}, Attributes: map[string]string{}, CreatedAt: now, UpdatedAt: now}
	if p.Name == "" {
		p.Name = visitorName(in)
	}
	return p.ID, tx.CreatePersona(ctx, p)
}

// visitorName is the readable name of a web-chat visitor who gave none
// (persona.VisitorName of their widget id), "" for any other sender. A name
// the visitor types later replaces it.
func visitorName(in Inbound) string {
	for _, id := range append([]persona.Identifier{in.From}, in.Also...) {
		if id.Kind == persona.KindWidget && id.Value != "" {
			return persona.VisitorName(id.Value)
		}
	}
	return ""
}

// proof normalises an identifier a channel gives and settles its proof: a
// proven one says how (a channel that vouches without naming a method is the
// business's own system, which counts as agent_entered), an unproven one is a
// claim typed into a form.
func proof(id persona.Identifier, now time.Time) (persona.Identifier, error) {
	norm, err := persona.Normalize(id.Kind, id.Value)
	if err != nil {
		return norm, err
	}
	if !id.Verified {
		return norm, nil
	}
	m := id.VerifiedBy
	if m == "" {
		m = persona.MethodAgentEntered
	}
	if !m.Proven() {
		return norm, fmt.Errorf("%q is not a way of verifying an identifier", m)
	}
	at := id.VerifiedAt
	if at.IsZero() {
		at = now
	}
	return norm.Proven(m, at), nil
}

// findConversation picks where the message belongs: the named conversation, the
// thread it replies to, the persona's open conversation, or a new one.
func (s *Service) findConversation(ctx context.Context, tx *outbox.Tx, in Inbound, personaID string) (conversation.Conversation, bool, error) {
	if in.ConversationID != "" {
		c, err := tx.Conversation(ctx, in.TenantID, in.ConversationID)
		if err == nil && c.PersonaID != personaID {
			err = fmt.Errorf("conversation %s is not this customer's: %w", in.ConversationID, store.ErrNotFound)
		}
		return c, false, err
	}
	for _, k := range in.ThreadKeys {
		id, err := tx.ThreadConversation(ctx, in.TenantID, in.Channel, k)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return conversation.Conversation{}, false, err
		}
		c, err := tx.Conversation(ctx, in.TenantID, id)
		if err != nil {
			return c, false, err
		}
		if c.PersonaID != personaID {
			// A reference to someone else's thread (a forwarded mail, a
			// guessed Message-ID) proves nothing: the sender's own
			// conversation takes the message.
			continue
		}
		return c, false, nil
	}
	if !in.NewConversation {
		c, err := tx.LatestUnresolvedConversation(ctx, in.TenantID, personaID)
		if err == nil {
			return c, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return c, false, err
		}
	}
	now := s.clock.Now()
	return conversation.Conversation{ID: ids.New(), TenantID: in.TenantID, PersonaID: personaID, Status: conversation.StatusOpen,
		Priority: conversation.PriorityNormal, Channel: in.Channel, Modalities: []string{in.Channel}, Tags: []string{},
		CreatedAt: now, UpdatedAt: now}, true, nil
}

func subjectOf(in Inbound) string {
	if s := strings.TrimSpace(in.Subject); s != "" {
		return truncate(s, 200)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(in.Body), "\n")
	return truncate(line, 80)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// scrubInbound takes control characters and invalid UTF-8 out of what a
// customer sent, and cuts an over-long subject or sender name, noting each field changed in the message's meta (damaged, as
// the mail channel notes a part it could not read whole). Refusing would lose
// the message — a bounce, or a provider's webhook answered 4xx and dropped —
// while the API and the widget, where a caller can correct and resend, are
// told what is wrong.
func scrubInbound(in *Inbound) {
	var notes []string
	scrub := func(field string, v *string, multiline bool) {
		if s, changed := textfield.Scrub(*v, multiline); changed {
			*v = s
			notes = append(notes, field+": control characters or invalid UTF-8 removed")
		}
	}
	scrub("subject", &in.Subject, false)
	scrub("name", &in.FromName, false)
	cut := func(field string, v *string, max int) {
		if r := []rune(*v); len(r) > max {
			*v = string(r[:max])
			notes = append(notes, fmt.Sprintf("%s: cut to %d characters", field, max))
		}
	}
	cut("subject", &in.Subject, textfield.MaxTitle)
	cut("name", &in.FromName, textfield.MaxName)
	scrub("body", &in.Body, true)
	scrub("body_html", &in.BodyHTML, true)
	if len(notes) == 0 {
		return
	}
	if in.Meta == nil {
		in.Meta = map[string]any{}
	}
	switch d := in.Meta["damaged"].(type) {
	case []string:
		in.Meta["damaged"] = append(d, notes...)
	case nil:
		in.Meta["damaged"] = notes
	}
}
