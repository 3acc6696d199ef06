package phone

import (
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Position is a work item's 1-based place among the items waiting in its
// queue: those of higher priority, then those that arrived earlier, go
// first. 0 when the item is not waiting there (taken, or gone).
func Position(waiting []store.WorkRecord, workID string) int {
	var me *store.WorkRecord
	for i := range waiting {
		if waiting[i].ID == workID {
			me = &waiting[i]
		}
	}
	if me == nil {
		return 0
	}
	pos := 1
	for _, w := range waiting {
		if w.ID == me.ID {
			continue
		}
		if w.Priority > me.Priority || w.Priority == me.Priority && (w.ArrivedAt.Before(me.ArrivedAt) ||
			w.ArrivedAt.Equal(me.ArrivedAt) && w.ID < me.ID) {
			pos++
		}
	}
	return pos
}
