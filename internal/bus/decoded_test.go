package bus

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// TestDecodedEventsShareTheWorkNotTheData: subscriptions handed the same
// message get equal events, each with a Data of its own; more messages than
// are kept still decode right.
func TestDecodedEventsShareTheWorkNotTheData(t *testing.T) {
	var d decodedEvents
	wire := func(i int) []byte {
		raw, _ := json.Marshal(event.Event{Seq: int64(i), ID: fmt.Sprint("ev", i), TenantID: "t1", Type: event.MessageCreated,
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), At: time.Unix(int64(i), 0).UTC()})
		return raw
	}
	first, err := d.decode(wire(1))
	if err != nil {
		t.Fatal(err)
	}
	second, err := d.decode(wire(1))
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != "ev1" || second.ID != "ev1" || string(second.Data) != `{"n":1}` || !second.At.Equal(first.At) {
		t.Fatalf("decoded %+v and %+v", first, second)
	}
	first.Data[2] = 'X' // one handler scribbling on its copy
	if string(second.Data) != `{"n":1}` {
		t.Fatalf("a handler's change reached another's event: %s", second.Data)
	}
	if again, _ := d.decode(wire(1)); string(again.Data) != `{"n":1}` {
		t.Fatalf("a handler's change reached the cache: %s", again.Data)
	}
	for i := range 3 * decodedKeep {
		ev, err := d.decode(wire(i))
		if err != nil || ev.Seq != int64(i) || string(ev.Data) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("message %d decoded to %+v (%v)", i, ev, err)
		}
	}
	if len(d.byID) > decodedKeep {
		t.Fatalf("%d events kept, the bound is %d", len(d.byID), decodedKeep)
	}
	if _, err := d.decode([]byte(`{"seq":`)); err == nil {
		t.Fatal("a broken message decoded")
	}
}
