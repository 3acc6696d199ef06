package email

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// opTimeout bounds the store work behind one SMTP command.
const opTimeout = 30 * time.Second

// The replies the listener gives besides go-smtp's own; each says what to do.
var (
	errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	errBadRcpt   = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Bad recipient address syntax"}
	errTryLater  = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure storing the message, try again later"}
)

func refused(reason string) *smtp.SMTPError {
	reason = strings.Join(strings.Fields(reason), " ") // one line, whatever the reason held
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: " + reason}
}

type backend struct {
	ch  *Channel
	ctx context.Context // ends a grace period after Run's, once the listener has stopped
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{ch: b.ch, ctx: b.ctx}, nil
}

// target is one accepted recipient: a tenant's account, with the reply token
// the address carried.
type target struct {
	account channel.Account
	token   string
}

// session is one SMTP conversation; its transaction state is reset by RSET
// and after each message.
type session struct {
	ch         *Channel
	ctx        context.Context
	returnPath string
	targets    []target
}

func (s *session) Reset() { s.returnPath, s.targets = "", nil }

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.returnPath, s.targets = from, nil
	return nil
}

// Rcpt takes mail only for the tenants' addresses and their reply addresses:
// the listener is no relay.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	r, ok := splitRecipient(to)
	if !ok {
		return errBadRcpt
	}
	ctx, cancel := context.WithTimeout(s.ctx, opTimeout)
	defer cancel()
	acc, err := s.ch.db.ChannelAccountByAddress(ctx, Name, r.Account)
	if errors.Is(err, store.ErrNotFound) {
		return errNoMailbox
	}
	if err != nil {
		s.ch.log.Error("looking up a recipient failed", "err", err)
		return errTryLater
	}
	s.targets = append(s.targets, target{account: acc, token: r.Token})
	return nil
}

// Data reads the message and delivers it; only then is it acknowledged.
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp's own: 552 when the message is too large
	}
	ctx, cancel := context.WithTimeout(s.ctx, opTimeout)
	defer cancel()
	return s.ch.deliver(ctx, raw, s.returnPath, s.targets)
}

// deliver parses a received message and stores it once per tenant it is
// addressed to, trimmed to the inbox's limits with the cuts noted. Machine-
// written mail is dropped (a bounce first marks the message it reports as
// failed). The error is the SMTP reply: 554 for data that is not mail or is
// refused for good, 451 when the store failed and the sender should try again.
func (c *Channel) deliver(ctx context.Context, raw []byte, returnPath string, targets []target) error {
	m, err := Parse(raw, returnPath)
	if err != nil {
		c.log.Info("data that is not mail refused", "reason", err.Error())
		return refused(err.Error())
	}
	if m.Automatic != Human {
		return c.automatic(ctx, m, targets)
	}
	m.fit(c.inbox.Limits())
	for _, t := range perTenant(targets) {
		res, err := c.inbox.Ingest(ctx, m.Inbound(t.account.TenantID, t.account.Address, t.token))
		var fe *tenant.FieldError
		switch {
		case errors.As(err, &fe):
			c.log.Info("mail refused", "tenant_id", t.account.TenantID, "field", fe.Field, "reason", fe.Reason)
			return refused(fe.Field + ": " + fe.Reason)
		case err != nil:
			c.log.Error("storing mail failed", "tenant_id", t.account.TenantID, "err", err)
			return errTryLater
		}
		c.log.Info("mail received", "tenant_id", t.account.TenantID, "conversation_id", res.Conversation.ID,
			"message_id", res.Message.ID, "new_conversation", res.NewConversation, "duplicate", res.Duplicate)
	}
	return nil
}

// automatic records what a bounce reports and drops machine-written mail.
func (c *Channel) automatic(ctx context.Context, m *Message, targets []target) error {
	for _, t := range perTenant(targets) {
		for _, id := range m.BounceOf {
			if err := c.inbox.UpdateDelivery(ctx, t.account.TenantID, Name, id, conversation.DeliveryFailed); err != nil {
				c.log.Error("recording a bounce failed", "tenant_id", t.account.TenantID, "err", err)
				return errTryLater
			}
		}
		c.log.Info("automatic mail dropped", "tenant_id", t.account.TenantID, "kind", string(m.Automatic),
			"reports_failed", len(m.BounceOf))
	}
	return nil
}

// perTenant is one target per tenant (a mail to two of a tenant's addresses is
// one message), preferring one that carries a reply token.
func perTenant(targets []target) []target {
	var out []target
	seen := map[string]int{}
	for _, t := range targets {
		i, ok := seen[t.account.TenantID]
		if !ok {
			seen[t.account.TenantID] = len(out)
			out = append(out, t)
		} else if out[i].token == "" && t.token != "" {
			out[i] = t
		}
	}
	return out
}
