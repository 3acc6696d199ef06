package swarm_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

func TestLearnExpertise(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	cards := swarm.AreaRef{Kind: swarm.AreaTag, Name: "cards"}
	loans := swarm.AreaRef{Kind: swarm.AreaTag, Name: "loans"}
	queue := swarm.AreaRef{Kind: swarm.AreaQueue, Name: "Cards"}
	signals := []swarm.Signal{
		{UserID: "ann", ConversationID: "c1", Kind: swarm.WhyResolved, Areas: []swarm.AreaRef{cards, queue}, At: ago(1)},
		{UserID: "ann", ConversationID: "c2", Kind: swarm.WhyResolved, Areas: []swarm.AreaRef{{Kind: swarm.AreaTag, Name: " Cards "}}, At: ago(10)},
		{UserID: "ann", ConversationID: "c3", Kind: swarm.WhyHelped, Areas: []swarm.AreaRef{cards}, At: ago(2)},
		{UserID: "ann", ConversationID: "c3", Kind: swarm.WhyHelped, Areas: []swarm.AreaRef{cards}, At: ago(2)},     // ten messages, one help
		{UserID: "ann", ConversationID: "c9", Kind: swarm.WhyResolved, Areas: []swarm.AreaRef{loans}, At: ago(900)}, // too old to count
		{UserID: "ben", ConversationID: "c4", Kind: swarm.WhyResolved, Areas: []swarm.AreaRef{loans}, At: ago(90)},
		{UserID: "ben", ConversationID: "c5", Kind: swarm.WhyLinked, Areas: []swarm.AreaRef{loans, {Kind: swarm.AreaCategory, Name: ""}}, At: ago(0)},
		{UserID: "", ConversationID: "c6", Kind: swarm.WhyResolved, Areas: []swarm.AreaRef{cards}, At: ago(0)},
		{UserID: "cat", ConversationID: "c7", Kind: "noted", Areas: []swarm.AreaRef{cards}, At: ago(0)},
	}
	got := swarm.LearnExpertise(signals, now)
	if len(got) != 2 || got["cat"] != nil {
		t.Fatalf("people: %v", got)
	}
	ann := got["ann"]
	if len(ann) != 2 || ann[0].Name != "cards" || ann[0].Kind != swarm.AreaTag || ann[1].Kind != swarm.AreaQueue {
		t.Fatalf("ann's areas: %+v", ann)
	}
	if c := ann[0]; c.Cases != 3 || c.Resolved != 2 || c.Helped != 1 || !c.Last.Equal(ago(1)) {
		t.Fatalf("ann in cards (the tag in any case and spacing is one area, one help per room): %+v", c)
	}
	want := math.Exp2(-1.0/90) + math.Exp2(-10.0/90) + 0.6*math.Exp2(-2.0/90)
	if math.Abs(ann[0].Score-want) > 0.001 {
		t.Fatalf("ann's cards score %.4f, want %.4f (recency-weighted)", ann[0].Score, want)
	}
	ben := got["ben"]
	if len(ben) != 1 || ben[0].Name != "loans" || ben[0].Cases != 2 || math.Abs(ben[0].Score-(0.5+0.7)) > 0.001 {
		t.Fatalf("ben: a case 90 days old counts half: %+v", ben)
	}
	m := swarm.Matching(ann, []swarm.AreaRef{{Kind: swarm.AreaTag, Name: "CARDS"}, loans})
	if len(m) != 1 || m[0].Name != "cards" {
		t.Fatalf("matching: %+v", m)
	}
}

// TestRankExpertsByArea: learned areas are one more line of evidence: a
// person with no similar case but a record in the room's area is
// suggested, with "expert in cards — 3 cases".
func TestRankExpertsByArea(t *testing.T) {
	areas := []swarm.Area{{AreaRef: swarm.AreaRef{Kind: swarm.AreaTag, Name: "cards"}, Score: 2.5, Cases: 3}}
	got := swarm.RankExperts(nil, []swarm.Candidate{{UserID: "ann", Presence: "available", Areas: areas}, {UserID: "ben", Presence: "available"}}, nil, 5)
	if len(got) != 1 || got[0].UserID != "ann" || got[0].Why[0].Code != swarm.WhyExpertIn || got[0].Why[0].Text != "expert in cards — 3 cases" {
		t.Fatalf("by area alone: %+v", got)
	}
	ev := []swarm.Evidence{{ConversationID: "c1", Similarity: 3, ResolverID: "ben"}, {ConversationID: "c2", Similarity: 3, ResolverID: "cat"}}
	got = swarm.RankExperts(ev, []swarm.Candidate{{UserID: "ben", Presence: "available"}, {UserID: "cat", Presence: "available", Areas: areas}}, nil, 5)
	if ids(got)[0] != "cat" || !strings.HasPrefix(got[0].Why[1].Text, "expert in cards") {
		t.Fatalf("the area breaks the tie: %+v", got)
	}
}

