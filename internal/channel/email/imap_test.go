package email_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

func TestPollIMAP(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			cert, roots := selfSigned(t)
			tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
			mem := imapmemserver.New()
			user := imapmemserver.NewUser("support", "imap-s3cret")
			if err := user.Create("INBOX", nil); err != nil {
				t.Fatal(err)
			}
			mem.AddUser(user)
			srv := imapserver.New(&imapserver.Options{
				NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
					return mem.NewSession(), nil, nil
				},
				Caps:      imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
				TLSConfig: tlsCfg,
				Logger:    discardLogger{},
			})
			ln, err := tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
			addr := ln.Addr().String()

			// What another system delivered into the mailbox.
			cl, err := imapclient.DialTLS(addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: roots}})
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := cl.Login("support", "imap-s3cret").Wait(); err != nil {
				t.Fatal(err)
			}
			for _, raw := range [][]byte{
				lf("\nReturn-Path: <zoe@example.com>\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Via IMAP\nMessage-ID: <imap-1@example.com>\n\nHello from the mailbox.\n"),
				lf("\nTo: support@northwind.example\nSubject: No sender\nMessage-ID: <imap-2@example.com>\n\nwho am I: no From and no Return-Path\n"),
				lf("\nReturn-Path: <>\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Out of office\nAuto-Submitted: auto-replied\nMessage-ID: <imap-3@example.com>\n\naway\n"),
			} {
				w := cl.Append("INBOX", int64(len(raw)), nil)
				w.Write(raw)
				w.Close()
				if _, err := w.Wait(); err != nil {
					t.Fatal(err)
				}
			}

			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			ch, err := email.New(email.Deps{DB: f.db, Inbox: f.svc, Clock: clock.System{}, Log: log}, email.Config{Hostname: hostname,
				IMAP: addr, IMAPUser: "support", IMAPPassword: "imap-s3cret", IMAPAccount: "Support@Northwind.example", RootCAs: roots})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			n, err := ch.Poll(ctx)
			if err != nil || n != 2 {
				t.Fatalf("poll took %d (%v), want 2: the mail and the auto-reply", n, err)
			}
			m := f.message(t, f.tenant, "imap-1@example.com")
			if m.Body != "Hello from the mailbox." {
				t.Fatalf("body %q", m.Body)
			}
			f.noMessage(t, f.tenant, "imap-3@example.com")

			if _, err := cl.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			msgs, err := cl.Fetch(imap.SeqSetNum(1, 2, 3), &imap.FetchOptions{Flags: true}).Collect()
			if err != nil || len(msgs) != 3 {
				t.Fatalf("flags: %v", err)
			}
			for i, want := range [][]imap.Flag{{imap.FlagSeen}, {imap.FlagSeen, imap.FlagFlagged}, {imap.FlagSeen}} {
				slices.Sort(msgs[i].Flags)
				slices.Sort(want)
				if !slices.Equal(msgs[i].Flags, want) {
					t.Errorf("message %d flags %v, want %v", i+1, msgs[i].Flags, want)
				}
			}

			// Nothing unseen is left: the next round takes nothing and stores nothing twice.
			if n, err := ch.Poll(ctx); err != nil || n != 0 {
				t.Fatalf("second poll took %d (%v)", n, err)
			}
			if tl, _ := f.svc.Timeline(ctx, f.tenant, m.ConversationID, store.Page{}); len(tl) != 1 {
				t.Fatalf("timeline %d", len(tl))
			}
		})
	}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
