package webchat_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
)

func TestWidgetOrigins(t *testing.T) {
	for _, tc := range []struct {
		allowed, origin string
		want            bool
	}{
		{"", "https://anywhere.example", true},
		{"*", "https://anywhere.example", true},
		{"https://shop.example", "", true}, // not a browser page
		{"https://shop.example", "https://shop.example", true},
		{"https://shop.example/", "https://SHOP.example", true},
		{"https://shop.example", "http://shop.example", false},
		{"https://shop.example", "https://shop.example:8443", false},
		{"https://shop.example", "https://shop.example.evil.com", false},
		{"https://a.example, https://shop.example", "https://shop.example", true},
		{"https://*.shop.example", "https://eu.shop.example", true},
		{"https://*.shop.example", "https://shop.example", false},
		{"https://*.shop.example", "https://evilshop.example", false},
		{"https://*.shop.example", "http://eu.shop.example", false},
		{"https://shop.example", "null", false},
	} {
		w := webchat.Widget{Account: channel.Account{Settings: map[string]string{webchat.SettingAllowedOrigins: tc.allowed}}}
		if got := w.AllowsOrigin(tc.origin); got != tc.want {
			t.Errorf("allowed %q, origin %q: %v, want %v", tc.allowed, tc.origin, got, tc.want)
		}
	}
}

func TestWidgetUploads(t *testing.T) {
	def := webchat.Widget{Account: channel.Account{Settings: map[string]string{}}}
	own := webchat.Widget{Account: channel.Account{Settings: map[string]string{webchat.SettingAccept: "image/*, application/zip",
		webchat.SettingMaxUpload: "5000"}}}
	for _, tc := range []struct {
		w    webchat.Widget
		ct   string
		want bool
	}{
		{def, "image/png", true},
		{def, "text/plain; charset=utf-8", true},
		{def, "application/pdf", true},
		{def, "text/html; charset=utf-8", false},
		{def, "text/xml; charset=utf-8", false}, // how SVG sniffs
		{def, "application/zip", false},
		{own, "image/bmp", true},
		{own, "application/zip", true},
		{own, "application/pdf", false},
		{own, "imagery/x", false},
	} {
		if got := tc.w.Accepts(tc.ct); got != tc.want {
			t.Errorf("%v accepts %q: %v, want %v", tc.w.Accept(), tc.ct, got, tc.want)
		}
	}
	if def.MaxUpload(1000) != 1000 || own.MaxUpload(1000) != 1000 || own.MaxUpload(1<<20) != 5000 {
		t.Fatal("upload limits: the widget's own limit applies below the node's ceiling only")
	}
}
