package rollup

import (
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// noticeStatuses maps a notice.status event's status to its metric.
var noticeStatuses = map[string]string{"sent": NoticeSent, "delivered": NoticeDelivered, "read": NoticeRead,
	"replied": NoticeReplied, "failed": NoticeFailed}

// notice counts a notice's status, a response's local hour or an opt-out.
// Each event counts once (the cursor sees to that) and carries all it
// counts by, so the fold keeps no state per notice.
func (f *Folder) notice(typ string, p payload, at time.Time) {
	dims := []DimVal{{DimAll, ""}}
	if p.Type != "" {
		dims = append(dims, DimVal{DimNoticeType, p.Type})
	}
	switch typ {
	case event.NoticeStatus:
		if m, ok := noticeStatuses[p.Status]; ok {
			f.count(at, dims, m, p.Channel, 1, 0)
		}
	case event.NoticeOptedOut:
		f.count(at, dims, NoticeOptOut, p.Channel, 1, 0)
	case event.NoticeResponded:
		if p.LocalHour == nil || *p.LocalHour < 0 || *p.LocalHour > 23 {
			return
		}
		f.count(at, []DimVal{{DimAll, ""}, {DimSegment, p.Segment}}, ResponseHour, fmt.Sprintf("%02d", *p.LocalHour), 1, 0)
	}
}

// link counts an article linked to a conversation (once per pair while it
// stays linked) and, if the conversation was resolved without a link so
// far, its resolution as linked.
func (f *Folder) link(c *Conv, articleID, kind string, at time.Time) {
	if c == nil || articleID == "" {
		return
	}
	if _, ok := c.Links[articleID]; ok {
		return
	}
	if c.Links == nil {
		c.Links = map[string]Link{}
	}
	c.Links[articleID] = Link{Kind: kind, At: at}
	f.count(at, []DimVal{{DimAll, ""}, {DimArticle, articleID}}, KBLinks, kind, 1, 0)
	if !c.Resolved.IsZero() && !c.LinkCounted {
		c.LinkCounted = true
		f.count(c.Resolved, c.ResolvedDims, KBLinked, "", 1, 0)
	}
	f.DirtyConvs[c.ID] = true
}

// unlink takes a link back where it counted, and the resolution's "linked"
// when it was the last.
func (f *Folder) unlink(c *Conv, articleID string) {
	if c == nil {
		return
	}
	l, ok := c.Links[articleID]
	if !ok {
		return
	}
	delete(c.Links, articleID)
	f.count(l.At, []DimVal{{DimAll, ""}, {DimArticle, articleID}}, KBLinks, l.Kind, -1, 0)
	if len(c.Links) == 0 && c.LinkCounted {
		c.LinkCounted = false
		f.count(c.Resolved, c.ResolvedDims, KBLinked, "", -1, 0)
	}
	f.DirtyConvs[c.ID] = true
}
