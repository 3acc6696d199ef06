package channel

import (
	"testing"
	"time"
)

func TestBulkhead(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	b := NewBulkhead(2)
	if !b.Enter("wa", now) || !b.Enter("wa", now) {
		t.Fatal("the share of 2 refused")
	}
	if b.Enter("wa", now) {
		t.Fatal("a third send entered a share of 2")
	}
	if !b.Enter("sms", now) {
		t.Fatal("another channel is not held by this one's share")
	}
	b.Leave("wa", now)
	if !b.Enter("wa", now) {
		t.Fatal("a place given back was not taken again")
	}
	var none *Bulkhead
	if !none.Enter("x", now) {
		t.Fatal("no bulkhead holds nothing back")
	}
	none.Leave("x", now)
	if NewBulkhead(0).max != 1 {
		t.Fatal("a share below one would hold every send for ever")
	}
}

func TestSlowBulkhead(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	b := NewSlowBulkhead(2, 5*time.Second)
	for i := range 6 { // a healthy burst: sends finishing all the time
		if !b.Enter("email", now.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("send %d of a healthy channel held back", i)
		}
	}
	b.Leave("email", now.Add(10*time.Millisecond))
	if !b.Enter("email", now.Add(4*time.Second)) {
		t.Fatal("held back 4 s after a send finished")
	}
	if b.Enter("email", now.Add(6*time.Second)) {
		t.Fatal("nothing finished for 6 s with 6 sends in flight: the channel is slow, its share is 2")
	}
	if !b.Enter("sms", now.Add(6*time.Second)) {
		t.Fatal("another channel held back")
	}
}
