package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
)

// A reply larger than the bus carries in one message (NATS's max_payload,
// 1 MB by default) travels in parts: the Stats of 5,000 queues with their
// wall steps is several megabytes, and a reply the bus refused used to leave
// the asker waiting for its deadline as if no leader ran.

// replyPartHeader numbers the parts of a reply sent in several: "i/n",
// from 1.
const replyPartHeader = "Switchboard-Reply-Part"

// respondParts answers m with data: in one message when it fits, else in
// the fewest equal parts that do.
func respondParts(m *nats.Msg, data []byte) error {
	err := m.Respond(data)
	if !errors.Is(err, nats.ErrMaxPayload) {
		return err
	}
	for size := (len(data) + 1) / 2; size > 0; size = (size + 1) / 2 {
		n := (len(data) + size - 1) / size
		for i := range n {
			part := &nats.Msg{Header: nats.Header{}, Data: data[i*size : min(len(data), (i+1)*size)]}
			part.Header.Set(replyPartHeader, strconv.Itoa(i+1)+"/"+strconv.Itoa(n))
			err := m.RespondMsg(part)
			if i == 0 && errors.Is(err, nats.ErrMaxPayload) {
				break // smaller parts, then
			}
			if err != nil {
				return fmt.Errorf("reply part %d of %d: %w", i+1, n, err)
			}
			if i == n-1 {
				return nil
			}
		}
		if size == 1 {
			break
		}
	}
	return nats.ErrMaxPayload
}

// requestParts sends a request and returns its reply's data, put together
// again when it came in parts (respondParts). It fails with
// nats.ErrNoResponders when nobody listens on the subject, and with ctx's
// error when the reply does not come in time.
func requestParts(ctx context.Context, nc *nats.Conn, subject string, data []byte) ([]byte, error) {
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	if err := nc.PublishRequest(subject, inbox, data); err != nil {
		return nil, err
	}
	var out []byte
	for i, n := 1, 1; i <= n; i++ {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return nil, err
		}
		if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
			return nil, nats.ErrNoResponders
		}
		if p := m.Header.Get(replyPartHeader); p != "" {
			at, of, ok := strings.Cut(p, "/")
			k, err1 := strconv.Atoi(at)
			total, err2 := strconv.Atoi(of)
			if !ok || err1 != nil || err2 != nil || k != i || total < 1 || (i > 1 && total != n) {
				return nil, fmt.Errorf("reply part %q out of order (want %d of %d)", p, i, n)
			}
			n = total
		}
		out = append(out, m.Data...)
	}
	return out, nil
}
