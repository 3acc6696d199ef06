package telegram

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The Bot API's types, as much of them as the channel reads
// (https://core.telegram.org/bots/api#available-types).

// update is one webhook delivery: exactly one of its optional fields is set.
type update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *tgMessage     `json:"message"`
	EditedMessage *tgMessage     `json:"edited_message"`
	CallbackQuery *callbackQuery `json:"callback_query"`
}

type user struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Username     string `json:"username"`
	LanguageCode string `json:"language_code"`
}

type chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"` // private, group, supergroup, channel
}

type tgMessage struct {
	MessageID   int64        `json:"message_id"`
	From        *user        `json:"from"`
	Chat        chat         `json:"chat"`
	Date        int64        `json:"date"`
	EditDate    int64        `json:"edit_date"`
	Text        string       `json:"text"`
	Caption     string       `json:"caption"`
	Photo       []photoSize  `json:"photo"`
	Document    *fileRef     `json:"document"`
	Audio       *fileRef     `json:"audio"`
	Voice       *fileRef     `json:"voice"`
	Video       *fileRef     `json:"video"`
	VideoNote   *fileRef     `json:"video_note"`
	Animation   *fileRef     `json:"animation"`
	Sticker     *sticker     `json:"sticker"`
	Contact     *contact     `json:"contact"`
	Location    *location    `json:"location"`
	ReplyMarkup *replyMarkup `json:"reply_markup"`
}

// photoSize is one size of a photo; a photo comes in several, smallest first.
type photoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size"`
}

// fileRef is any file-carrying type (Document, Audio, Voice, Video, …).
type fileRef struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name"`
	MimeType     string `json:"mime_type"`
	FileSize     int64  `json:"file_size"`
}

type sticker struct {
	fileRef
	Emoji string `json:"emoji"`
}

type contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	UserID      int64  `json:"user_id"`
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type callbackQuery struct {
	ID      string     `json:"id"`
	From    user       `json:"from"`
	Message *tgMessage `json:"message"`
	Data    string     `json:"data"`
}

type replyMarkup struct {
	InlineKeyboard [][]button `json:"inline_keyboard"`
}

type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
}

// maxCallbackData is the most bytes a button's callback_data may hold.
const maxCallbackData = 64

// inlineKeyboard is the quick replies as an inline keyboard, one button a
// row; a button's data is its text, cut to what Telegram takes. nil for none.
func inlineKeyboard(choices []string) *replyMarkup {
	if len(choices) == 0 {
		return nil
	}
	kb := &replyMarkup{}
	for _, c := range choices {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []button{{Text: c, CallbackData: cutBytes(c, maxCallbackData)}})
	}
	return kb
}

func keyboardJSON(kb *replyMarkup) string {
	b, _ := json.Marshal(kb)
	return string(b)
}

// choice is the text of the button a callback query's data names, on the
// message the keyboard was on; the data itself if the message is too old for
// Telegram to include.
func (q *callbackQuery) choice() string {
	if q.Message != nil && q.Message.ReplyMarkup != nil {
		for _, row := range q.Message.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == q.Data && b.Text != "" {
					return b.Text
				}
			}
		}
	}
	return q.Data
}

// cutBytes is s cut to at most n bytes, at a character boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// name is how the customer calls themselves on Telegram.
func (u user) name() string {
	n := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if n == "" && u.Username != "" {
		n = "@" + u.Username
	}
	return n
}

// media is one file of a message, still at Telegram.
type media struct {
	FileID, UniqueID, Name, ContentType string
	Size                                int64
}

// files lists the message's files: the largest size of a photo, and each
// other file it carries.
func (m *tgMessage) files() []media {
	var out []media
	if n := len(m.Photo); n > 0 {
		p := m.Photo[n-1] // Telegram lists sizes smallest first
		out = append(out, media{FileID: p.FileID, UniqueID: p.FileUniqueID, Name: "photo-" + p.FileUniqueID + ".jpg",
			ContentType: "image/jpeg", Size: p.FileSize})
	}
	for _, k := range []struct {
		kind string
		f    *fileRef
	}{{"document", m.Document}, {"audio", m.Audio}, {"voice", m.Voice}, {"video", m.Video}, {"video_note", m.VideoNote}, {"animation", m.Animation}} {
		kind, f := k.kind, k.f
		if f != nil && f.FileID != "" {
			out = append(out, media{FileID: f.FileID, UniqueID: f.FileUniqueID, Name: f.FileName, ContentType: f.MimeType, Size: f.FileSize})
			if out[len(out)-1].Name == "" {
				out[len(out)-1].Name = kind + "-" + f.FileUniqueID
			}
		}
	}
	if s := m.Sticker; s != nil && s.FileID != "" {
		out = append(out, media{FileID: s.FileID, UniqueID: s.FileUniqueID, Name: "sticker-" + s.FileUniqueID + ".webp",
			ContentType: "image/webp", Size: s.FileSize})
	}
	return out
}

// text is what the message says: its text or caption, and what a contact
// or location shows, in words.
func (m *tgMessage) text() string {
	parts := []string{}
	if t := strings.TrimSpace(m.Text + m.Caption); t != "" {
		parts = append(parts, t)
	}
	if m.Sticker != nil && m.Sticker.Emoji != "" && len(parts) == 0 {
		parts = append(parts, m.Sticker.Emoji)
	}
	if c := m.Contact; c != nil {
		parts = append(parts, fmt.Sprintf("Shared a contact: %s %s", strings.TrimSpace(c.FirstName+" "+c.LastName), c.PhoneNumber))
	}
	if l := m.Location; l != nil {
		parts = append(parts, "Shared a location: "+strconv.FormatFloat(l.Latitude, 'f', 6, 64)+", "+strconv.FormatFloat(l.Longitude, 'f', 6, 64))
	}
	return strings.Join(parts, "\n")
}
