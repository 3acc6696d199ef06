package demo

import (
	"slices"
	"testing"
)

func TestWidgetOrigins(t *testing.T) {
	for _, c := range []struct {
		base string
		want []string
	}{
		{"http://localhost:8080", []string{"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"}},
		{"http://127.0.0.1:41234", []string{"http://127.0.0.1:41234", "http://localhost:41234", "http://[::1]:41234"}},
		{"https://demo.example.com", []string{"https://demo.example.com"}},
	} {
		got, err := WidgetOrigins(c.base)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("WidgetOrigins(%q) = %v, %v; want %v", c.base, got, err, c.want)
		}
	}
	if _, err := WidgetOrigins("not a url"); err == nil {
		t.Error("a base URL without a host was accepted")
	}
}
