package conversation

// CallModalities are the modalities a call inside a conversation adds to it
// ("it had voice"): they record the call but are not where the conversation
// goes on once the call is over.
var CallModalities = map[string]bool{"voice": true, "video": true}

// RouteChannel is the channel a conversation is routed as: the latest of
// its modalities that is not a call held inside it, so a chat that had a
// call is still routed as a chat. A conversation that only ever was a call
// (a phone call in) is routed as that call's modality.
func (c Conversation) RouteChannel() string {
	for i := len(c.Modalities) - 1; i >= 0; i-- {
		if !CallModalities[c.Modalities[i]] {
			return c.Modalities[i]
		}
	}
	if n := len(c.Modalities); n > 0 {
		return c.Modalities[n-1]
	}
	return c.Channel
}
