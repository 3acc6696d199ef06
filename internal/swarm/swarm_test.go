package swarm_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func openRoom(t *testing.T) (swarm.Room, []swarm.Member) {
	t.Helper()
	r, err := swarm.Open("r1", "t1", "c1", "alice", "  card declined abroad?  ", t0)
	if err != nil {
		t.Fatal(err)
	}
	return r, []swarm.Member{opener(r)}
}

func TestOpenAndClose(t *testing.T) {
	r, _ := openRoom(t)
	if r.State != swarm.StateOpen || r.Question != "card declined abroad?" {
		t.Fatalf("opened %+v", r)
	}
	var inv *swarm.InvalidError
	if _, err := swarm.Open("r2", "t1", "c1", "alice", " ", t0); !errors.As(err, &inv) || inv.Field != "question" {
		t.Fatalf("empty question: %v", err)
	}
	if _, err := swarm.Open("r2", "t1", "c1", "alice", strings.Repeat("é", swarm.MaxQuestion+1), t0); !errors.As(err, &inv) || inv.Field != "question" {
		t.Fatalf("long question: %v", err)
	}
	if _, err := r.Close("alice", "", t0); !errors.As(err, &inv) || inv.Field != "outcome" {
		t.Fatalf("close without outcome: %v", err)
	}
	c, err := r.Close("bob", "travel flag", t0.Add(time.Hour))
	if err != nil || c.State != swarm.StateClosed || c.Outcome != "travel flag" || c.ClosedBy != "bob" || !c.ClosedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("closed %+v, %v", c, err)
	}
	if _, err := c.Close("bob", "again", t0); !errors.Is(err, swarm.ErrClosed) {
		t.Fatalf("close twice: %v", err)
	}
}

func TestMembership(t *testing.T) {
	r, ms := openRoom(t)
	closed, _ := r.Close("alice", "done", t0)
	tests := []struct {
		name     string
		room     swarm.Room
		by, user string
		want     error
	}{
		{"a joined member invites", r, "alice", "bob", nil},
		{"a stranger cannot invite", r, "mallory", "bob", swarm.ErrNotMember},
		{"no one twice", r, "alice", "alice", swarm.ErrAlreadyMember},
		{"not into a closed room", closed, "alice", "bob", swarm.ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := swarm.Invite(tc.room, ms, tc.by, tc.user, t0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if err == nil && (m.Status != swarm.Invited || m.InvitedBy != "alice" || m.UserID != "bob") {
				t.Fatalf("invited %+v", m)
			}
		})
	}
	bob, _ := swarm.Invite(r, ms, "alice", "bob", t0)
	ms = append(ms, bob)
	if _, err := swarm.Invite(r, ms, "bob", "carol", t0); !errors.Is(err, swarm.ErrNotMember) {
		t.Fatalf("an invited (not joined) member invites: %v", err)
	}
	if _, _, err := swarm.Join(r, ms, "carol", t0); !errors.Is(err, swarm.ErrNotInvited) {
		t.Fatalf("join uninvited: %v", err)
	}
	if _, _, err := swarm.Join(closed, ms, "bob", t0); !errors.Is(err, swarm.ErrClosed) {
		t.Fatalf("join closed: %v", err)
	}
	j, changed, err := swarm.Join(r, ms, "bob", t0.Add(time.Minute))
	if err != nil || !changed || j.Status != swarm.Joined || !j.JoinedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("join: %+v %v %v", j, changed, err)
	}
	ms[1] = j
	if _, changed, err := swarm.Join(r, ms, "bob", t0.Add(2*time.Minute)); err != nil || changed {
		t.Fatalf("join again: changed %v, %v", changed, err)
	}
}

func TestSay(t *testing.T) {
	r, ms := openRoom(t)
	bob, _ := swarm.Invite(r, ms, "alice", "bob", t0)
	ms = append(ms, bob)
	var inv *swarm.InvalidError
	m, err := swarm.Say(r, ms, "m1", "alice", " look ", []string{"bob", "bob"}, nil, t0)
	if err != nil || m.Body != "look" || len(m.Mentions) != 1 || m.Mentions[0] != "bob" {
		t.Fatalf("say: %+v %v", m, err)
	}
	if _, err := swarm.Say(r, ms, "m2", "bob", "hi", nil, nil, t0); !errors.Is(err, swarm.ErrNotMember) {
		t.Fatalf("an invited person writes before joining: %v", err)
	}
	if _, err := swarm.Say(r, ms, "m2", "alice", "hi", []string{"carol"}, nil, t0); !errors.As(err, &inv) || inv.Field != "mentions" {
		t.Fatalf("mention a stranger: %v", err)
	}
	if _, err := swarm.Say(r, ms, "m2", "alice", "", nil, nil, t0); !errors.As(err, &inv) || inv.Field != "body" {
		t.Fatalf("empty body: %v", err)
	}
	closed, _ := r.Close("alice", "done", t0)
	if _, err := swarm.Say(closed, ms, "m2", "alice", "hi", nil, nil, t0); !errors.Is(err, swarm.ErrClosed) {
		t.Fatalf("say in a closed room: %v", err)
	}
}