func TestMonthsAndWork(t *testing.T) {
	nov, dec := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	cs := []swarm.Contribution{
		{RoomID: "r1", UserID: "ann", Kind: swarm.KindJoin, At: nov},
		{RoomID: "r1", UserID: "ann", Kind: swarm.KindMessage, At: nov},
		{RoomID: "r1", UserID: "ann", Kind: swarm.KindMinutes, Minutes: 12, At: dec},
		{RoomID: "r2", UserID: "ann", Kind: swarm.KindLink, At: dec},
		{RoomID: "r2", UserID: "ann", Kind: swarm.KindMinutes, Minutes: 3, At: dec},
	}
	ms := swarm.Months(cs, time.UTC)
	if len(ms) != 2 || ms[0] != (swarm.Month{Month: "2026-12", Rooms: 2, Links: 1, Minutes: 15}) || ms[1] != (swarm.Month{Month: "2026-11", Rooms: 1, Joins: 1, Messages: 1}) {
		t.Fatalf("months: %+v", ms)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if ms := swarm.Months(cs[:1], paris); ms[0].Month != "2026-12" {
		t.Fatalf("23:30 UTC on 30 Nov is December in Paris: %+v", ms)
	}
	rooms := []swarm.Room{{ID: "r1"}, {ID: "r2"}}
	members := map[string][]swarm.Member{"r1": {{UserID: "ann", Status: swarm.Joined}, {UserID: "bob", Status: swarm.Invited}}}
	w := swarm.WorkOn(rooms, members, cs)
	if len(w) != 2 || len(w[0].People) != 2 || w[0].People[0] != (swarm.PersonWork{UserID: "ann", Status: "joined", Messages: 1, Minutes: 12}) ||
		w[0].People[1] != (swarm.PersonWork{UserID: "bob", Status: "invited"}) || w[1].People[0].Links != 1 || w[1].People[0].Minutes != 3 {
		t.Fatalf("work: %+v", w)
	}
}

func TestAttachable(t *testing.T) {
	up := func(id, room, by, msg string) swarm.Upload {
		return swarm.Upload{Attachment: swarm.Attachment{ID: id, Name: id + ".txt"}, RoomID: room, UploadedBy: by, MessageID: msg}
	}
	uploads := map[string]swarm.Upload{"a": up("a", "r1", "ann", ""), "b": up("b", "r1", "bob", ""), "c": up("c", "r2", "ann", ""), "d": up("d", "r1", "ann", "m0")}
	if got, err := swarm.Attachable("r1", "ann", []string{"a"}, uploads); err != nil || len(got) != 1 || got[0].Name != "a.txt" {
		t.Fatalf("own upload: %v %v", got, err)
	}
	for _, bad := range [][]string{{"b"}, {"c"}, {"d"}, {"x"}, {"a", "a"}} {
		var inv *swarm.InvalidError
		if _, err := swarm.Attachable("r1", "ann", bad, uploads); !errors.As(err, &inv) || inv.Field != "attachment_ids" {
			t.Errorf("%v: %v", bad, err)
		}
	}
	r, _ := swarm.Open("r1", "t1", "c1", "ann", "q", t0)
	ms := []swarm.Member{opener(r)}
	if m, err := swarm.Say(r, ms, "m1", "ann", "  ", nil, []swarm.Attachment{{ID: "a"}}, t0); err != nil || m.Body != "" || len(m.Attachments) != 1 {
		t.Fatalf("a file alone: %+v %v", m, err)
	}
	if _, err := swarm.Say(r, ms, "m1", "ann", "x", nil, make([]swarm.Attachment, swarm.MaxAttachments+1), t0); err == nil {
		t.Fatal("too many files")
	}
	if !swarm.TellAway("away") || !swarm.TellAway("offline") || swarm.TellAway("busy") || swarm.TellAway("training") {
		t.Fatal("TellAway")
	}
}
