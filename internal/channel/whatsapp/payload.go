package whatsapp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The webhook's body as the Cloud API posts it:
// {"object":"whatsapp_business_account","entry":[{"id","changes":[{"field":"messages","value":{…}}]}]}.
type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string   `json:"id"` // the WhatsApp Business Account
		Changes []change `json:"changes"`
	} `json:"entry"`
}

type change struct {
	Field string `json:"field"`
	Value value  `json:"value"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []message `json:"messages"`
	Statuses []status  `json:"statuses"`
}

// message is one inbound message; its type names which field is set.
type message struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Context   *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *media    `json:"image"`
	Video    *media    `json:"video"`
	Audio    *media    `json:"audio"`
	Document *media    `json:"document"`
	Sticker  *media    `json:"sticker"`
	Location *location `json:"location"`
	Contacts []card    `json:"contacts"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Button *struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *reply `json:"button_reply"`
		ListReply   *reply `json:"list_reply"`
	} `json:"interactive"`
	Errors []graphIssue `json:"errors"`
}

type reply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// media is an inbound media item, still at Meta.
type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Kind     string `json:"-"` // image, video, audio, document, sticker
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
	URL       string  `json:"url"`
}

// card is a shared contact.
type card struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
		Type  string `json:"type"`
	} `json:"phones"`
	Emails []struct {
		Email string `json:"email"`
	} `json:"emails"`
}

type graphIssue struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// status is Meta's report on a message the business sent.
type status struct {
	ID          string       `json:"id"`
	Status      string       `json:"status"`
	Timestamp   string       `json:"timestamp"`
	RecipientID string       `json:"recipient_id"`
	Errors      []graphIssue `json:"errors"`
}

// deliveryStatuses maps Meta's statuses to the inbox's delivery states.
var deliveryStatuses = map[string]string{"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}

// sentAt is the message's Unix timestamp, or zero when it has none.
func (m message) sentAt() time.Time {
	s, err := strconv.ParseInt(m.Timestamp, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// item is an inbound message in the channel's terms: the text an agent
// reads, what else it carried, and the media to fetch.
type item struct {
	Body  string
	Meta  map[string]any
	Media *media
}

// read turns one message into an item, whatever its type; a type the
// channel does not know is kept as a note, never dropped.
func read(m message) item {
	it := item{Meta: map[string]any{"whatsapp_type": m.Type}}
	switch m.Type {
	case "text":
		if m.Text != nil {
			it.Body = m.Text.Body
		}
	case "image", "video", "audio", "document", "sticker":
		md := map[string]*media{"image": m.Image, "video": m.Video, "audio": m.Audio, "document": m.Document, "sticker": m.Sticker}[m.Type]
		if md == nil || md.ID == "" {
			it.Body = fmt.Sprintf("(%s message without its media)", m.Type)
			break
		}
		md.Kind = m.Type
		it.Media, it.Body = md, md.Caption
	case "location":
		if l := m.Location; l != nil {
			parts := []string{}
			for _, p := range []string{l.Name, l.Address} {
				if strings.TrimSpace(p) != "" {
					parts = append(parts, p)
				}
			}
			where := fmt.Sprintf("%.6f,%.6f", l.Latitude, l.Longitude)
			it.Body = strings.TrimSpace("📍 " + strings.Join(parts, ", ") + "\nhttps://www.openstreetmap.org/?mlat=" +
				fmt.Sprintf("%.6f&mlon=%.6f", l.Latitude, l.Longitude))
			it.Meta["location"] = map[string]any{"latitude": l.Latitude, "longitude": l.Longitude, "name": l.Name, "address": l.Address, "coordinates": where}
		}
	case "contacts":
		var lines []string
		var cards []map[string]any
		for _, c := range m.Contacts {
			phones, emails := []string{}, []string{}
			for _, p := range c.Phones {
				phones = append(phones, p.Phone)
			}
			for _, e := range c.Emails {
				emails = append(emails, e.Email)
			}
			lines = append(lines, strings.TrimSpace("👤 "+c.Name.FormattedName+" "+strings.Join(append(phones, emails...), ", ")))
			cards = append(cards, map[string]any{"name": c.Name.FormattedName, "phones": phones, "emails": emails})
		}
		it.Body = strings.Join(lines, "\n")
		it.Meta["contacts"] = cards
	case "reaction":
		if r := m.Reaction; r != nil {
			it.Body = "Reacted " + r.Emoji
			if r.Emoji == "" {
				it.Body = "Removed a reaction"
			}
			it.Meta["reaction"] = r.Emoji
			it.Meta["reaction_to_external_id"] = r.MessageID
		}
	case "button":
		if m.Button != nil {
			it.Body = m.Button.Text
			it.Meta["button_payload"] = m.Button.Payload
		}
	case "interactive":
		if in := m.Interactive; in != nil {
			for _, r := range []*reply{in.ButtonReply, in.ListReply} {
				if r != nil {
					it.Body = r.Title
					it.Meta["reply_id"] = r.ID
				}
			}
		}
	}
	if len(m.Errors) > 0 {
		it.Meta["whatsapp_errors"] = m.Errors
	}
	if strings.TrimSpace(it.Body) == "" && it.Media == nil {
		it.Body = fmt.Sprintf("(a WhatsApp %s message this center cannot show)", m.Type)
	}
	if m.Context != nil && m.Context.ID != "" {
		it.Meta["reply_to_external_id"] = m.Context.ID
	}
	return it
}
