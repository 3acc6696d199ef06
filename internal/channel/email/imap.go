package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// pollEvery polls the IMAP mailbox now and then every IMAPInterval until ctx
// ends. A failed round is logged and tried again at the next.
func (c *Channel) pollEvery(ctx context.Context) {
	t := time.NewTicker(c.cfg.IMAPInterval)
	defer t.Stop()
	for {
		if n, err := c.Poll(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("polling the IMAP mailbox failed", "taken", n, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll takes the unseen mail in the configured IMAP mailbox once, the way the
// listener takes mail, and returns how many messages it took (stored or
// dropped as automatic). A message is marked \Seen only once it is stored; one
// refused for good (malformed, too large, invalid) is marked \Seen and
// \Flagged for a person to look at; on a store failure the round stops and the
// message stays unseen for the next.
func (c *Channel) Poll(ctx context.Context) (int, error) {
	if c.cfg.IMAP == "" {
		return 0, errors.New("poll: no IMAP mailbox configured")
	}
	acc, err := c.db.ChannelAccountByAddress(ctx, Name, strings.ToLower(c.cfg.IMAPAccount))
	if err != nil {
		return 0, fmt.Errorf("poll: the mailbox's account %s: %w", c.cfg.IMAPAccount, err)
	}
	host, _, err := net.SplitHostPort(c.cfg.IMAP)
	if err != nil {
		return 0, fmt.Errorf("poll: IMAP address %q: %w", c.cfg.IMAP, err)
	}
	cl, err := imapclient.DialTLS(c.cfg.IMAP, &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: host, RootCAs: c.cfg.RootCAs, MinVersion: tls.VersionTLS12},
		Dialer:    &net.Dialer{Timeout: 30 * time.Second},
	})
	if err != nil {
		return 0, fmt.Errorf("poll: connect to %s: %w", c.cfg.IMAP, err)
	}
	defer cl.Close()
	stop := context.AfterFunc(ctx, func() { cl.Close() })
	defer stop()
	if err := cl.Login(c.cfg.IMAPUser, c.cfg.IMAPPassword).Wait(); err != nil {
		return 0, fmt.Errorf("poll: log in to %s: %w", c.cfg.IMAP, err)
	}
	if _, err := cl.Select(c.cfg.IMAPMailbox, nil).Wait(); err != nil {
		return 0, fmt.Errorf("poll: select %s: %w", c.cfg.IMAPMailbox, err)
	}
	found, err := cl.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("poll: search: %w", err)
	}
	taken := 0
	for _, uid := range found.AllUIDs() {
		err := c.pollOne(ctx, cl, uid, acc.Address)
		var se *smtp.SMTPError
		switch {
		case err == nil:
			taken++
			err = mark(cl, uid, imap.FlagSeen)
		case errors.As(err, &se) && se.Code >= 500:
			c.log.Warn("mail in the IMAP mailbox refused; flagged", "uid", uint32(uid), "reason", se.Message)
			err = mark(cl, uid, imap.FlagSeen, imap.FlagFlagged)
		}
		if err != nil {
			return taken, fmt.Errorf("poll: message %d: %w", uid, err)
		}
	}
	cl.Logout().Wait()
	return taken, nil
}

// pollOne fetches one message and delivers it to the account; its error is
// the SMTP reply the listener would have given.
func (c *Channel) pollOne(ctx context.Context, cl *imapclient.Client, uid imap.UID, account string) error {
	set := imap.UIDSetNum(uid)
	sized, err := cl.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("fetch size: %w", err)
	}
	if len(sized) != 1 {
		return errors.New("the message vanished while polling")
	}
	if sized[0].RFC822Size > c.cfg.MaxMessageBytes {
		return smtp.ErrDataTooLarge
	}
	section := &imap.FetchItemBodySection{Peek: true} // Peek: \Seen is ours to set, after storing
	msgs, err := cl.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if len(msgs) != 1 {
		return errors.New("the message vanished while polling")
	}
	raw := msgs[0].FindBodySection(section)
	returnPath, token := mailboxEnvelope(raw, account)
	acc, err := c.db.ChannelAccountByAddress(ctx, Name, account)
	if err != nil {
		return errTryLater
	}
	return c.deliver(ctx, raw, returnPath, []target{{account: acc, token: token}})
}

// mailboxEnvelope recovers from a stored message what the SMTP envelope said:
// the return path the final server recorded (unknown, not null, when it did
// not) and the reply token of a recipient address of the account.
func mailboxEnvelope(raw []byte, account string) (returnPath, token string) {
	// Read as leniently as Parse reads it: a header line that breaks the
	// grammar must not cost the mail its sender or its thread.
	h, _, _ := readHeader(raw, &damage{}, "")
	returnPath = "unknown"
	if rp := h.Get("Return-Path"); rp != "" {
		returnPath = strings.Trim(strings.TrimSpace(rp), "<>")
	}
	mh := mail.Header{Header: message.Header{Header: h}}
	for _, key := range []string{"Delivered-To", "X-Original-To", "To", "Cc"} {
		list, _ := mh.AddressList(key)
		for _, a := range list {
			if r, ok := splitRecipient(a.Address); ok && r.Account == account && r.Token != "" {
				return returnPath, r.Token
			}
		}
	}
	return returnPath, ""
}

func mark(cl *imapclient.Client, uid imap.UID, flags ...imap.Flag) error {
	return cl.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close()
}
