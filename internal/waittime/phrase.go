package waittime

import (
	"fmt"
	"time"
)

// Phrase tells a waiting customer their place and the estimate, as the
// widget shows it: "You are number 3 in line, about 2 minutes." Minutes
// are rounded up, so nobody is promised less than the estimate; an unknown
// estimate (ok false) is left unsaid.
func Phrase(position int, wait time.Duration, ok bool) string {
	place := fmt.Sprintf("You are number %d in line", position)
	if position == 1 {
		place = "You are next in line"
	}
	if !ok {
		return place + "."
	}
	if wait < time.Minute {
		return place + ", less than a minute."
	}
	min := int((wait + time.Minute - 1) / time.Minute)
	if min == 1 {
		return place + ", about 1 minute."
	}
	return fmt.Sprintf("%s, about %d minutes.", place, min)
}
