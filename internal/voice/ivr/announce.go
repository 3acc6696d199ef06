package ivr

import (
	"errors"
	"fmt"
	"time"
)

// Announcement is what a caller waiting in a queue is told: their place and
// the expected wait ("You are third in line. The expected wait is about 4
// minutes."), in lang (en, de, fr, es). position counts from 1; an estimate
// of zero or less is not known and is not said. Waits are rounded up to whole
// minutes, so a caller is never promised less than the estimate.
func Announcement(lang string, position int, wait time.Duration) (string, error) {
	p, _, err := book(lang)
	if err != nil {
		return "", err
	}
	if position < 1 {
		return "", errors.New("queue position must be 1 or more")
	}
	var s string
	switch {
	case position == 1:
		s = p.next
	case position <= len(p.ordinals):
		s = fmt.Sprintf(p.position, p.ordinals[position-1])
	default:
		s = fmt.Sprintf(p.positionN, position)
	}
	if wait <= 0 {
		return s, nil
	}
	minutes := int((wait + time.Minute - 1) / time.Minute)
	switch {
	case wait < time.Minute:
		s += " " + p.waitUnder
	case minutes == 1:
		s += " " + p.waitMinute
	case minutes > 60:
		s += " " + p.waitLong
	default:
		s += " " + fmt.Sprintf(p.waitMinutes, minutes)
	}
	return s, nil
}
