package send_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkSend measures the Sender end to end: b.N pending SMS deliveries,
// claimed, rendered, sent over HTTP to the Twilio-like server and recorded,
// with the default concurrency and batch. For the figure at scale:
//
//	go test ./internal/notify/send -run '^$' -bench Send -benchtime 20000x
func BenchmarkSend(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			f := newFixture(b, e.Open, send.Config{})
			f.setType(b, shipped)
			personas := make([]string, b.N)
			ctx := context.Background()
			err := f.db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
				for i := range personas {
					p := persona.Persona{ID: ids.New(), TenantID: f.tenant, Name: "P", CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now(),
						Identifiers: []persona.Identifier{{Kind: persona.KindPhone, Value: fmt.Sprintf("+1555%07d", i)}}}
					if err := s.CreatePersona(ctx, p); err != nil {
						return err
					}
					personas[i] = p.ID
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			f.raise(b, shipped, order, []string{"sms"}, personas...)
			all := f.twilio.Await(b.N)

			b.ResetTimer()
			start := time.Now()
			ctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- f.sender.Run(ctx) }()
			select {
			case <-all:
			case <-time.After(10 * time.Minute):
				b.Fatal("not every text was sent")
			}
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
		})
	}
}
