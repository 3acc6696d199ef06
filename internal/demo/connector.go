package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/contextsrc/connectors"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// ConnectorPath is where a demo node serves Northwind's core banking system:
// a context connector answering signed items (cards, transactions, a loan,
// an appointment) for the demo's customers, so the screen-pop is filled
// without any system of one's own. ADR 0026 says how the node may call
// itself without the outbound guard letting any tenant in.
const ConnectorPath = "/demo/context/core-banking"

// ConnectorName is the demo connector's name, shown to agents.
const ConnectorName = "Core banking"

// SeedConnector registers the demo connector for the demo tenant unless a
// connector of that name exists: baseURL is the node's own.
func SeedConnector(ctx context.Context, db *store.DB, svc *connectors.Service, baseURL string) error {
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return err
	}
	cs, err := svc.List(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Name == ConnectorName {
			return nil
		}
	}
	if _, _, err := svc.Create(ctx, t.ID, connectors.Input{Name: ConnectorName, URL: strings.TrimRight(connectors.SelfURL(baseURL), "/") + ConnectorPath}); err != nil {
		return fmt.Errorf("demo connector: %w", err)
	}
	return nil
}

// Secrets gives the demo connector its signing secret.
type Secrets interface {
	Secret(ctx context.Context, tenantID, id string) (string, error)
}

// Connector is the demo's core banking system. It answers only requests for
// the demo tenant, signed with the secret of the connector they name, and
// signs its answers with it — as any real system must.
func Connector(db *store.DB, secrets Secrets, clk clock.Clock, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, "unreadable request", http.StatusBadRequest)
			return
		}
		var claim contextsrc.Request // who it says it is for; believed once the signature checks
		if json.Unmarshal(body, &claim) != nil {
			http.Error(w, "not a context request", http.StatusBadRequest)
			return
		}
		t, err := db.TenantBySlug(r.Context(), Slug)
		if err != nil || claim.TenantID != t.ID {
			http.Error(w, "this system serves the demo workspace only", http.StatusForbidden)
			return
		}
		secret, err := secrets.Secret(r.Context(), t.ID, claim.ConnectorID)
		if errors.Is(err, store.ErrNotFound) {
			http.Error(w, "unknown connector", http.StatusForbidden)
			return
		} else if err != nil {
			log.ErrorContext(r.Context(), "demo connector secret", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		req, err := contextsrc.ReadRequest(r, secret, clk.Now())
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		contextsrc.WriteAnswer(w, secret, clk.Now(), req, bankItems(req.Persona, clk.Now()))
	})
}

// bankItems is what Northwind's core banking knows about a customer: the
// same for the same persona, dated around now, with Zoë's card blocked
// abroad (her conversation is about it).
func bankItems(p contextsrc.Persona, now time.Time) []contextsrc.Item {
	h := fnv.New32a()
	h.Write([]byte(p.ID))
	n := h.Sum32()
	last4 := fmt.Sprintf("%04d", n%10000)
	day := func(d int, hour int) *time.Time {
		t := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		return &t
	}
	card := contextsrc.Item{Type: "card", Title: "Visa Classic •••• " + last4, Status: "active",
		Fields: []contextsrc.Field{{Label: "Limit", Value: "3,000.00 EUR"}, {Label: "Expires", Value: "09/28"}},
		Link:   "https://core.northwind.example/cards/" + last4, Importance: "normal"}
	abroad := false
	for _, id := range p.Identifiers {
		abroad = abroad || id.Value == Customer
	}
	if abroad {
		card.Status, card.Importance, card.Reason = "blocked", "high", "blocked abroad after two declined payments"
	}
	declined := contextsrc.Item{Type: "transaction", Title: "Pingo Doce Lisboa", Status: "settled",
		Amount: &contextsrc.Amount{Value: fmt.Sprintf("-%d.%02d", 20+n%80, n%100), Currency: "EUR"}, Date: day(-1, 18),
		Fields: []contextsrc.Field{{Label: "Card", Value: "•••• " + last4}}}
	if abroad {
		declined.Status, declined.Importance, declined.Reason = "declined", "high", "declined: card blocked for use abroad"
	}
	return []contextsrc.Item{
		card,
		declined,
		{Type: "transaction", Title: "Salary ACME Ltd", Status: "settled", Date: day(-5, 9),
			Amount: &contextsrc.Amount{Value: fmt.Sprintf("%d.00", 2400+n%900), Currency: "EUR"}},
		{Type: "loan", Title: "Home loan 1042", Status: "current",
			Amount: &contextsrc.Amount{Value: fmt.Sprintf("%d.00", 150000+n%90000), Currency: "EUR"},
			Fields: []contextsrc.Field{{Label: "Next instalment", Value: "812.40 EUR on the 1st"}, {Label: "Rate", Value: "3.1% fixed"}},
			Link:   "https://core.northwind.example/loans/1042"},
		{Type: "appointment", Title: "Mortgage review with a branch adviser", Status: "booked", Date: day(3, 10),
			Fields: []contextsrc.Field{{Label: "Branch", Value: "Lisbon Chiado"}}, Importance: "normal"},
	}
}
