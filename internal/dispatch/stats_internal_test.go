package dispatch

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// statsViews makes n queue views of about size bytes each.
func statsViews(n, size int) []QueueStatsView {
	out := make([]QueueStatsView, n)
	for i := range out {
		out[i] = QueueStatsView{QueueID: fmt.Sprintf("q%05d", i), Name: strings.Repeat("n", size),
			Agents: map[string]int{"available": i % 7}}
	}
	return out
}

// decodeChunks checks every chunk is a JSON array within limit and returns
// how many times each queue came.
func decodeChunks(t *testing.T, chunks [][]byte, limit int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, c := range chunks {
		if len(c) > limit {
			t.Errorf("a chunk of %d bytes, limit %d", len(c), limit)
		}
		var vs []QueueStatsView
		if err := json.Unmarshal(c, &vs); err != nil {
			t.Fatalf("chunk is not a JSON array of views: %v", err)
		}
		for _, v := range vs {
			got[v.QueueID]++
		}
	}
	return got
}

// A tenant's queue.stats once went as one event: 5,000 queues outgrew
// NATS's max_payload and nothing was sent. They go in chunks under a bound,
// the changed queues only, and all of them now and then.
func TestStatsChunks(t *testing.T) {
	const limit = 64 << 10
	views := statsViews(3000, 300) // ~1 MB encoded
	last := map[string]uint64{}
	chunks := statsChunks(views, last, true, limit)
	got := decodeChunks(t, chunks, limit)
	if len(got) != 3000 || len(chunks) < 2 {
		t.Fatalf("%d queues in %d chunks, want 3000 in several", len(got), len(chunks))
	}
	for id, n := range got {
		if n != 1 {
			t.Fatalf("queue %s sent %d times", id, n)
		}
	}

	if chunks := statsChunks(views, last, false, limit); len(chunks) != 0 {
		t.Fatalf("nothing changed, yet %d chunks were made", len(chunks))
	}
	views[42].Waiting = 3
	got = decodeChunks(t, statsChunks(views, last, false, limit), limit)
	if len(got) != 1 || got["q00042"] != 1 {
		t.Fatalf("one queue changed, sent %v", got)
	}
	if got := decodeChunks(t, statsChunks(views, last, true, limit), limit); len(got) != 3000 {
		t.Fatalf("a full send carried %d queues, want 3000", len(got))
	}

	statsChunks(views[:10], last, false, limit) // the rest deleted
	if len(last) != 10 {
		t.Fatalf("%d queues remembered after 2,990 were deleted, want 10", len(last))
	}

	big := statsViews(2, 2*limit)
	chunks = statsChunks(big, map[string]uint64{}, true, limit)
	if len(chunks) != 2 {
		t.Fatalf("two queues each larger than the limit went in %d chunks, want one each", len(chunks))
	}
}
