package plan

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Usage is what a tenant used in one month, counted from the stored rows
// (never sampled), so that it can be billed.
type Usage struct {
	TenantID string `json:"tenant_id"`
	Slug     string `json:"tenant_slug"`
	Month    string `json:"month"`
	// Conversations started in the month.
	Conversations int64 `json:"conversations"`
	// Messages to and from customers in the month, per channel (notes and
	// system lines are not messages).
	Messages []ChannelMessages `json:"messages"`
	// NoticesSent counts notices first handed to a channel in the month.
	NoticesSent int64 `json:"notices_sent"`
	// AgentsActive counts the users who wrote in a conversation (a reply or a
	// note) in the month.
	AgentsActive int64 `json:"agents_active"`
	// Agents counts enabled users now: the seats the agents limit counts.
	Agents int64 `json:"agents"`
	// StorageBytes is what the tenant keeps now: message bodies and attachments.
	StorageBytes int64 `json:"storage_bytes"`
}

// ChannelMessages counts one channel's messages in each direction.
type ChannelMessages struct {
	Channel  string `json:"channel"`
	Inbound  int64  `json:"inbound"`
	Outbound int64  `json:"outbound"`
}

// Of returns the usage a limit is measured against.
func (u Usage) Of(name string) int64 {
	switch name {
	case Agents:
		return u.Agents
	case NoticesPerMonth:
		return u.NoticesSent
	case StorageBytes:
		return u.StorageBytes
	}
	return 0
}

// CSVHeader is the first row of a usage export.
var CSVHeader = []string{"tenant_id", "tenant_slug", "month", "metric", "channel", "value"}

// WriteCSV writes usages in long form, one metric a row, so that a billing
// system can sum and pivot without knowing the channels beforehand.
func WriteCSV(w io.Writer, usages []Usage) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, u := range usages {
		row := func(metric, channel string, v int64) error {
			return cw.Write([]string{u.TenantID, u.Slug, u.Month, metric, channel, strconv.FormatInt(v, 10)})
		}
		if err := row("conversations", "", u.Conversations); err != nil {
			return err
		}
		for _, m := range u.Messages {
			if err := row("messages_inbound", m.Channel, m.Inbound); err != nil {
				return err
			}
			if err := row("messages_outbound", m.Channel, m.Outbound); err != nil {
				return err
			}
		}
		for _, r := range []struct {
			metric string
			v      int64
		}{{"notices_sent", u.NoticesSent}, {"agents_active", u.AgentsActive}, {"agents", u.Agents}, {"storage_bytes", u.StorageBytes}} {
			if err := row(r.metric, "", r.v); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
