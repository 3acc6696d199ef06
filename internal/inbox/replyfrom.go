package inbox

import (
	"context"
	"encoding/json"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// MetaAccount is the Inbound.Meta key under which a channel records which of the
// tenant's accounts a contact came to (the support or the billing mailbox, one
// of several numbers). Replies go out from that account.
const MetaAccount = "account_id"

// replyAccount picks the tenant's account a reply on m's channel is sent from:
// the one the customer last wrote to on that channel, else the first.
func (s *core) replyAccount(ctx context.Context, m conversation.Message, accs []channel.Account) (channel.Account, error) {
	if len(accs) == 0 {
		return channel.Account{}, nil
	}
	if len(accs) > 1 {
		raw, err := s.db.LastInboundMetaOn(ctx, m.TenantID, m.ConversationID, m.Channel)
		if err != nil {
			return channel.Account{}, err
		}
		var meta map[string]any
		if len(raw) > 0 && json.Unmarshal(raw, &meta) == nil {
			if id, _ := meta[MetaAccount].(string); id != "" {
				for _, a := range accs {
					if a.ID == id {
						return a, nil
					}
				}
			}
		}
	}
	return accs[0], nil
}
