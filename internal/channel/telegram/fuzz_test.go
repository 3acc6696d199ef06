package telegram_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/telegram"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// FuzzUpdate posts arbitrary bodies, with the bot's right secret, to the
// webhook: whatever Telegram (or anyone holding the secret) sends, the
// channel answers with a clear 2xx or 4xx, never a 500 or a crash — a 5xx
// would have Telegram redeliver a bad update for a day.
func FuzzUpdate(f *testing.F) {
	for _, seed := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,"text":"hi","from":{"id":5,"is_bot":false,"first_name":"A"},"chat":{"id":5,"type":"private"}}}`,
		`{"update_id":2,"message":{"message_id":2,"date":1,"from":{"id":5,"first_name":"A"},"chat":{"id":5,"type":"private"},"photo":[{"file_id":"X","file_unique_id":"x","width":1,"height":1}]}}`,
		`{"update_id":3,"callback_query":{"id":"q","from":{"id":5,"first_name":"A"},"data":"Yes"}}`,
		`{"update_id":4,"callback_query":{"id":"q2","from":{"id":5,"first_name":"A"},"message":{"message_id":9,"chat":{"id":5,"type":"private"}},"data":""}}`,
		`{"update_id":5,"edited_message":{"message_id":1,"edit_date":2,"from":{"id":5},"chat":{"id":5,"type":"private"},"text":""}}`,
		`{"update_id":6,"message":{"message_id":3,"from":{"id":-5},"chat":{"id":-5,"type":"private"},"text":"neg"}}`,
		`{"update_id":7,"message":{"message_id":4,"from":{"id":5},"chat":{"id":5,"type":"private"},"text":"\u0000\ud800 bad","contact":{"phone_number":"+1","user_id":5},"location":{"latitude":1e308,"longitude":-1}}}`,
		`{"update_id":8,"my_chat_member":{}}`,
		`{"update_id":9,"message":null}`,
		`{"update_id":"ten"}`,
		`[]`,
		``,
	} {
		f.Add([]byte(seed))
	}
	fx := newFixture(f, storetest.OpenSQLite)
	secret := fx.bot.hook(tokenA).Secret
	url := fx.center.URL + "/channels/telegram/" + "111111111/updates"
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(telegram.SecretHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%q answered %d %s", body, resp.StatusCode, answer)
		}
	})
}
