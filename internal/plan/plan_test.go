package plan_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/plan"
)

func ptr(n int64) *int64 { return &n }

func TestCheck(t *testing.T) {
	l := plan.Limits{Agents: ptr(3), StorageBytes: ptr(0)}
	for _, tc := range []struct {
		name         string
		used, adding int64
		refused      bool
	}{
		{plan.Agents, 2, 1, false},
		{plan.Agents, 3, 1, true},
		{plan.Agents, 5, 0, false}, // lowered below use: nothing added, nothing refused
		{plan.NoticesPerMonth, 1 << 40, 1, false},
		{plan.StorageBytes, 0, 1, true},
	} {
		err := l.Check(tc.name, tc.used, tc.adding)
		var le *plan.LimitError
		if got := errors.As(err, &le); got != tc.refused {
			t.Errorf("Check(%s, %d, %d) = %v, want refused %v", tc.name, tc.used, tc.adding, err, tc.refused)
		} else if got && le.Limit != tc.name {
			t.Errorf("refusal names %q, want %q", le.Limit, tc.name)
		}
	}
}

func TestWarnings(t *testing.T) {
	l := plan.Limits{Agents: ptr(10), NoticesPerMonth: ptr(0), StorageBytes: ptr(100)}
	got := l.Warnings(plan.Usage{Agents: 7, NoticesSent: 0, StorageBytes: 80})
	want := []plan.Warning{{Limit: plan.StorageBytes, Used: 80, Cap: 100}}
	if len(got) != 1 || got[0] != want[0] {
		t.Fatalf("warnings %+v, want %+v (7 of 10 is under 80 %%; a limit of 0 turns a thing off)", got, want)
	}
	if got := l.Warnings(plan.Usage{Agents: 8}); len(got) != 1 || got[0].Limit != plan.Agents {
		t.Fatalf("8 of 10 agents: %+v", got)
	}
}

func TestMonth(t *testing.T) {
	m, err := plan.ParseMonth("2026-12")
	if err != nil || m.String() != "2026-12" || !m.Start().Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) ||
		!m.End().Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("ParseMonth: %v %v", m, err)
	}
	for _, bad := range []string{"", "2026-13", "12-2026", "2026-1"} {
		if _, err := plan.ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
	// 23:30 on 31 December in New York is already January in UTC.
	ny, _ := time.LoadLocation("America/New_York")
	if got := plan.MonthOf(time.Date(2026, 12, 31, 23, 30, 0, 0, ny)); got.String() != "2027-01" {
		t.Errorf("MonthOf: %v", got)
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	err := plan.WriteCSV(&b, []plan.Usage{{TenantID: "t1", Slug: "acme", Month: "2026-11", Conversations: 2,
		Messages: []plan.ChannelMessages{{Channel: "email", Inbound: 3, Outbound: 2}}, NoticesSent: 1, AgentsActive: 2, Agents: 3, StorageBytes: 1063}})
	if err != nil {
		t.Fatal(err)
	}
	want := "tenant_id,tenant_slug,month,metric,channel,value\n" +
		"t1,acme,2026-11,conversations,,2\n" +
		"t1,acme,2026-11,messages_inbound,email,3\n" +
		"t1,acme,2026-11,messages_outbound,email,2\n" +
		"t1,acme,2026-11,notices_sent,,1\n" +
		"t1,acme,2026-11,agents_active,,2\n" +
		"t1,acme,2026-11,agents,,3\n" +
		"t1,acme,2026-11,storage_bytes,,1063\n"
	if b.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", b.String(), want)
	}
}
