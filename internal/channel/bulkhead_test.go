package channel

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func TestBulkheadHardBound(t *testing.T) {
	b := NewBulkhead(3, 2, 5*time.Second)
	for i := range 3 {
		if !b.Enter("wa", t0) {
			t.Fatalf("send %d of a hard bound of 3 refused", i+1)
		}
	}
	if b.Enter("wa", t0) {
		t.Fatal("a fourth send entered a hard bound of 3")
	}
	if !b.Enter("sms", t0) {
		t.Fatal("another channel is held by this one's bound")
	}
	b.Leave("wa", t0)
	if !b.Enter("wa", t0) {
		t.Fatal("a place given back was not taken again")
	}
	var none *Bulkhead
	if !none.Enter("x", t0) {
		t.Fatal("no bulkhead holds nothing back")
	}
	none.Leave("x", t0)
	if z := NewBulkhead(0, 0, 0); z.hard != 1 || z.share != 1 {
		t.Fatal("bounds below one would hold every send for ever")
	}
}

func TestBulkheadShareWhileSlow(t *testing.T) {
	b := NewBulkhead(8, 2, 5*time.Second)
	for i := range 6 { // a healthy burst: beyond the share, within the hard bound
		if !b.Enter("email", t0.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("send %d of a healthy channel held back", i+1)
		}
	}
	b.Leave("email", t0.Add(10*time.Millisecond))
	if !b.Enter("email", t0.Add(4*time.Second)) {
		t.Fatal("held back 4 s after a send finished")
	}
	if b.Enter("email", t0.Add(6*time.Second)) {
		t.Fatal("nothing finished for 6 s with 6 in flight: the channel is slow, its share is 2")
	}
	if !b.Enter("sms", t0.Add(6*time.Second)) {
		t.Fatal("another channel held back")
	}
}
