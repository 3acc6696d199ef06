package demo

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// SeedInsight gives the demo tenant what the routing-rules page and the
// Reports page's schedules show, unless it has some already (so a demo
// database made before them gets them too):
//   - a routing rule: a conversation whose subject mentions a card (a mail's
//     subject; widget chats have none) is offered
//     to Ana first for a minute, then to anyone with the cards skill at 4 or
//     more for two minutes, then to anyone with the skill at all;
//   - a weekly report mailed to Sam Supervisor on Monday morning, Lisbon
//     time (caught by the demo's mail catcher like all its mail).
func SeedInsight(ctx context.Context, db *store.DB, routing *dispatch.Service, schedules *schedule.Service) error {
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return fmt.Errorf("demo insight: %w", err)
	}
	if err := seedRule(ctx, db, routing, t.ID); err != nil {
		return err
	}
	return seedSchedule(ctx, db, schedules, t.ID)
}

func seedRule(ctx context.Context, db *store.DB, routing *dispatch.Service, tenantID string) error {
	if have, err := routing.RoutingRules(ctx, tenantID); err != nil || len(have) > 0 {
		return err
	}
	ana, err := db.UserByEmail(ctx, tenantID, "ana@northwind.example")
	if err != nil {
		return fmt.Errorf("demo routing rule: %w", err)
	}
	_, err = routing.SaveRoutingRule(ctx, inbox.Actor{TenantID: tenantID}, dispatch.RuleConfig{
		Name:  "Card matters: Ana first, then card experts",
		Match: [][]dispatch.Condition{{{Attribute: "subject", Op: "contains", Value: "card"}}},
		Steps: []dispatch.CriteriaStepConfig{
			{Agents: []string{ana.ID}, ExpirySeconds: 60},
			{Skills: map[string]int{"cards": 4}, ExpirySeconds: 120},
			{Skills: map[string]int{"cards": 1}},
		},
	})
	if err != nil {
		return fmt.Errorf("demo routing rule: %w", err)
	}
	return nil
}

func seedSchedule(ctx context.Context, db *store.DB, schedules *schedule.Service, tenantID string) error {
	if have, err := schedules.List(ctx, tenantID); err != nil || len(have) > 0 {
		return err
	}
	sup, err := db.UserByEmail(ctx, tenantID, People[1].Email)
	if err != nil {
		return fmt.Errorf("demo report schedule: %w", err)
	}
	_, err = schedules.Create(ctx, tenantID, sup.ID, schedule.Input{
		Name:       "Weekly overview",
		When:       schedule.When{Frequency: schedule.Weekly, Weekday: 1, At: "08:00", TZ: "Europe/Lisbon"},
		Recipients: []string{sup.ID},
	})
	if err != nil {
		return fmt.Errorf("demo report schedule: %w", err)
	}
	return nil
}
