package reports

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"

	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// NoticeFigures are a period's notices: in all, by notification type and by
// channel. Opt-outs are revocations in the consent ledger: of one type (in
// that type's row), of one channel (in that channel's row), or of a
// category or everything (in the total only).
type NoticeFigures struct {
	Total     NoticeRow   `json:"total"`
	ByType    []NoticeRow `json:"by_type"`
	ByChannel []NoticeRow `json:"by_channel"`
}

// NoticeRow is one type's or channel's notices. Sent counts each channel a
// notice went out on (a fallback sends again); the rates are over sent.
type NoticeRow struct {
	Type        string   `json:"type,omitempty"`
	Channel     string   `json:"channel,omitempty"`
	Sent        int64    `json:"sent"`
	Delivered   int64    `json:"delivered"`
	Read        int64    `json:"read"`
	Responded   int64    `json:"responded"`
	Failed      int64    `json:"failed"`
	OptOuts     int64    `json:"opt_outs"`
	DeliveryPct *float64 `json:"delivery_pct"`
	ReadPct     *float64 `json:"read_pct"`
	ResponsePct *float64 `json:"response_pct"`
	OptOutPct   *float64 `json:"opt_out_pct"`
}

var noticeMetrics = []string{rollup.NoticeSent, rollup.NoticeDelivered, rollup.NoticeRead, rollup.NoticeReplied,
	rollup.NoticeFailed, rollup.NoticeOptOut}

func (r *NoticeRow) add(metric string, n int64) {
	switch metric {
	case rollup.NoticeSent:
		r.Sent += n
	case rollup.NoticeDelivered:
		r.Delivered += n
	case rollup.NoticeRead:
		r.Read += n
	case rollup.NoticeReplied:
		r.Responded += n
	case rollup.NoticeFailed:
		r.Failed += n
	case rollup.NoticeOptOut:
		r.OptOuts += n
	}
}

func (r *NoticeRow) rates() {
	r.DeliveryPct, r.ReadPct = pct(r.Delivered, r.Sent), pct(r.Read, r.Sent)
	r.ResponsePct, r.OptOutPct = pct(r.Responded, r.Sent), pct(r.OptOuts, r.Sent)
}

// byDim reads the metrics of one dimension over the hours [from, to).
func (s *Service) byDim(ctx context.Context, tenantID, dim string, from, to int64, metrics []string) ([]store.RollupCounter, error) {
	var out []store.RollupCounter
	for _, sp := range spans(from, to) {
		cs, err := s.db.RollupCountersOf(ctx, tenantID, dim, sp.grain, sp.from, sp.to, metrics)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// notices gathers the period's notice figures; channel, when set, keeps
// that channel's alone.
func (s *Service) notices(ctx context.Context, tenantID string, from, to int64, channel string) (*NoticeFigures, error) {
	all, err := s.byDim(ctx, tenantID, rollup.DimAll, from, to, noticeMetrics)
	if err != nil {
		return nil, err
	}
	types, err := s.byDim(ctx, tenantID, rollup.DimNoticeType, from, to, noticeMetrics)
	if err != nil {
		return nil, err
	}
	f := &NoticeFigures{ByType: []NoticeRow{}, ByChannel: []NoticeRow{}}
	byChannel, byType := map[string]*NoticeRow{}, map[string]*NoticeRow{}
	for _, c := range all {
		if channel != "" && c.Sub != channel {
			continue
		}
		f.Total.add(c.Metric, c.N)
		if c.Sub != "" {
			row := byChannel[c.Sub]
			if row == nil {
				row = &NoticeRow{Channel: c.Sub}
				byChannel[c.Sub] = row
			}
			row.add(c.Metric, c.N)
		}
	}
	for _, c := range types {
		if channel != "" && c.Sub != channel {
			continue
		}
		row := byType[c.Val]
		if row == nil {
			row = &NoticeRow{Type: c.Val}
			byType[c.Val] = row
		}
		row.add(c.Metric, c.N)
	}
	f.Total.Channel = channel
	f.Total.rates()
	for _, k := range slices.Sorted(maps.Keys(byType)) {
		byType[k].rates()
		f.ByType = append(f.ByType, *byType[k])
	}
	for _, k := range slices.Sorted(maps.Keys(byChannel)) {
		byChannel[k].rates()
		f.ByChannel = append(f.ByChannel, *byChannel[k])
	}
	return f, nil
}

// BestHours are the customers' responses to notices (reads and replies) by
// the local hour of their own time zone: for everyone and per segment (the
// persona attribute "segment"; "" for customers without one).
type BestHours struct {
	All      SegmentHours   `json:"all"`
	Segments []SegmentHours `json:"segments"`
}

// SegmentHours is one segment's responses by local hour; BestHour is the hour
// with the most (the earliest of equals), nil with none.
type SegmentHours struct {
	Segment   string    `json:"segment"`
	Responses int64     `json:"responses"`
	Hours     [24]int64 `json:"hours"`
	BestHour  *int      `json:"best_hour"`
}

func (h *SegmentHours) best() {
	for i, n := range h.Hours {
		if n > 0 && (h.BestHour == nil || n > h.Hours[*h.BestHour]) {
			h.BestHour = &i
		}
	}
}

func (s *Service) bestHours(ctx context.Context, tenantID string, from, to int64) (*BestHours, error) {
	cs, err := s.byDim(ctx, tenantID, rollup.DimSegment, from, to, []string{rollup.ResponseHour})
	if err != nil {
		return nil, err
	}
	b := &BestHours{Segments: []SegmentHours{}}
	bySeg := map[string]*SegmentHours{}
	for _, c := range cs {
		h, err := strconv.Atoi(c.Sub)
		if err != nil || h < 0 || h > 23 {
			continue
		}
		sh := bySeg[c.Val]
		if sh == nil {
			sh = &SegmentHours{Segment: c.Val}
			bySeg[c.Val] = sh
		}
		sh.Hours[h] += c.N
		sh.Responses += c.N
		b.All.Hours[h] += c.N
		b.All.Responses += c.N
	}
	b.All.best()
	for _, sh := range bySeg {
		sh.best()
		b.Segments = append(b.Segments, *sh)
	}
	// The largest segments first; the unnamed one among them by its size.
	slices.SortFunc(b.Segments, func(x, y SegmentHours) int {
		return cmp.Or(cmp.Compare(y.Responses, x.Responses), cmp.Compare(x.Segment, y.Segment))
	})
	return b, nil
}
