package ivr

import "time"

// QueueAnnouncer decides when a waiting caller is told their place: on
// joining the queue, then every Every while they wait, and at once when
// they become next — but never two within MinGap, so a queue that moves
// fast does not talk over its own music.
type QueueAnnouncer struct {
	Every  time.Duration // default 60s
	MinGap time.Duration // default 20s

	said     bool
	lastAt   time.Time
	lastPos  int
	lastWait time.Duration
}

// Due reports whether to announce now, for a caller at position with the
// estimated wait, and if so notes that it was said.
func (q *QueueAnnouncer) Due(now time.Time, position int, wait time.Duration) bool {
	every, gap := q.Every, q.MinGap
	if every <= 0 {
		every = time.Minute
	}
	if gap <= 0 {
		gap = 20 * time.Second
	}
	since := now.Sub(q.lastAt)
	due := !q.said ||
		since >= every && (position != q.lastPos || wait != q.lastWait || since >= 2*every) ||
		position == 1 && q.lastPos != 1 && since >= gap
	if !due {
		return false
	}
	q.said, q.lastAt, q.lastPos, q.lastWait = true, now, position, wait
	return true
}
