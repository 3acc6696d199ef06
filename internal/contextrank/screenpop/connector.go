package screenpop

import (
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextrank"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
)

// importance maps a business system's hint to the ranker's 0–1.
var importance = map[string]float64{"high": 1, "normal": 0.5, "low": 0}

// connectorItems turns one connector's answer into ranker items: the
// connector's name as source; the item's link, or its position in the
// answer, as its id (stable while the system answers the same); a past date
// as At and a future one as Due; the system's reason as text to match.
func connectorItems(r contextsrc.Result, now time.Time) []contextrank.Item {
	out := make([]contextrank.Item, 0, len(r.Items))
	for i, it := range r.Items {
		id := it.Link
		if id == "" {
			id = fmt.Sprintf("%s#%d", it.Type, i)
		}
		ci := contextrank.Item{ID: r.Name + ":" + id, Source: r.Name, Type: it.Type, Title: it.Title, Status: it.Status,
			Link: it.Link, Importance: importance[it.Importance], Text: it.Reason}
		if len(it.Fields) > 0 {
			ci.Fields = make(map[string]string, len(it.Fields))
			for _, f := range it.Fields {
				ci.Fields[f.Label] = f.Value
			}
		}
		if it.Amount != nil {
			ci.Amount = it.Amount.Value + " " + it.Amount.Currency
		}
		if it.Date != nil {
			if it.Date.After(now) {
				ci.Due = *it.Date
			} else {
				ci.At = *it.Date
			}
		}
		out = append(out, ci)
	}
	return out
}
