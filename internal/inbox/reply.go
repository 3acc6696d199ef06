package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// DeliverArgs is the durable job that sends one outbound message. It carries
// ids only; the worker reads the rest, so a retry sends what is stored.
type DeliverArgs struct {
	TenantID  string `json:"tenant_id"`
	MessageID string `json:"message_id"`
}

// Kind names the job for River.
func (DeliverArgs) Kind() string { return "message_delivery" }

// ReplyInput is an agent's (or a business system's) answer to a customer.
type ReplyInput struct {
	// Channel to answer on; empty means where the customer last wrote.
	Channel  string   `json:"channel"`
	Body     string   `json:"body"`
	BodyHTML string   `json:"body_html"`
	Subject  string   `json:"subject"`
	Files    []string `json:"attachment_ids"`
	// Template sends a provider-approved template instead of free text (a
	// WhatsApp customer outside their 24-hour window); Body is then its
	// rendered text.
	Template *channel.Template `json:"template,omitempty"`
	// QuickReplies are answers the customer can pick with one tap, on
	// channels with buttons (Telegram); kept in the message's meta.
	QuickReplies []string `json:"quick_replies,omitempty"`
	// KeepStatus sends without touching the conversation's status: a
	// satisfaction survey after the resolution (internal/csat/survey) is no
	// reopening. Never set from a request body.
	KeepStatus bool `json:"-"`
}

// MetaQuickReplies is the outbound message's meta key holding its quick
// replies, which the delivery passes to the channel.
const MetaQuickReplies = "quick_replies"

// maxQuickReplies bounds a reply's buttons; each is one short line.
const maxQuickReplies = 10

