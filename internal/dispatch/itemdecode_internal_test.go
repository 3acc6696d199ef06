package dispatch

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

// randomItem is an item as the dispatcher may store it, every optional part
// present or not at random.
func randomItem(rng *rand.Rand) item {
	at := func() time.Time {
		return time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(1e15)) - 5e14).
			In([]*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("X", -5*3600)}[rng.IntN(3)])
	}
	id := func() string { return "01J" + strconv.FormatUint(rng.Uint64(), 36) }
	it := item{Work: routing.Work{ID: id(), ConversationID: id(), Kind: []routing.Kind{routing.Conversation, routing.Callback, routing.Escalation, ""}[rng.IntN(4)],
		QueueID: id(), Modality: routing.Modalities[rng.IntN(len(routing.Modalities))], Priority: rng.IntN(7) - 2, Arrived: at()}}
	if rng.IntN(2) == 0 {
		it.Preferred, it.PreferredFor = id(), time.Duration(rng.Int64N(1e12))
	}
	if rng.IntN(3) == 0 {
		it.NotBefore, it.NotAfter = at(), at()
	}
	if rng.IntN(3) == 0 {
		it.Cooldown = map[string]time.Time{id(): at(), id(): at()}
	}
	if rng.IntN(2) == 0 {
		it.Live, it.QuietSince = true, at()
	}
	if rng.IntN(2) == 0 {
		it.Criteria = &routing.Criteria{Steps: []routing.CriteriaStep{
			{Skills: map[string]int{"billing": 4, "fr": 2}, AnyOf: []map[string]int{{"x": 1}}, Expiry: 20 * time.Second},
			{Agents: []string{id(), id()}, Expiry: time.Duration(rng.Int64N(1e11))},
			{}}}
		it.CriteriaSince = at()
	}
	if rng.IntN(2) == 0 {
		it.CallbackID, it.Assignee, it.Channel = id(), id(), "webchat"
	}
	return it
}

// TestDecodeItemMatchesEncodingJSON checks the rebuild's decoder against
// json.Unmarshal on items as stored, and on inputs its fast path must hand
// over: both give the same item, and both fail or neither.
func TestDecodeItemMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 500))
	var inputs []string
	for range 2000 {
		data, err := json.Marshal(randomItem(rng))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(data))
	}
	inputs = append(inputs,
		`{}`, ` { } `, `{"id":"a"}`, `{"id":"a","id":"b"}`,
		`{"id":"a\"b","queue_id":"q"}`,        // an escape
		`{"id":"caf\u00e9"}`, `{"id":"café"}`, // beyond ASCII
		"{\"id\":\"a\xffb\"}",                      // invalid UTF-8: replaced by encoding/json
		`{"ID":"upper","Queue_ID":"q"}`,            // keys match without case in encoding/json
		`{"id":"a","extra":{"x":[1,2,{"y":"}"}]}}`, // a key not ours
		`{"id":null,"criteria":null,"arrived":null}`,
		`{"priority":1.0}`, `{"priority":1e2}`, `{"priority":+1}`, `{"priority":01}`, `{"priority":-0}`,
		`{"priority":99999999999999999999}`, `{"preferred_for":-3}`,
		`{"live":true}`, `{"live":false}`, `{"live":tru}`, `{"live":1}`,
		`{"arrived":"2026-12-07T04:00:00Z"}`, `{"arrived":"yesterday"}`, `{"arrived":1}`,
		`{"criteria":{"steps":[{"agents":["a\"b"],"expiry":5}]}}`,
		`{"criteria":{"steps":[]},"criteria":{"steps":[{"expiry":1}]}}`,
		`{"cooldown":{"a":"2026-12-07T04:00:00Z"},"cooldown":{"b":"2026-12-07T04:00:00Z"}}`,
		`{"criteria":{"steps":[}`, `{"criteria":[1]}`, `{"cooldown":{"a":"no time"}}`,
		`{"id":"a"} x`, `{"id":"a",}`, `{"id" "a"}`, `{"id":"a"`, `{`, ``, `null`, `[]`, `"s"`,
		`{"id":"a
b"}`, "{\"id\":\"a\tb\"}",
	)
	for _, in := range inputs {
		var want, got item
		wantErr := json.Unmarshal([]byte(in), &want)
		gotErr := decodeItem([]byte(in), &got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("decodeItem(%s): error %v, encoding/json's %v", in, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeItem(%s) =\n%+v\nencoding/json =\n%+v", in, got, want)
		}
		// Read from a row, the id and queue id are the columns' business.
		var stored item
		storedErr := decodeStoredItem([]byte(in), &stored)
		if (storedErr == nil) != (wantErr == nil) {
			t.Fatalf("decodeStoredItem(%s): error %v, encoding/json's %v", in, storedErr, wantErr)
		}
		if stored.ID != "" && stored.ID != want.ID || stored.QueueID != "" && stored.QueueID != want.QueueID {
			t.Fatalf("decodeStoredItem(%s) kept id %q, queue %q; want them left out or as encoding/json", in, stored.ID, stored.QueueID)
		}
		stored.ID, stored.QueueID = want.ID, want.QueueID
		if wantErr == nil && !reflect.DeepEqual(stored, want) {
			t.Fatalf("decodeStoredItem(%s) =\n%+v\nencoding/json =\n%+v", in, stored, want)
		}
	}
}

// TestDecodeItemFastPath checks that items as the dispatcher writes them,
// criteria and cool-downs included, are read without falling back to
// encoding/json for the whole item: the speed of the rebuild depends on it.
func TestDecodeItemFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 500 {
		data, err := json.Marshal(randomItem(rng))
		if err != nil {
			t.Fatal(err)
		}
		var it, stored item
		if !fastDecodeItem(data, &it, false) || !fastDecodeItem(data, &stored, true) {
			t.Fatalf("fast path refused %s", data)
		}
	}
}

func BenchmarkDecodeItem(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	plain := randomItem(rng)
	plain.Criteria, plain.Cooldown, plain.Preferred = nil, nil, ""
	data, _ := json.Marshal(plain)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			var it item
			if err := decodeItem(data, &it); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		for b.Loop() {
			var it item
			if err := json.Unmarshal(data, &it); err != nil {
				b.Fatal(err)
			}
		}
	})
}