func TestMinutesSpent(t *testing.T) {
	ms := []swarm.Member{
		{UserID: "alice", Status: swarm.Joined, JoinedAt: t0},
		{UserID: "bob", Status: swarm.Joined, JoinedAt: t0.Add(10 * time.Minute)},
		{UserID: "carol", Status: swarm.Invited},
		{UserID: "dave", Status: swarm.Joined, JoinedAt: t0},
	}
	last := map[string]time.Time{"alice": t0.Add(25*time.Minute + time.Second), "bob": t0.Add(20 * time.Minute), "dave": t0.Add(3 * time.Hour)}
	got := swarm.MinutesSpent(ms, last, t0.Add(time.Hour))
	want := map[string]int{"alice": 26, "bob": 10, "dave": 60}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for u, n := range want {
		if got[u] != n {
			t.Fatalf("%s: %d minutes, want %d (all %v)", u, got[u], n, got)
		}
	}
	if got := swarm.MinutesSpent([]swarm.Member{{UserID: "e", Status: swarm.Joined, JoinedAt: t0}}, nil, t0.Add(time.Hour)); got["e"] != 1 {
		t.Fatalf("a silent member: %v, want 1 minute", got)
	}
}

func TestContribute(t *testing.T) {
	r, _ := openRoom(t)
	c := swarm.Contribute("x", r, "bob", swarm.KindMessage, "m1", t0)
	if c.TenantID != "t1" || c.RoomID != "r1" || c.ConversationID != "c1" || c.UserID != "bob" || c.Kind != swarm.KindMessage || c.Ref != "m1" {
		t.Fatalf("%+v", c)
	}
}

func opener(r swarm.Room) swarm.Member {
	m, _ := swarm.Opener(r)
	return m
}

// TestIntegration: an API key (the workspace's integration) opens a room
// with no opener, invites and writes as a joined member would, but never
// joins.
func TestIntegration(t *testing.T) {
	r, err := swarm.Open("r1", "t1", "c1", swarm.Integration, "bot asks", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := swarm.Opener(r); ok {
		t.Fatal("an integration's room has an opener")
	}
	m, err := swarm.Invite(r, nil, swarm.Integration, "bob", t0)
	if err != nil || m.InvitedBy != "" {
		t.Fatalf("integration invites: %+v %v", m, err)
	}
	if _, err := swarm.Say(r, []swarm.Member{m}, "m1", swarm.Integration, "context", []string{"bob"}, nil, t0); err != nil {
		t.Fatalf("integration writes: %v", err)
	}
	if _, _, err := swarm.Join(r, []swarm.Member{m}, swarm.Integration, t0); !errors.Is(err, swarm.ErrNotInvited) {
		t.Fatalf("integration joins: %v", err)
	}
}

func TestLinksDuring(t *testing.T) {
	r, _ := openRoom(t)
	ms := []swarm.Member{
		{UserID: "alice", Status: swarm.Joined, JoinedAt: t0},
		{UserID: "bob", Status: swarm.Joined, JoinedAt: t0.Add(10 * time.Minute)},
		{UserID: "carol", Status: swarm.Invited},
	}
	links := []swarm.LinkMade{
		{UserID: "alice", ArticleID: "before-room", At: t0.Add(-time.Minute)},
		{UserID: "alice", ArticleID: "a1", At: t0.Add(5 * time.Minute)},
		{UserID: "bob", ArticleID: "before-join", At: t0.Add(5 * time.Minute)},
		{UserID: "bob", ArticleID: "b1", At: t0.Add(20 * time.Minute)},
		{UserID: "carol", ArticleID: "not-joined", At: t0.Add(20 * time.Minute)},
		{UserID: "dave", ArticleID: "stranger", At: t0.Add(20 * time.Minute)},
		{UserID: "alice", ArticleID: "after-close", At: t0.Add(2 * time.Hour)},
	}
	var got []string
	for _, l := range swarm.LinksDuring(r, ms, links, t0.Add(time.Hour)) {
		got = append(got, l.ArticleID)
	}
	if strings.Join(got, ",") != "a1,b1" {
		t.Fatalf("links during the room: %v, want a1,b1", got)
	}
}