// Reply appends an outbound message and enqueues its delivery in the same
// transaction: once Reply returns, the message will be sent, crash or not.
// Answering on a channel the conversation has not used yet switches modality
// and keeps the one timeline.
func (s *Service) Reply(ctx context.Context, a Actor, conversationID string, in ReplyInput) (conversation.Message, error) {
	if strings.TrimSpace(in.Body) == "" && len(in.Files) == 0 && in.Template == nil {
		return conversation.Message{}, &tenant.FieldError{Field: "body", Reason: "a reply needs text or an attachment"}
	}
	if err := in.validate(s.limits); err != nil {
		return conversation.Message{}, err
	}
	if err := checkResolved("body", in.Body); err != nil {
		return conversation.Message{}, err
	}
	if err := checkResolved("body_html", in.BodyHTML); err != nil {
		return conversation.Message{}, err
	}
	in.Body, in.BodyHTML = literalBraces(in.Body), literalBraces(in.BodyHTML)
	// Nothing unsafe is stored, whoever wrote it: the desk, the portal and
	// the customer's mail client all get the sanitised HTML.
	in.BodyHTML = htmlsafe.Sanitize(in.BodyHTML)
	var m conversation.Message
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		c, err := tx.Conversation(ctx, a.TenantID, conversationID)
		if err != nil {
			return err
		}
		ch := in.Channel
		if ch == "" {
			if ch, err = s.lastInboundChannel(ctx, tx, c); err != nil {
				return err
			}
		}
		impl, ok := s.channels.Get(ch)
		if !ok {
			return &tenant.FieldError{Field: "channel", Reason: fmt.Sprintf("no channel %q on this center", ch)}
		}
		caps := impl.Capabilities()
		p, err := tx.Persona(ctx, a.TenantID, c.PersonaID)
		if err != nil {
			return err
		}
		if _, ok := addressOn(p, caps.Identifier); !ok {
			return &tenant.FieldError{Field: "channel", Reason: fmt.Sprintf("the customer has no %s address for %s", caps.Identifier, ch)}
		}
		if err := s.checkWindow(ctx, a, c, impl, ch, &in); err != nil {
			return err
		}
		if caps.MaxLength > 0 && utf8.RuneCountInString(in.Body) > caps.MaxLength {
			return &tenant.FieldError{Field: "body", Reason: fmt.Sprintf("%s takes at most %d characters", ch, caps.MaxLength)}
		}
		now := s.clock.Now()
		atts := []conversation.Attachment{}
		for _, id := range in.Files {
			att, _, err := tx.Attachment(ctx, a.TenantID, id)
			if err != nil {
				return &tenant.FieldError{Field: "attachment_ids", Reason: "no such attachment " + id}
			}
			atts = append(atts, att)
		}
		if len(atts) > 0 && !caps.Attachments {
			return &tenant.FieldError{Field: "attachment_ids", Reason: ch + " cannot carry attachments"}
		}
		if !slices.Contains(c.Modalities, ch) {
			c.Modalities = append(c.Modalities, ch)
			if err := s.systemItem(ctx, tx, a, c, "Switched to "+ch); err != nil {
				return err
			}
		}
		reopened := c.Status == conversation.StatusResolved && !in.KeepStatus
		if reopened {
			// Writing to the customer again is taking the matter up again; the
			// timeline says so, not a conversation that looks closed.
			if err := s.systemItem(ctx, tx, a, c, "Reopened by a reply"); err != nil {
				return err
			}
		}
		typ, id := a.author()
		m = conversation.Message{ID: ids.New(), TenantID: a.TenantID, ConversationID: c.ID, Kind: conversation.KindMessage,
			Direction: conversation.Outbound, Channel: ch, AuthorType: typ, AuthorID: id, Body: in.Body, BodyHTML: in.BodyHTML,
			Attachments: atts, Status: conversation.DeliveryQueued, CreatedAt: now, UpdatedAt: now}
		meta := map[string]any{}
		if in.Subject != "" {
			meta["subject"] = in.Subject
		}
		if len(in.QuickReplies) > 0 {
			meta[MetaQuickReplies] = in.QuickReplies
		}
		if in.Template != nil {
			meta["template"] = in.Template
		}
		if len(meta) > 0 {
			m.Meta = mustJSON(meta)
		}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if caps.Threading { // replies to the reply address find this conversation
			if err := tx.AddThreadKey(ctx, a.TenantID, ch, ReplyThreadKey(ReplyToken(c.ID)), c.ID); err != nil {
				return err
			}
		}
		switch {
		case in.KeepStatus:
		case caps.Realtime && c.Status == conversation.StatusResolved:
			// A live chat the agent writes in again is theirs again, open.
			c.Status = conversation.StatusOpen
		case caps.Realtime:
			// A live chat stays open while the agent is in it: the customer is
			// there now, and the agent holds the chat (and its capacity) until
			// it is resolved, transferred or idle (docs/routing.md).
		case c.Status == conversation.StatusOpen || c.Status == conversation.StatusResolved:
			c.Status = conversation.StatusPending // now waiting on the customer
		}
		c.LastMessageAt, c.UpdatedAt = now, now
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		if err := s.queue.InsertTx(ctx, tx.SQL, DeliverArgs{TenantID: a.TenantID, MessageID: m.ID}, &river.InsertOpts{MaxAttempts: 10}); err != nil {
			return fmt.Errorf("enqueue delivery: %w", err)
		}
		// The message first: routing learns from it that the agent who wrote
		// holds the conversation, before it sees the conversation open again.
		if _, err = tx.Emit(ctx, a.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c}); err != nil {
			return err
		}
		if reopened { // lists and routing see it open again
			if _, err := tx.Emit(ctx, a.TenantID, event.ConversationUpdated, c); err != nil {
				return err
			}
		}
		return nil
	})
	return m, err
}

// replyMeta is what an outbound message's meta keeps for its delivery.
type replyMeta struct {
	Subject      string            `json:"subject,omitempty"`
	QuickReplies []string          `json:"quick_replies,omitempty"`
	Template     *channel.Template `json:"template,omitempty"`
}

// checkWindow applies a windowed channel's rule (WhatsApp's 24 hours): a
// template is rendered into the reply's body, and free text outside the
// customer's window is refused with the channel's reason, which the agent
// reads where they wrote.
func (s *Service) checkWindow(ctx context.Context, a Actor, c conversation.Conversation, impl channel.Channel, ch string, in *ReplyInput) error {
	if in.Template != nil {
		tp, ok := channel.As[channel.Templater](impl)
		if !ok {
			return &tenant.FieldError{Field: "template", Reason: ch + " has no templates"}
		}
		if len(in.Files) > 0 {
			return &tenant.FieldError{Field: "attachment_ids", Reason: "a template carries no attachments"}
		}
		in.Template.OutsideWindowOnly = false // the agent chose it
		body, err := tp.RenderTemplate(ctx, a.TenantID, *in.Template)
		if err != nil {
			return err
		}
		in.Body, in.BodyHTML = body, ""
		return nil
	}
	w, ok := channel.As[channel.Windowed](impl)
	if !ok {
		return nil
	}
	p, err := s.db.Persona(ctx, a.TenantID, c.PersonaID)
	if err != nil {
		return err
	}
	to, _ := addressOn(p, impl.Capabilities().Identifier)
	accs, err := s.db.ChannelAccounts(ctx, a.TenantID, ch)
	if err != nil {
		return err
	}
	acct, err := s.replyAccount(ctx, conversation.Message{TenantID: a.TenantID, ConversationID: c.ID, Channel: ch}, accs)
	if err != nil {
		return err
	}
	if err := w.WindowClosed(ctx, a.TenantID, acct, to.Value); err != nil {
		if errors.Is(err, channel.ErrWindowClosed) {
			return &tenant.FieldError{Field: "body", Reason: err.Error()}
		}
		return err
	}
	return nil
}

