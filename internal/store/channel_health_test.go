package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestChannelHealthAndAccountEdit: send records count failures in a row and
// a success clears them, per tenant; an account's name and settings change
// but not another tenant's. The same on both engines.
func TestChannelHealthAndAccountEdit(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ctx := context.Background()
			a, b := storetest.NewTenant(t, db, "health-a"), storetest.NewTenant(t, db, "health-b")
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			for i := range 3 {
				if err := db.RecordSend(ctx, a.ID, "email", false, "550 no relay", at.Add(time.Duration(i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			recs, err := db.SendRecords(ctx, a.ID)
			if err != nil || len(recs) != 1 || recs[0].Failures != 3 || recs[0].LastError != "550 no relay" ||
				!recs[0].LastFailure.Equal(at.Add(2*time.Second)) || !recs[0].LastSuccess.IsZero() {
				t.Fatalf("after three failures: %+v %v", recs, err)
			}
			if channel.Health(recs[0], true) != channel.HealthFailing {
				t.Fatalf("three failures are %s", channel.Health(recs[0], true))
			}
			if err := db.RecordSend(ctx, a.ID, "email", true, "", at.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			recs, _ = db.SendRecords(ctx, a.ID)
			if recs[0].Failures != 0 || !recs[0].LastSuccess.Equal(at.Add(time.Minute)) {
				t.Fatalf("after a success: %+v", recs[0])
			}
			if recs, _ := db.SendRecords(ctx, b.ID); len(recs) != 0 {
				t.Fatalf("tenant B sees %+v", recs)
			}

			acc := channel.Account{ID: ids.New(), TenantID: a.ID, Channel: "webchat", Address: "wk_" + ids.New()[:8], Name: "Site",
				Settings: map[string]string{"title": "Help"}}
			if err := db.CreateChannelAccount(ctx, acc, at); err != nil {
				t.Fatal(err)
			}
			acc.Name, acc.Settings = "Shop", map[string]string{"title": "Shop help", "end_message": "Bye"}
			if err := db.UpdateChannelAccount(ctx, acc); err != nil {
				t.Fatal(err)
			}
			got, err := db.ChannelAccount(ctx, a.ID, acc.ID)
			if err != nil || got.Name != "Shop" || got.Settings["end_message"] != "Bye" || got.Address != acc.Address {
				t.Fatalf("updated account %+v %v", got, err)
			}
			foreign := acc
			foreign.TenantID = b.ID
			if err := db.UpdateChannelAccount(ctx, foreign); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("tenant B updated tenant A's account: %v", err)
			}
		})
	}
}
