package notice_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func blocked() notice.Type {
	return notice.Type{
		Key: "card.blocked", Name: "Card blocked", Category: prefs.Critical, Channels: []string{"sms", "email"},
		DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{
			"en": {
				"email": {Subject: "Card {{.last4}} blocked", Body: "Hello {{.name}}, card {{.last4}} is blocked. {{.link}}"},
				"sms":   {Short: "Card {{.last4}} blocked. {{.link}}"},
				"web":   {Subject: "Card blocked", Body: "Card {{.last4}} is blocked."},
			},
			"pt": {
				"email": {Subject: "Cartão {{.last4}} bloqueado", Body: "Olá {{.name}}, o cartão {{.last4}} foi bloqueado."},
			},
		},
	}
}

func fieldOf(err error) string {
	var fe *tenant.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*notice.Type)
		field string // "" when valid
	}{
		{"valid", func(*notice.Type) {}, ""},
		{"bad key", func(ty *notice.Type) { ty.Key = "Card Blocked" }, "key"},
		{"unknown category", func(ty *notice.Type) { ty.Category = "urgent" }, "category"},
		{"unknown channel", func(ty *notice.Type) { ty.Channels = []string{"sms", "pigeon"} }, "channels[1]"},
		{"channel twice", func(ty *notice.Type) { ty.Channels = []string{"sms", "sms"} }, "channels[1]"},
		{"send time", func(ty *notice.Type) { ty.SendTime = "later" }, "send_time"},
		{"negative confirm", func(ty *notice.Type) { ty.ConfirmWithin = -1 }, "confirm_within"},
		{"default language without templates", func(ty *notice.Type) { ty.DefaultLanguage = "de" }, "templates"},
		{"no default language", func(ty *notice.Type) { ty.DefaultLanguage = "" }, "default_language"},
		{"broken template", func(ty *notice.Type) {
			ty.Templates["pt"]["email"] = notice.Template{Subject: "Cartão {{.last4", Body: "x"}
		}, "templates.pt.email.subject"},
		{"empty template", func(ty *notice.Type) { ty.Templates["pt"]["sms"] = notice.Template{Subject: "only"} }, "templates.pt.sms.body"},
		{"unknown template channel", func(ty *notice.Type) { ty.Templates["pt"]["fax"] = notice.Template{Body: "x"} }, "templates.pt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ty := blocked()
			tc.edit(&ty)
			err := ty.Validate()
			if got := fieldOf(err); got != tc.field {
				t.Fatalf("error %v (field %q), want field %q", err, got, tc.field)
			}
		})
	}
}

func TestValidateDefaults(t *testing.T) {
	ty := notice.Type{Key: "promo", Category: prefs.Marketing,
		Templates: map[string]map[string]notice.Template{"en": {"email": {Body: "Sale"}}}}
	if err := ty.Validate(); err != nil {
		t.Fatal(err)
	}
	if ty.SendTime != notice.SendNow || ty.DefaultLanguage != "en" || ty.Name != "promo" {
		t.Errorf("defaults not filled: %+v", ty)
	}
}

func TestRender(t *testing.T) {
	ty := blocked()
	vars := notice.Vars(map[string]any{"last4": "4242"}, "https://x/n/t", "https://x/p", "https://x/u", "Ana")
	for _, tc := range []struct {
		lang, channel        string
		subject, body, short string
	}{
		{"en", "email", "Card 4242 blocked", "Hello Ana, card 4242 is blocked. https://x/n/t", "Hello Ana, card 4242 is blocked. https://x/n/t"},
		{"en", "sms", "", "", "Card 4242 blocked. https://x/n/t"},
		{"en", "webpush", "Card blocked", "Card 4242 is blocked.", "Card 4242 is blocked."}, // falls back to web
		{"pt", "sms", "Cartão 4242 bloqueado", "Olá Ana, o cartão 4242 foi bloqueado.", "Olá Ana, o cartão 4242 foi bloqueado."},
	} {
		got, err := notice.Render(ty, tc.lang, tc.channel, vars)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.lang, tc.channel, err)
		}
		if got.Subject != tc.subject || got.Body != tc.body || got.Short != tc.short {
			t.Errorf("%s/%s: %+v", tc.lang, tc.channel, got)
		}
	}
}

func TestRenderMissingData(t *testing.T) {
	vars := notice.Vars(map[string]any{"amount": 3}, "", "", "", "")
	_, err := notice.Render(blocked(), "en", "sms", vars)
	var fe *tenant.FieldError
	if !errors.As(err, &fe) || fe.Field != "data" {
		t.Fatalf("error %v, want a field error on data", err)
	}
	if !strings.HasPrefix(fe.Reason, "en/sms short: ") || !strings.Contains(fe.Reason, `"last4"`) {
		t.Errorf("reason %q does not say which template lacks which key", fe.Reason)
	}
	if _, err := notice.Render(blocked(), "de", "sms", vars); fieldOf(err) != "data" {
		t.Errorf("render in a language without templates: %v", err)
	}
}

func TestLanguage(t *testing.T) {
	ty := blocked()
	for persona, want := range map[string]string{"": "en", "pt": "pt", "pt-BR": "pt", "de": "en", "en-GB": "en"} {
		if got := notice.Language(ty, persona); got != want {
			t.Errorf("Language(%q) = %q, want %q", persona, got, want)
		}
	}
}

func TestValidateKeypad(t *testing.T) {
	voice := func(k ...notice.KeypadChoice) notice.Type {
		return notice.Type{Key: "payment.due", Category: prefs.Transactional, DefaultLanguage: "en",
			Templates: map[string]map[string]notice.Template{"en": {"voice": {Body: "A payment of {{.amount}} is due.", Keypad: k}}}}
	}
	confirm := notice.KeypadChoice{Key: "1", Label: "to confirm the payment", Response: "confirm"}
	for _, c := range []struct {
		name  string
		typ   notice.Type
		field string
	}{
		{"good", voice(confirm, notice.KeypadChoice{Key: "2", Label: "to talk to someone", Response: "talk", Talk: true}), ""},
		{"not a key", voice(notice.KeypadChoice{Key: "12", Label: "x", Response: "y"}), "templates.en.voice.keypad[0].key"},
		{"key twice", voice(confirm, confirm), "templates.en.voice.keypad[1].key"},
		{"no label", voice(notice.KeypadChoice{Key: "1", Response: "y"}), "templates.en.voice.keypad[0].label"},
		{"no response", voice(notice.KeypadChoice{Key: "1", Label: "to confirm"}), "templates.en.voice.keypad[0].response"},
		{"keypad on sms", notice.Type{Key: "a", Category: prefs.Transactional, DefaultLanguage: "en",
			Templates: map[string]map[string]notice.Template{"en": {"sms": {Body: "x", Keypad: []notice.KeypadChoice{confirm}}}}}, "templates.en.sms.keypad"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.typ.Validate()
			var fe *tenant.FieldError
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
				t.Fatalf("error %v, want one naming %s", err, c.field)
			}
		})
	}
	typ := voice(confirm)
	if k := typ.Keypad("en"); len(k) != 1 || k[0] != confirm {
		t.Fatalf("the type's keypad: %+v", k)
	}
	typ.ReplyExpected = true
	typ.Templates["en"]["voice"] = notice.Template{Body: "x"}
	if k := typ.Keypad("de"); len(k) != 2 || k[0].Response != "confirm" || !k[1].Talk || k[1].Label != "um mit jemandem zu sprechen" {
		t.Fatalf("the default keypad in German: %+v", k)
	}
}