// validate checks the reply's text fields; the channel's own limits are
// checked once the channel is known.
func (in ReplyInput) validate(l Limits) error {
	if len(in.Files) > l.MaxAttachments {
		return &tenant.FieldError{Field: "attachment_ids", Reason: fmt.Sprintf("at most %d files", l.MaxAttachments)}
	}
	for _, err := range []error{
		textfield.Block("body", in.Body, l.MaxBodyBytes),
		textfield.Block("body_html", in.BodyHTML, 4*l.MaxBodyBytes),
		textfield.Line("subject", in.Subject, textfield.MaxTitle),
		textfield.Line("channel", in.Channel, textfield.MaxName),
	} {
		if err != nil {
			return err
		}
	}
	if len(in.QuickReplies) > maxQuickReplies {
		return &tenant.FieldError{Field: "quick_replies", Reason: fmt.Sprintf("at most %d", maxQuickReplies)}
	}
	for i, q := range in.QuickReplies {
		if strings.TrimSpace(q) == "" || utf8.RuneCountInString(q) > 40 {
			return &tenant.FieldError{Field: fmt.Sprintf("quick_replies[%d]", i), Reason: "1–40 characters"}
		}
		if err := textfield.Line(fmt.Sprintf("quick_replies[%d]", i), q, 40*4); err != nil {
			return err
		}
	}
	return nil
}

// lastInboundChannel is where the customer last wrote from, or where the
// conversation started — unless that message asked for answers elsewhere (a
// chat visitor who left an email because nobody was online: Meta reply_via).
func (s *Service) lastInboundChannel(ctx context.Context, tx *outbox.Tx, c conversation.Conversation) (string, error) {
	ch, meta, err := tx.LastInbound(ctx, c.TenantID, c.ID)
	if err != nil || ch == "" {
		return c.Channel, err
	}
	var m struct {
		ReplyVia string `json:"reply_via"`
	}
	if len(meta) > 0 && json.Unmarshal(meta, &m) == nil && m.ReplyVia != "" {
		if _, ok := s.channels.Get(m.ReplyVia); ok {
			return m.ReplyVia, nil
		}
	}
	return ch, nil
}

// ReplyToken is the token a conversation's reply address carries
// (support+TOKEN@…), so a reply from a client that drops In-Reply-To still
// threads. It is derived from the conversation id, which cannot be guessed, and
// reveals nothing of it.
func ReplyToken(conversationID string) string {
	sum := sha256.Sum256([]byte("reply-token:" + conversationID))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
}

// ReplyThreadKey is the thread key under which a conversation's reply token is
// recorded; threading channels put it in Inbound.ThreadKeys.
func ReplyThreadKey(token string) string { return "reply:" + token }

// addressOn is the persona's identifier of the kind a channel sends to: a
// verified one first; an unverified one does as well, since it is what the
// customer wrote from; last a claim, the address a chat visitor left in the
// offline form to be answered at — an agent's reply to it tells its owner
// only what the agent chose to write. A channel without an identifier kind
// gets the persona's id.
func addressOn(p persona.Persona, kind string) (persona.Identifier, bool) {
	if kind == "" { // the channel addresses the persona itself
		return persona.Identifier{Value: p.ID}, true
	}
	var found *persona.Identifier
	for i, id := range p.Identifiers {
		if string(id.Kind) == kind && (found == nil || id.Verified && !found.Verified) {
			found = &p.Identifiers[i]
		}
	}
	if found != nil {
		return *found, true
	}
	for _, id := range p.Claims {
		if string(id.Kind) == kind {
			return id, true
		}
	}
	return persona.Identifier{}, false
}
