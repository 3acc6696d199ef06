package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestRollupPartsUseRanges checks SQLite's plan of a dashboard's statement:
// every part must be a range of an index bounded by the hours, never the
// whole of a dimension (with "metric IN (…)" the agents' part was planned
// as a scan of every agent cell by the primary key: 1.7 s a dashboard at a
// month of 20,000 conversations).
func TestRollupPartsUseRanges(t *testing.T) {
	db := storetest.OpenSQLite(t)
	parts := []store.RollupPart{
		{Dim: "all", Val: "", Grain: "d", From: 0, To: 86400, Except: "conversations"},
		{Dim: "all", AnyVal: true, Grain: "h", From: 0, To: 86400, Metrics: []string{"conversations"}, ByHour: true},
		{Dim: "all", Val: "", Grain: "d", From: 0, To: 86400, Hists: true},
		{Dim: "agent", AnyVal: true, Grain: "d", From: 0, To: 86400, Metrics: []string{"presence", "wait", "handle"}},
		{Dim: "notice_type", AnyVal: true, Grain: "d", From: 0, To: 86400, Metrics: []string{"notice_sent", "notice_read"}},
	}
	q, args := store.RollupPartsSQL("t1", parts)
	rows, err := db.SQL().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	searches := 0
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(detail, "SCAN") || (strings.HasPrefix(detail, "SEARCH") && !strings.Contains(detail, "hour>?")) {
			t.Errorf("a part reads more than its hours: %s", detail)
		}
		if strings.HasPrefix(detail, "SEARCH") {
			searches++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := 8; searches != want { // a SELECT per metric of the agents' and notices' parts
		t.Errorf("%d searches in the plan, want %d", searches, want)
	}
	// The rows come back tagged with their part, summed where asked.
	ctx := context.Background()
	tn := storetest.NewTenant(t, db, "parts")
	add := func(grain string, hour int64, dim, val, metric, sub string, n int64) store.RollupCounter {
		return store.RollupCounter{RollupCell: store.RollupCell{Grain: grain, Hour: hour, Dim: dim, Val: val, Metric: metric, Sub: sub}, N: n, Total: n * 10}
	}
	if err := db.AddRollupCounters(ctx, tn.ID, []store.RollupCounter{
		add("d", 0, "agent", "a1", "wait", "", 2), add("d", 0, "agent", "a2", "wait", "", 3), add("d", 86400, "agent", "a1", "wait", "", 100),
		add("h", 3600, "all", "", "conversations", "chat", 4), add("h", 7200, "all", "", "conversations", "chat", 5),
		add("d", 0, "agent", "a1", "handle", "", 7),
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db.RollupParts(ctx, tn.ID, parts)
	if err != nil {
		t.Fatal(err)
	}
	byPart := map[int][]store.RollupPartRow{}
	for _, r := range got {
		byPart[r.Part] = append(byPart[r.Part], r)
	}
	if len(byPart[1]) != 2 || byPart[1][0].Hour+byPart[1][1].Hour != 3600+7200 {
		t.Errorf("volume by the hour: %+v", byPart[1])
	}
	sums := map[string]int64{}
	for _, r := range byPart[3] {
		sums[r.Val+"/"+r.Metric] += r.N
	}
	if len(byPart[3]) != 3 || sums["a1/wait"] != 2 || sums["a2/wait"] != 3 || sums["a1/handle"] != 7 {
		t.Errorf("agents in [0, 86400): %+v", byPart[3])
	}
}
