package send

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// A channel whose provider takes no idempotency key and has no lookup (email
// over SMTP) cannot tell, after a node died mid-send, whether the message
// went. So it calls channel.Outbound.HandOver at the last moment before the
// send becomes irreversible (after RCPT, before DATA), and the sender
// records there, durably and fenced by the claim, that the try is being
// handed over. A node that takes the delivery over after its lease ran out
// finds the mark (notice.Delivery.HandedOver) and records the step as sent,
// unconfirmed, instead of sending again (Outcome.Unconfirmed): at most once
// per channel step, at the price of a mail that may not have gone when the
// node died between the mark and the data (the type's confirm_within then
// falls back to the next channel as after any send).

// markBatch is the most marks one statement writes (three parameters each,
// well under PostgreSQL's 65,535).
const markBatch = 512

// markTimeout bounds one write of marks.
const markTimeout = 10 * time.Second

// marker writes the hand-over marks of concurrent sends together: the first
// send to ask writes at once, and those that ask while it writes wait and go
// in the next statement (group commit), so a busy node writes one statement
// per round trip rather than one per mail, and a quiet one adds no wait.
type marker struct {
	db *store.DB

	mu    sync.Mutex
	queue []markReq
	busy  bool
}

type markReq struct {
	m    store.HandOverMark
	done chan error
}

// mark records that the claimed delivery's try is being handed over. It
// returns store.ErrLeaseLost when another node has taken the delivery over
// (this one must not send), or the write's error.
func (k *marker) mark(ctx context.Context, m store.HandOverMark) error {
	r := markReq{m: m, done: make(chan error, 1)}
	k.mu.Lock()
	k.queue = append(k.queue, r)
	if k.busy { // a writer takes it in its next statement, or hands the writing on
		k.mu.Unlock()
		if err := <-r.done; err != errLead {
			return err
		}
		k.mu.Lock()
	}
	k.busy = true
	for {
		n := min(len(k.queue), markBatch)
		batch := k.queue[:n:n]
		k.queue = k.queue[n:]
		k.mu.Unlock()
		mine := k.write(ctx, batch, r.done)
		k.mu.Lock()
		if !mine {
			continue // r is further down the queue
		}
		if len(k.queue) == 0 {
			k.queue, k.busy = nil, false
		} else { // the next waiter writes the rest: this send goes on with its mail
			k.queue[0].done <- errLead
		}
		k.mu.Unlock()
		return <-r.done
	}
}

// errLead tells a waiting send that it writes the next statement.
var errLead = errors.New("write the next marks")

// write stores one batch of marks and answers each send in it; it reports
// whether the batch held the send whose answer is on mine. It runs whatever
// the writing send's ctx says: the others wait on it.
func (k *marker) write(ctx context.Context, batch []markReq, mine chan error) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	marks := make([]store.HandOverMark, len(batch))
	for i, r := range batch {
		marks[i] = r.m
	}
	ok, err := k.db.MarkHandedOver(ctx, marks)
	held := false
	for i, r := range batch {
		held = held || r.done == mine
		switch {
		case err != nil:
			r.done <- err
		case !ok[i]:
			r.done <- fmt.Errorf("delivery %s, claim %d: %w", r.m.ID, r.m.Claim, store.ErrLeaseLost)
		default:
			r.done <- nil
		}
	}
	return held
}
